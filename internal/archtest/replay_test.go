package archtest

import (
	"strings"
	"testing"
)

// replayPath are the packages `depin rewards replay` runs: the adapters it
// reads an epoch through, the pure epoch pipeline and the segment checks.
var replayPath = []string{"internal/replay", "internal/score", "internal/segment"}

// replayForbidden are the dependencies a replay must not link: the report
// log, metrics, the consensus engine and databases (issue 7 item 3).
var replayForbidden = []string{
	"github.com/nats-io/", "github.com/prometheus/", "github.com/cometbft/",
	"github.com/cockroachdb/", "database/sql", "modernc.org/sqlite", "github.com/jackc/",
}

// replayViolation says why a package the replay path depends on is not
// allowed, or "" if it is.
func replayViolation(dep string) string {
	for _, f := range replayForbidden {
		if dep == strings.TrimSuffix(f, "/") || strings.HasPrefix(dep, f) {
			return "the replay path must not link " + f
		}
	}
	if strings.HasPrefix(dep, module+"/internal/") {
		rel := strings.TrimPrefix(dep, module+"/")
		for _, svc := range []string{"internal/ingest", "internal/oracle", "internal/node", "internal/abci", "internal/store", "internal/indexer", "internal/explorer"} {
			if rel == svc || strings.HasPrefix(rel, svc+"/") {
				return "the replay path must not link the service " + svc
			}
		}
	}
	return ""
}

// TestReplayDeps checks the transitive imports of the replay path.
func TestReplayDeps(t *testing.T) {
	patterns := make([]string, len(replayPath))
	for i, p := range replayPath {
		patterns[i] = "./" + p
	}
	deps := goList(t, []string{"-deps"}, patterns...)
	seen := map[string]bool{}
	for _, p := range deps {
		seen[p.rel()] = true
		if why := replayViolation(p.ImportPath); why != "" {
			t.Errorf("%s: %s", p.ImportPath, why)
		}
	}
	for _, p := range replayPath {
		if !seen[p] {
			t.Errorf("go list -deps did not list %s: the test would check nothing", p)
		}
	}
}

func TestReplayRule(t *testing.T) {
	for _, c := range []struct {
		dep  string
		want bool
	}{
		{"github.com/nats-io/nats.go", true},
		{"github.com/nats-io/nats-server/v2/server", true},
		{"github.com/prometheus/client_golang/prometheus", true},
		{"github.com/cometbft/cometbft/types", true},
		{"database/sql", true},
		{module + "/internal/ingest", true},
		{module + "/internal/oracle", true},
		{module + "/internal/kind/coverage", false},
		{module + "/internal/reward", false},
		{"google.golang.org/protobuf/proto", false},
		{"net/http", false},
	} {
		if got := replayViolation(c.dep) != ""; got != c.want {
			t.Errorf("%s: got violation %v, want %v", c.dep, got, c.want)
		}
	}
}
