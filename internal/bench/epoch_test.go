package bench

import (
	"testing"
)

// TestEpochSmoke runs the epoch benchmark at 100 and 1,000 devices and
// checks that the fleet scores (most witnesses valid, every device paid)
// and that a second run gives the same manifest root.
func TestEpochSmoke(t *testing.T) {
	rep, runs, err := RunEpoch(EpochConfig{Sizes: []int{100, 1000}, Witnesses: 10, Repeat: 2})
	if err != nil {
		t.Fatalf("RunEpoch: %v", err)
	}
	want := 2
	if cpuMeasured {
		want = 4
	}
	if got := len(rep.Rows); got != want {
		t.Fatalf("got %d rows, want %d", got, want)
	}
	// The wall row of 1,000 devices must carry the 100-device baseline. (Its
	// thread CPU row may not: 100 devices can score within one accounting
	// tick of the kernel and read 0.)
	if wall := rep.Rows[want/2]; wall.Baseline == 0 {
		t.Errorf("got no baseline for the 1,000-device row %q", wall.Name)
	}
	for _, r := range runs {
		if got, want := r.Beacons, r.Devices; got != want {
			t.Errorf("%d devices: got %d beacons, want %d", r.Devices, got, want)
		}
		if r.ValidWitnesses*10 < uint64(r.Witnesses)*9 {
			t.Errorf("%d devices: got %d of %d witnesses valid, want at least 90%%", r.Devices, r.ValidWitnesses, r.Witnesses)
		}
		if r.Paid != r.Devices {
			t.Errorf("%d devices: got %d paid, want all", r.Devices, r.Paid)
		}
	}
	again, err := runEpochOnce(1000, 10)
	if err != nil {
		t.Fatal(err)
	}
	if again.Root != runs[1].Root {
		t.Errorf("got root %s on the second run, want %s", again.Root, runs[1].Root)
	}
}
