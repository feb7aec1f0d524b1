package sensor

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/internal/kind"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func render(b *bytes.Buffer, epoch uint64, out kind.Output) {
	fmt.Fprintf(b, "epoch %d scorer_version %d state %d bytes\n", epoch, out.ScorerVersion, len(out.State))
	for _, c := range out.Counts {
		fmt.Fprintf(b, "count %s %s %d\n", c.Role, c.Reason, c.Count)
	}
	for _, s := range out.Shares {
		fmt.Fprintf(b, "share %s %s %d\n", s.Device, s.Pool, s.Units)
	}
	for _, s := range out.Stats {
		fmt.Fprintf(b, "stats %s", s.Device)
		for _, v := range s.Values {
			fmt.Fprintf(b, " %s=%d", v.Name, v.Value)
		}
		b.WriteByte('\n')
	}
	for _, r := range out.Reasons {
		if r.Reason != "valid" {
			fmt.Fprintf(b, "reason %s %x %s %s %q\n", r.Role, r.ID[:4], r.Device, r.Reason, r.Detail)
		}
	}
}

// TestGoldenEpoch pins two epochs of a small fleet with one of each
// adversary. Regenerate with -update and review the diff.
func TestGoldenEpoch(t *testing.T) {
	bad := map[int]behaviour{2: heater, 4: replayer, 6: copier, 8: stuckT, 10: wild, 13: spoofer, 15: twin}
	f := newFleet(t, 12, 5, 48, bad)
	f.cluster(0, 1)
	var b bytes.Buffer
	var state []byte
	for epoch := uint64(1); epoch <= 2; epoch++ {
		out := f.score(epoch, state)
		render(&b, epoch, out)
		state = out.State
	}
	path := filepath.Join("testdata", "golden_epoch.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		gl, wl := bytes.Split(b.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("golden mismatch at line %d:\ngot  %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("golden mismatch: got %d lines, want %d", len(gl), len(wl))
	}
}
