package mobile

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/depin-network/depin/internal/geo"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestGoldenEpoch pins two epochs of a small fleet with one radio of each
// behaviour. Regenerate with -update and review the diff.
func TestGoldenEpoch(t *testing.T) {
	f := newFleet(t, 8, 24, 3, map[int]behaviour{1: faker, 2: spoofer, 3: flaky, 4: slow, 5: outdoor, 6: drifty})
	var b bytes.Buffer
	var state []byte
	for epoch := uint64(1); epoch <= 2; epoch++ {
		out := f.score(epoch, state)
		fmt.Fprintf(&b, "epoch %d state %d bytes\n", epoch, len(out.State))
		for _, c := range out.Counts {
			fmt.Fprintf(&b, "count %s %s %d\n", c.Role, c.Reason, c.Count)
		}
		for _, s := range out.Shares {
			fmt.Fprintf(&b, "share %s %s %d\n", s.Device, s.Pool, s.Units)
		}
		for _, s := range out.Stats {
			fmt.Fprintf(&b, "stats %s", s.Device)
			for _, v := range s.Values {
				fmt.Fprintf(&b, " %s=%d", v.Name, v.Value)
			}
			b.WriteByte('\n')
		}
		for _, r := range out.Reasons {
			fmt.Fprintf(&b, "reason %s %x %s %s share %d %q\n", r.Role, r.ID[:4], r.Device, r.Reason, r.Share, r.Detail)
		}
		state = out.State
	}
	path := filepath.Join("testdata", "golden_epoch.txt")
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatal("golden mismatch: run with -update and review the diff")
	}
}

// FuzzScore: a hostile report and state never panic the scorer, every
// report gets one reason, refused reports earn nothing, shares add up.
func FuzzScore(f *testing.F) {
	f.Add([]byte{0x08, 0x01}, true, int64(0), []byte{})
	f.Add([]byte{}, false, int64(-1<<63), []byte{1, 1, 0})
	f.Fuzz(func(t *testing.T, body []byte, hb bool, dt int64, state []byte) {
		fl := newFleet(t, 3, 12, 2, map[int]behaviour{1: faker})
		in := fl.input(1, nil)
		if _, err := DecodeState(state); err == nil {
			in.State = state
		}
		rep := in.Reports[2]
		rep.Type, rep.Body, rep.Timestamp = TypeSpeedtest, body, rep.Timestamp+dt
		if hb {
			rep.Type = TypeHeartbeat
		}
		rep.ID[1] ^= 0x77
		if (Kind{}).CheckReport(rep.Type, rep.Body, nil) == nil {
			in.Reports = append(in.Reports, rep)
		}
		in.Geo = geo.H3{}
		out, err := Score(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Reasons) != len(in.Reports) {
			t.Fatalf("%d reasons for %d reports", len(out.Reasons), len(in.Reports))
		}
		var sum, units uint64
		for _, r := range out.Reasons {
			if r.Reason != "valid" && r.Share != 0 {
				t.Fatalf("%s paid", r.Reason)
			}
			sum += r.Share
		}
		for _, s := range out.Shares {
			units += s.Units
		}
		if sum != units {
			t.Fatalf("shares %d, units %d", sum, units)
		}
		if _, err := DecodeState(out.State); err != nil {
			t.Fatal(err)
		}
	})
}
