package agent

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies guards the SDK's promise: pure Go, importable by device
// makers, no H3 (cgo), no node or service internals.
func TestDependencies(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", ".", "./coverage", "./energy", "./sensor", "./mobile", "./compute", "./relay")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list with CGO_ENABLED=0: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/depin-network/depin/agent":                  true,
		"github.com/depin-network/depin/agent/coverage":         true,
		"github.com/depin-network/depin/internal/kind":          true,
		"github.com/depin-network/depin/internal/kind/coverage": true,
		"github.com/depin-network/depin/internal/params":        true,
		"github.com/depin-network/depin/internal/durable":       true,
		"github.com/depin-network/depin/internal/ledger":        true,
		"github.com/depin-network/depin/internal/sig":           true,
		// The energy kind's attribute check takes H3 validity from the
		// device registry's pure cell code (which imports bank).
		"github.com/depin-network/depin/agent/energy":         true,
		"github.com/depin-network/depin/internal/kind/energy": true,
		"github.com/depin-network/depin/internal/device":      true,
		"github.com/depin-network/depin/internal/bank":        true,
		// Sensor and mobile builders check bodies with their kinds.
		"github.com/depin-network/depin/agent/sensor":                 true,
		"github.com/depin-network/depin/agent/mobile":                 true,
		"github.com/depin-network/depin/internal/kind/sensor":         true,
		"github.com/depin-network/depin/internal/kind/mobile":         true,
		"github.com/depin-network/depin/agent/compute":                true,
		"github.com/depin-network/depin/agent/relay":                  true,
		"github.com/depin-network/depin/internal/kind/compute":        true,
		"github.com/depin-network/depin/internal/kind/compute/render": true,
	}
	forbidden := []string{"github.com/uber/h3-go", "github.com/nats-io", "github.com/cometbft", "github.com/cockroachdb"}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/depin-network/depin/") &&
			!strings.HasPrefix(p, "github.com/depin-network/depin/proto/") && !allowed[p] {
			t.Errorf("agent depends on %s", p)
		}
		for _, f := range forbidden {
			if strings.HasPrefix(p, f) {
				t.Errorf("agent depends on %s", p)
			}
		}
	}
}
