package bench

import (
	"fmt"
	"runtime/debug"
	"testing"

	"github.com/depin-network/depin/internal/score"
)

// TestEpochSmoke runs the epoch benchmark at 100 and 1,000 devices and
// checks that the fleet scores (most witnesses valid, every device paid)
// and that a second run gives the same manifest root.
func TestEpochSmoke(t *testing.T) {
	rep, runs, err := RunEpoch(EpochConfig{Sizes: []int{100, 1000}, Witnesses: 10, Repeat: 2})
	if err != nil {
		t.Fatalf("RunEpoch: %v", err)
	}
	// Per size: wall, thread CPU (where measured), peak heap, peak RSS
	// (where /proc allows).
	byName := map[string]Row{}
	for _, r := range rep.Rows {
		byName[r.Name] = r
	}
	for _, run := range runs {
		name := fmt.Sprintf("%d devices, %d reports", run.Devices, run.Beacons+run.Witnesses)
		for _, suffix := range []string{", wall", ", peak heap"} {
			if r, ok := byName[name+suffix]; !ok || r.Figure <= 0 {
				t.Errorf("row %q missing or zero: %+v", name+suffix, r)
			}
		}
		if _, ok := byName[name+", thread CPU"]; ok != cpuMeasured {
			t.Errorf("thread CPU row of %d devices present: %v, want %v", run.Devices, ok, cpuMeasured)
		}
		if run.PeakHeap < run.InputHeap/2 {
			t.Errorf("%d devices: peak heap %d below the input's %d", run.Devices, run.PeakHeap, run.InputHeap)
		}
	}
	// The wall row of 1,000 devices must carry the 100-device baseline. (Its
	// thread CPU row may not: 100 devices can score within one accounting
	// tick of the kernel and read 0.)
	if wall := byName[fmt.Sprintf("1000 devices, %d reports, wall", runs[1].Beacons+runs[1].Witnesses)]; wall.Baseline == 0 {
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
	before := debug.SetMemoryLimit(-1)
	again, err := runEpochOnce(1000, 10, score.DefaultMemoryLimitCap)
	if err != nil {
		t.Fatal(err)
	}
	if again.MemoryLimit != score.MinMemoryLimit {
		t.Errorf("scored under a memory limit of %d, want the floor %d for 11,000 reports", again.MemoryLimit, score.MinMemoryLimit)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit %d after the run, want %d restored", after, before)
	}
	if again.Root != runs[1].Root {
		t.Errorf("got root %s on the second run, want %s", again.Root, runs[1].Root)
	}
}

// TestOracleEpoch runs the oracle's path over a small signed epoch twice:
// every report decodes and verifies, the fleet is paid, and the root is the
// same both times.
func TestOracleEpoch(t *testing.T) {
	rep, runs, err := RunOracleEpochs(EpochConfig{Sizes: []int{100, 300}, Witnesses: 10, MemoryLimitCap: score.DefaultMemoryLimitCap})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) < 6 || len(runs) != 2 {
		t.Fatalf("got %d rows, %d runs", len(rep.Rows), len(runs))
	}
	r := runs[1]
	if r.Reports < 300*9 || r.SegmentBytes == 0 || r.ExplainBytes == 0 || r.PeakHeap == 0 {
		t.Errorf("300 devices: %d reports, %d segment bytes, %d explanation bytes, peak heap %d", r.Reports, r.SegmentBytes, r.ExplainBytes, r.PeakHeap)
	}
	again, err := RunOracleEpoch(300, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if again.Root != r.Root {
		t.Errorf("root %s on the second run, want %s", again.Root, r.Root)
	}
}
