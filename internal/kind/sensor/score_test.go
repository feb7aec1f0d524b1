package sensor

import (
	"testing"
)

// TestAdversariesCaught scores two epochs of a fleet with one of each
// adversary: honest devices earn, each adversary earns nothing and carries
// its reason.
func TestAdversariesCaught(t *testing.T) {
	const stations, vehicles = 40, 6
	bad := map[int]behaviour{3: heater, 5: replayer, 7: copier, 9: stuckT, 11: wild, stations + 1: spoofer, stations + 3: twin}
	f := newFleet(t, stations, vehicles, 288, bad)
	out1 := f.score(1, nil)
	out2 := f.score(2, out1.State)
	want := map[int]string{3: "neighbour_disagreement", 5: "replayed_stream", 7: "copied_stream", 9: "stuck", 11: "out_of_range", stations + 1: "gnss_jump", stations + 3: "duplicate_vehicle"}
	reasons, units := deviceReasons(out2), unitsOf(out2)
	has := map[[2]any]bool{}
	for _, r := range out2.Reasons {
		has[[2]any{r.Device, r.Reason}] = true
	}
	// Of the twin pair, the device with the lower id is senior.
	if a, b := f.devs[stations+3].addr, f.devs[stations+4].addr; compareAddr(a, b) < 0 {
		want[stations+3], want[stations+4] = "valid", "duplicate_vehicle"
	}
	for i, d := range f.devs {
		got := reasons[d.addr]
		if w, ok := want[i]; ok && w != "valid" {
			if !has[[2]any{d.addr, w}] {
				t.Errorf("device %d (%v): got reason %s, want %s", i, d.b, got, w)
			}
			if units[d.addr] != 0 {
				t.Errorf("device %d (%v): earned %d units", i, d.b, units[d.addr])
			}
			continue
		}
		if got != "valid" || units[d.addr] == 0 {
			t.Errorf("honest device %d: reason %s, units %d", i, got, units[d.addr])
		}
	}
	// The spoofer's teleported fixes are each refused.
	n := 0
	for _, r := range out2.Reasons {
		if r.Device == f.devs[stations+1].addr && r.Reason == "gnss_jump" {
			n++
		}
	}
	if n == 0 {
		t.Error("no gnss_jump reading for the spoofer")
	}
	// In the first epoch the replayer is honest: nothing to replay yet.
	if r := deviceReasons(out1)[f.devs[5].addr]; r != "valid" {
		t.Errorf("replayer in epoch 1: got %s, want valid", r)
	}
}

// TestClusterAndCapacity: stations in one building share one reward; a
// cell holds at most max_per_cell rewarded stations.
func TestClusterAndCapacity(t *testing.T) {
	f := newFleet(t, 30, 0, 96, nil)
	f.cluster(0, 1, 2, 3)
	out := f.score(1, nil)
	u := unitsOf(out)
	if u[f.devs[0].addr] == 0 || u[f.devs[0].addr] != u[f.devs[1].addr] {
		t.Fatalf("cluster members earn %d and %d, want equal and non-zero", u[f.devs[0].addr], u[f.devs[1].addr])
	}
	if single := u[f.devs[10].addr]; u[f.devs[0].addr]*4 > single*11/10 || u[f.devs[0].addr]*4 < single*9/10 {
		t.Errorf("4 clustered stations earn %d each, a lone one %d: want a quarter", u[f.devs[0].addr], single)
	}
	f.p.MaxPerCell = 1
	out = f.score(1, nil)
	capped := 0
	for _, r := range out.Reasons {
		if r.Reason == "cell_capacity" {
			capped++
		}
	}
	if capped == 0 {
		t.Fatal("max_per_cell 1: no station capped")
	}
	for _, s := range out.Stats {
		if v, _ := kindParams(s.Values).Get("cell_rank"); v > 1 {
			if u, _ := kindParams(s.Values).Get("units"); u != 0 {
				t.Errorf("station ranked %d earned %d", v, u)
			}
		}
	}
}
