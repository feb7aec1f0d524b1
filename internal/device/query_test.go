package device

import (
	"fmt"
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

// modelDevice is what a test expects of a device.
type modelDevice struct {
	id     ledger.Address
	owner  ledger.Address
	kind   string
	cell   uint64 // 0: none
	active bool
}

func (m modelDevice) match(f Filter) bool {
	if f.Owner != nil && *f.Owner != m.owner {
		return false
	}
	if f.Cell != nil && (m.cell != *f.Cell || !m.active) {
		return false
	}
	if f.Kind != "" && (m.kind != f.Kind || !m.active) {
		return false
	}
	return !f.Active || m.active
}

// listAll pages through ListDevices and returns the ids found, sorted.
func listAll(t tb, st ledger.Store, f Filter, limit int) []string {
	t.Helper()
	var out []string
	page := Page{Limit: limit}
	for n := 0; ; n++ {
		if n > 10_000 {
			t.Fatalf("ListDevices(%+v) does not end", f)
		}
		ds, next := ListDevices(st, f, page)
		if limit > 0 && len(ds) > limit {
			t.Fatalf("page of %d devices, limit %d", len(ds), limit)
		}
		out = append(out, ids(ds)...)
		if next == nil {
			break
		}
		page.Key = next
	}
	slices.Sort(out)
	return out
}

func modelIDs(model []modelDevice, f Filter) []string {
	var out []string
	for _, m := range model {
		if m.match(f) {
			out = append(out, fmt.Sprintf("%x", m.id[:]))
		}
	}
	slices.Sort(out)
	return out
}

func filters(owners []ledger.Address) []Filter {
	fs := []Filter{{}, {Active: true}}
	for _, c := range []uint64{cellLisbon12, cellPorto12, cellLisbon8} {
		fs = append(fs, Filter{Cell: ptr(c)}, Filter{Cell: ptr(c), Kind: kSensor})
	}
	for i := range owners {
		o := &owners[i]
		fs = append(fs, Filter{Owner: o}, Filter{Owner: o, Active: true}, Filter{Owner: o, Kind: kCov},
			Filter{Owner: o, Cell: ptr(cellLisbon12)})
	}
	for _, k := range []string{kCov, kSensor, kStore} {
		fs = append(fs, Filter{Kind: k})
	}
	return fs
}

func TestListDevicesFilters(t *testing.T) {
	f := newOnboardFix(t)
	owners := []ledger.Address{testAddr("o1"), testAddr("o2"), testAddr("o3")}
	for _, o := range owners {
		f.fund(o, ownerFunds)
	}
	cells := []uint64{0, cellLisbon12, cellPorto12}
	var model []modelDevice
	for i := 0; i < 40; i++ {
		kind := []string{kCov, kSensor}[i%2]
		o := owners[i%3]
		id := f.onboard(f.makerPriv, fmt.Sprintf("d%d", i), fmt.Sprintf("SN-%d", i), kind, o)
		m := modelDevice{id: id, owner: o, kind: kind, active: true, cell: cells[i%len(cells)]}
		if m.cell != 0 {
			f.mustRun(o, TypeAssertLocation, assertRaw(id, m.cell, 0, 0))
		}
		if i%7 == 3 {
			typ, r := DecommissionMsg(id)
			f.mustRun(o, typ, r)
			m.active = false
		}
		model = append(model, m)
	}
	for _, flt := range filters(owners) {
		want := modelIDs(model, flt)
		for _, limit := range []int{0, 1, 3, 1000, 5000} {
			if got := listAll(t, f.st, flt, limit); !slices.Equal(got, want) {
				t.Errorf("filter %+v limit %d: got %d devices, want %d", flt, limit, len(got), len(want))
			}
		}
	}
}

func TestListDevicesScanBound(t *testing.T) {
	f := newOnboardFix(t)
	o := testAddr("o1")
	f.fund(o, 50*makerFee)
	for i := 0; i < 40; i++ {
		f.onboard(f.makerPriv, fmt.Sprintf("d%d", i), fmt.Sprintf("SN-%d", i), kSensor, o)
	}
	cov := f.onboard(f.makerPriv, "the-one", "SN-X", kCov, o)
	// One match among 41 entries: a limit-1 page visits at most 16, so some
	// page must end early, empty, with a next key.
	page, early := Page{Limit: 1}, false
	for n := 0; n < 100; n++ {
		ds, next := ListDevices(f.st, Filter{Owner: &o, Kind: kCov}, page)
		if next == nil {
			break
		}
		early = early || len(ds) == 0
		page.Key = next
	}
	if !early {
		t.Errorf("no page ended early: the scan is not bounded")
	}
	if got := listAll(t, f.st, Filter{Owner: &o, Kind: kCov}, 1); len(got) != 1 || got[0] != fmt.Sprintf("%x", cov[:]) {
		t.Errorf("got %v, want only the coverage device", got)
	}
}

func TestPageKeyStaysInPrefix(t *testing.T) {
	f := newRegistryFix(t)
	// A page key cannot reach outside the listing it continues.
	for _, key := range [][]byte{{0xff, 0xff}, {0x00}, []byte("zzzz"), f.cov[:]} {
		ds, _ := ListDevices(f.st, Filter{Owner: &f.owner}, Page{Key: key})
		for _, d := range ds {
			if !eqBytes(d.Owner, f.owner[:]) {
				t.Fatalf("page key %x listed device %x of another owner", key, d.Id)
			}
		}
	}
	ms, _ := ListMakers(f.st, Page{Key: []byte{0xff}})
	if len(ms) != 0 {
		t.Errorf("page key past the end listed %d makers, want 0", len(ms))
	}
}

func TestDeviceByPubKey(t *testing.T) {
	f := newRegistryFix(t)
	pub, _ := testKey("cov")
	if d, ok := DeviceByPubKey(f.st, pub); !ok || !eqBytes(d.Id, f.cov[:]) {
		t.Errorf("got %v %v, want the coverage device", d, ok)
	}
	unknown, _ := testKey("nobody")
	if _, ok := DeviceByPubKey(f.st, unknown); ok {
		t.Errorf("found a device for an unknown key")
	}
}
