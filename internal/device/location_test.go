package device

import (
	"testing"

	"bytes"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
)

// registryFix has a coverage device "cov" and a sensor device "sen", both
// owned by owner, onboarded with maker acme.
type registryFix struct {
	*onboardFix
	cov, sen ledger.Address
}

func newRegistryFix(t *testing.T) *registryFix {
	f := newOnboardFix(t)
	r := &registryFix{onboardFix: f}
	r.cov = f.onboard(f.makerPriv, "cov", "C-1", kCov, f.owner)
	r.sen = f.onboard(f.makerPriv, "sen", "S-1", kSensor, f.owner)
	return r
}

func TestAssertLocation(t *testing.T) {
	f := newRegistryFix(t)
	fee := AssertFee.Default
	bal := bank.Balance(f.st, f.owner)
	steps := []struct {
		name      string
		cell      uint64
		gain, elv int32
		burned    uint64
	}{
		{"first assertion burns", cellLisbon12, 45, 10, fee},
		{"gain correction is free", cellLisbon12, 60, 10, 0},
		{"elevation correction is free", cellLisbon12, 60, 12, 0},
		{"move burns", cellPorto12, 60, 12, fee},
		{"res 11 move burns", cellLisbon11, 0, 0, fee},
		{"res 8 move burns", cellLisbon8, 150, 1000, fee},
	}
	for i, s := range steps {
		f.height = int64(100 + i)
		typ, raw := AssertLocationMsg(f.cov, s.cell, covAttrs(s.gain, s.elv))
		f.mustRun(f.owner, typ, raw)
		nb := bank.Balance(f.st, f.owner)
		if got := bal - nb; got != s.burned {
			t.Errorf("%s: got %d burned, want %d", s.name, got, s.burned)
		}
		bal = nb
		d := f.device(f.cov)
		if d.Location.Cell != s.cell || !bytes.Equal(d.Location.Attributes, covAttrs(s.gain, s.elv)) || d.Location.Height != int64(100+i) {
			t.Errorf("%s: got location %v, want cell %x gain %d elevation %d height %d", s.name, d.Location, s.cell, s.gain, s.elv, 100+i)
		}
		if d.Assertions != uint32(i+1) {
			t.Errorf("%s: got %d assertions, want %d", s.name, d.Assertions, i+1)
		}
		for j, o := range steps[:i+1] {
			if present := hasIndex(f.st, cellKey(o.cell, f.cov)); present != (o.cell == s.cell) {
				t.Errorf("%s: cell index of step %d (%x) present = %v, want %v", s.name, j, o.cell, present, o.cell == s.cell)
			}
		}
	}
	locs, next := Locations(f.st, f.cov, Page{})
	if len(locs) != len(steps) || next != nil {
		t.Fatalf("got %d locations (next %x), want %d and no next page", len(locs), next, len(steps))
	}
	for i, l := range locs {
		if l.Cell != steps[i].cell || gainOf(l) != steps[i].gain {
			t.Errorf("history %d: got cell %x gain %d, want %x %d", i, l.Cell, gainOf(l), steps[i].cell, steps[i].gain)
		}
	}
	// The sensor device asserts with no antenna.
	typ, raw := AssertLocationMsg(f.sen, cellLisbon12, nil)
	f.mustRun(f.owner, typ, raw)
	got, _ := ListDevices(f.st, Filter{Cell: ptr(cellLisbon12)}, Page{})
	if len(got) != 1 || !eqBytes(got[0].Id, f.sen[:]) {
		t.Errorf("devices in lisbon: got %v, want only the sensor", ids(got))
	}
}

func ptr[T any](v T) *T { return &v }

