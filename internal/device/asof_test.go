package device

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// asOf is what DevicesAt says of one device at a height.
type asOf struct {
	present bool
	cell    uint64
	owner   ledger.Address
	denied  bool
}

func deviceAsOf(st ledger.Store, kind string, id ledger.Address, h int64) asOf {
	var got asOf
	DevicesAt(st, kind, h, func(d *devicev1.Device, denied bool) bool {
		if eqBytes(d.Id, id[:]) {
			got.present, got.denied = true, denied
			got.owner, _ = ledger.AddressFromBytes(d.Owner)
			if d.Location != nil {
				got.cell = d.Location.Cell
			}
		}
		return true
	})
	return got
}

// TestDevicesAt: the registry read as of every height of a device's life
// (location, transfer, denial, move, decommission) gives the device as it
// was at the end of that height, whatever happened after.
func TestDevicesAt(t *testing.T) {
	f := newRegistryFix(t)
	buyer := testAddr("buyer")
	f.fund(buyer, 10*AssertFee.Default)
	onboarded := f.device(f.cov).OnboardedHeight
	h := func() int64 { return f.height - 1 } // the height the last run executed at
	f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, cellLisbon12, 10, 2))
	located := h()
	typ, raw := TransferMsg(f.cov, buyer)
	f.mustRun(f.owner, typ, raw)
	sold := h()
	typ, raw = SetDeniedMsg(f.cov, true, "ring")
	f.mustRun(f.authority, typ, raw)
	denied := h()
	f.mustRun(buyer, TypeAssertLocation, assertRaw(f.cov, cellPorto12, 0, 0))
	moved := h()
	typ, raw = DecommissionMsg(f.cov)
	f.mustRun(buyer, typ, raw)
	retired := h()

	steps := []struct {
		at   int64
		want asOf
	}{
		{onboarded - 1, asOf{}},
		{onboarded, asOf{present: true, owner: f.owner}},
		{located, asOf{present: true, cell: cellLisbon12, owner: f.owner}},
		{sold, asOf{present: true, cell: cellLisbon12, owner: buyer}},
		{denied, asOf{present: true, cell: cellLisbon12, owner: buyer, denied: true}},
		{moved, asOf{present: true, cell: cellPorto12, owner: buyer, denied: true}},
		{retired, asOf{}},
		{retired + 100, asOf{}},
	}
	for _, s := range steps {
		if got := deviceAsOf(f.st, kCov, f.cov, s.at); got != s.want {
			t.Errorf("height %d: got %+v, want %+v", s.at, got, s.want)
		}
	}
	// The other device, never changed, is there at every height from its
	// onboarding; a kind's listing holds no other kind's devices.
	for _, at := range []int64{onboarded + 1, retired + 100} {
		if got := deviceAsOf(f.st, kSensor, f.sen, at); !got.present || got.owner != f.owner {
			t.Errorf("sensor device at %d: got %+v, want present", at, got)
		}
		if got := deviceAsOf(f.st, kCov, f.sen, at); got.present {
			t.Errorf("coverage listing at %d holds the sensor device", at)
		}
	}
	if d, _, ok := DeviceAt(f.st, f.cov, sold); !ok || !eqBytes(d.Owner, buyer[:]) {
		t.Errorf("DeviceAt(sold): got %v, %v; want the buyer's", d, ok)
	}
	if err := Invariants(f.st); err != nil {
		t.Fatal(err)
	}
}

// TestDevicesAtSameHeight: two changes at one height keep the state the
// previous height left.
func TestDevicesAtSameHeight(t *testing.T) {
	f := newRegistryFix(t)
	buyer := testAddr("buyer")
	f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, cellLisbon12, 10, 2))
	before := f.height - 1
	typ, raw := TransferMsg(f.cov, buyer)
	f.mustRun(f.owner, typ, raw)
	f.fund(buyer, AssertFee.Default)
	f.height-- // the next change runs in the same block
	f.mustRun(buyer, TypeAssertLocation, assertRaw(f.cov, cellPorto12, 0, 0))
	if got := deviceAsOf(f.st, kCov, f.cov, before); got.owner != f.owner || got.cell != cellLisbon12 {
		t.Errorf("before the block: got %+v, want the owner's at Lisbon", got)
	}
	if got := deviceAsOf(f.st, kCov, f.cov, before+1); got.owner != buyer || got.cell != cellPorto12 {
		t.Errorf("after the block: got %+v, want the buyer's at Porto", got)
	}
}

// TestPruneVersions: pruning up to a height forgets the versions saved at
// or before it (and only those), keeping reads as of later heights right.
func TestPruneVersions(t *testing.T) {
	f := newRegistryFix(t)
	buyer := testAddr("buyer")
	f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, cellLisbon12, 10, 2))
	located := f.height - 1
	typ, raw := TransferMsg(f.cov, buyer)
	f.mustRun(f.owner, typ, raw)
	sold := f.height - 1
	if n := PruneVersions(f.st, located); n != 1 {
		t.Errorf("pruned %d versions up to the assertion, want 1", n)
	}
	if err := Invariants(f.st); err != nil {
		t.Fatal(err)
	}
	if got := deviceAsOf(f.st, kCov, f.cov, located); got.owner != f.owner || got.cell != cellLisbon12 {
		t.Errorf("as of the assertion after pruning before it: got %+v, want the owner's at Lisbon", got)
	}
	if n := PruneVersions(f.st, sold); n != 1 {
		t.Errorf("pruned %d versions up to the sale, want 1", n)
	}
	if n := PruneVersions(f.st, sold+10); n != 0 {
		t.Errorf("pruned %d versions again, want 0", n)
	}
	if got := deviceAsOf(f.st, kCov, f.cov, sold); got.owner != buyer {
		t.Errorf("as of the sale: got %+v, want the buyer's", got)
	}
	if err := Invariants(f.st); err != nil {
		t.Fatal(err)
	}
}
