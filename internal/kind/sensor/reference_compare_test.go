package sensor

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/kind"
)

// TestReferenceCompare checks the fast scorer against referenceScore on
// random fleets with random adversaries, params and mangled reports, over
// two epochs (the second reads the first's state).
func TestReferenceCompare(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		stations := rapid.IntRange(1, 14).Draw(rt, "stations")
		vehicles := rapid.IntRange(0, 4).Draw(rt, "vehicles")
		readings := rapid.IntRange(4, 48).Draw(rt, "readings")
		bad := map[int]behaviour{}
		for i := range stations + vehicles {
			b := behaviour(rapid.IntRange(0, int(wild)).Draw(rt, fmt.Sprintf("b%d", i)))
			if (i < stations) == (b == spoofer || b == twin) {
				b = honest
			}
			if b == copier && stations < 2 || b == twin && vehicles < 2 {
				b = honest
			}
			bad[i] = b
		}
		f := newFleet(t, stations, vehicles, readings, bad)
		if rapid.Bool().Draw(rt, "cluster") && stations >= 3 {
			f.cluster(0, 1, 2)
		}
		f.p.MinNeighbours = uint64(rapid.IntRange(3, 6).Draw(rt, "min_neighbours"))
		f.p.NeighbourRing = uint64(rapid.IntRange(0, 2).Draw(rt, "ring"))
		f.p.MaxPerCell = uint64(rapid.IntRange(1, 20).Draw(rt, "max_per_cell"))
		f.p.MinQoD = uint64(rapid.IntRange(0, 100).Draw(rt, "min_qod"))
		f.p.SketchOverlapBps = uint64(rapid.IntRange(1, 10_000).Draw(rt, "overlap"))
		var state []byte
		for epoch := uint64(1); epoch <= 2; epoch++ {
			in := f.input(epoch, state)
			// Mangle some reports: move, retime, drop.
			for i := range in.Reports {
				switch rapid.IntRange(0, 30).Draw(rt, fmt.Sprintf("m%d.%d", epoch, i)) {
				case 0:
					in.Reports[i].Received = in.End + 1
				case 1:
					in.Reports[i].Timestamp += int64(f.p.MaxClockDriftNs) + 1
				case 2:
					in.Reports[i].Timestamp = in.Reports[(i+1)%len(in.Reports)].Timestamp
				case 3:
					in.Reports[i].Type = TypeHeartbeat
				case 4:
					in.Reports[i].Device[0] ^= 0xff
				}
			}
			if len(in.Devices) > 1 && rapid.Bool().Draw(rt, "deny") {
				in.Devices[1].Denied = true
			}
			got, err := ScoreInput(in)
			if err != nil {
				rt.Fatal(err)
			}
			want := referenceScore(in)
			compareOutputs(rt, got, want)
			state = got.State
		}
	})
}

func compareOutputs(t *rapid.T, got, want kind.Output) {
	if len(got.Shares) != len(want.Shares) {
		t.Fatalf("shares: got %d, want %d", len(got.Shares), len(want.Shares))
	}
	for i := range got.Shares {
		if got.Shares[i] != want.Shares[i] {
			t.Fatalf("share %d: got %+v, want %+v", i, got.Shares[i], want.Shares[i])
		}
	}
	if len(got.Reasons) != len(want.Reasons) {
		t.Fatalf("reasons: got %d, want %d", len(got.Reasons), len(want.Reasons))
	}
	for i := range got.Reasons {
		g, w := got.Reasons[i], want.Reasons[i]
		if g.ID != w.ID || g.Device != w.Device || g.Role != w.Role || g.Reason != w.Reason || g.Share != w.Share {
			t.Fatalf("reason %d: got %s %s %s share %d, want %s %s %s share %d", i, g.Role, g.Device, g.Reason, g.Share, w.Role, w.Device, w.Reason, w.Share)
		}
	}
	if !bytes.Equal(got.State, want.State) {
		t.Fatalf("state differs: got %d bytes, want %d", len(got.State), len(want.State))
	}
}