func TestAssertLocationRejects(t *testing.T) {
	stranger := testAddr("stranger")
	tests := []struct {
		name   string
		signer *ledger.Address
		setup  func(f *registryFix)
		raw    func(f *registryFix) []byte
		code   ledger.Code
	}{
		{"garbage", nil, nil, func(*registryFix) []byte { return []byte{0x08} }, ledger.CodeMalformed},
		{"short device id", nil, nil, func(f *registryFix) []byte {
			_, r := AssertLocationMsg(f.cov, cellLisbon12, covAttrs(0, 0))
			return append(r[:1], append([]byte{19}, r[2:21]...)...)
		}, ledger.CodeInvalidAddress},
		{"unknown device", nil, nil, func(f *registryFix) []byte { return assertRaw(stranger, cellLisbon12, 0, 0) }, ledger.CodeUnknownDevice},
		{"not the owner", &stranger, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 0, 0) }, ledger.CodeUnauthorized},
		{"not a cell", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, 0x1234, 0, 0) }, ledger.CodeInvalidCell},
		{"corrupted cell", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12|7<<9, 0, 0) }, ledger.CodeInvalidCell},
		{"resolution too coarse", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon7, 0, 0) }, ledger.CodeInvalidCell},
		{"resolution too fine", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon13, 0, 0) }, ledger.CodeInvalidCell},
		{"resolution above a lowered max", nil, func(f *registryFix) { f.setParam(MaxResolution, 11) },
			func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 0, 0) }, ledger.CodeInvalidCell},
		{"gain too high", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 151, 0) }, CodeInvalidLocation},
		{"negative gain", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, -1, 0) }, CodeInvalidLocation},
		{"gain below a raised min", nil, func(f *registryFix) { f.setParam(coverage.MinGain, 10) },
			func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 9, 0) }, CodeInvalidLocation},
		{"elevation too high", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 0, 1001) }, CodeInvalidLocation},
		{"negative elevation", nil, nil, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 0, -5) }, CodeInvalidLocation},
		{"sensor with gain", nil, nil, func(f *registryFix) []byte { return assertRaw(f.sen, cellLisbon12, 1, 0) }, CodeInvalidLocation},
		{"sensor with elevation", nil, nil, func(f *registryFix) []byte { return assertRaw(f.sen, cellLisbon12, 0, 3) }, CodeInvalidLocation},
		{"unchanged", nil, func(f *registryFix) {
			typ, r := AssertLocationMsg(f.cov, cellLisbon12, covAttrs(20, 5))
			f.mustRun(f.owner, typ, r)
		}, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 20, 5) }, CodeLocationUnchanged},
		{"decommissioned", nil, func(f *registryFix) {
			typ, r := DecommissionMsg(f.cov)
			f.mustRun(f.owner, typ, r)
		}, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 0, 0) }, ledger.CodeDeviceDecommissioned},
		{"insufficient funds", nil, func(f *registryFix) {
			typ, r := bankSend(f.owner, bank.Balance(f.st, f.owner)-AssertFee.Default+1)
			f.mustRun(f.owner, typ, r)
		}, func(f *registryFix) []byte { return assertRaw(f.cov, cellLisbon12, 0, 0) }, ledger.CodeInsufficientFunds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRegistryFix(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			signer := f.owner
			if tt.signer != nil {
				signer = *tt.signer
			}
			f.reject(signer, TypeAssertLocation, tt.raw(f), tt.code)
		})
	}
}

func assertRaw(id ledger.Address, cell uint64, gain, elevation int32) []byte {
	_, r := AssertLocationMsg(id, cell, covAttrs(gain, elevation))
	return r
}

func TestLocationHistoryPruned(t *testing.T) {
	f := newRegistryFix(t)
	f.fund(f.owner, 100*AssertFee.Default)
	cells := []uint64{cellLisbon12, cellPorto12, cellLisbon11, cellLisbon8, cellPorto12, cellLisbon12}
	for i, c := range cells[:4] {
		f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, c, int32(i), 0))
	}
	f.setParam(MaxHistory, 2)
	for i, c := range cells[4:] {
		f.mustRun(f.owner, TypeAssertLocation, assertRaw(f.cov, c, int32(4+i), 0))
	}
	locs, _ := Locations(f.st, f.cov, Page{})
	if len(locs) != 2 {
		t.Fatalf("got %d kept assertions, want 2", len(locs))
	}
	if locs[0].Cell != cellPorto12 || locs[1].Cell != cellLisbon12 || gainOf(locs[1]) != 5 {
		t.Errorf("got history %v, want the last two assertions (porto, lisbon gain 5)", locs)
	}
	if got := f.device(f.cov).Assertions; got != 6 {
		t.Errorf("got %d assertions counted, want 6", got)
	}
	// Pages of one, oldest first.
	first, next := Locations(f.st, f.cov, Page{Limit: 1})
	second, end := Locations(f.st, f.cov, Page{Key: next, Limit: 1})
	if len(first) != 1 || len(second) != 1 || gainOf(first[0]) != 4 || gainOf(second[0]) != 5 || end != nil {
		t.Errorf("got pages %v / %v (end %x), want gain 4 then gain 5 then no next", first, second, end)
	}
}
