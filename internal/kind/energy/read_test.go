package energy

import (
	"slices"
	"testing"

	energyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

func TestCheck(t *testing.T) {
	p := DefaultParams()
	a := solar() // 5000 W: 1250 Wh per 900 s interval; charge 4000 W: 1000 Wh
	prev := &Baseline{Interval: 10, Imported: 1000, Exported: 2000, Produced: 5000, Soc: 5000}
	read := func(i, imp, exp, prod, soc uint64) *energyv1.Read {
		return &energyv1.Read{Interval: i, ImportedWh: imp, ExportedWh: exp, ProducedWh: prod, SocWh: soc}
	}
	for _, tc := range []struct {
		name  string
		prev  *Baseline
		r     *energyv1.Read
		now   int64
		want  string
		delta Delta
	}{
		{"first read", nil, read(10, 1, 2, 3, 4), at(10), ReasonBaseline, Delta{}},
		{"valid", prev, read(11, 1100, 2600, 5800, 5200), at(11), ReasonValid, Delta{100, 600, 800}},
		{"valid at the rated limit", prev, read(11, 2250, 3250, 6250, 5000), at(11), ReasonValid, Delta{1250, 1250, 1250}},
		{"early", prev, read(11, 1100, 2600, 5800, 5200), at(11) - 1, ReasonEarly, Delta{}},
		{"duplicate", prev, read(10, 1000, 2000, 5000, 5000), at(11), ReasonDuplicate, Delta{}},
		{"stale", prev, read(9, 1000, 2000, 5000, 5000), at(11), ReasonStale, Delta{}},
		{"import backwards", prev, read(11, 999, 2000, 5000, 5000), at(11), ReasonCounterBackwards, Delta{}},
		{"export backwards", prev, read(11, 1000, 1999, 5000, 5000), at(11), ReasonCounterBackwards, Delta{}},
		{"production backwards", prev, read(11, 1000, 2000, 4999, 5000), at(11), ReasonCounterBackwards, Delta{}},
		{"soc above capacity", prev, read(11, 1000, 2000, 5000, 10_001), at(11), ReasonSocAboveCapacity, Delta{}},
		{"import above rated", prev, read(11, 2251, 2000, 5000, 5000), at(11), ReasonImportAboveRated, Delta{}},
		{"export above rated", prev, read(11, 1000, 3251, 7000, 5000), at(11), ReasonExportAboveRated, Delta{}},
		{"production above rated", prev, read(11, 1000, 2000, 6251, 5000), at(11), ReasonProductionRated, Delta{}},
		{"battery too fast", prev, read(11, 1000, 2000, 6200, 6001), at(11), ReasonBatteryRate, Delta{}},
		{"export beyond sources", prev, read(11, 1100, 2901, 5500, 4700), at(11), ReasonExportSources, Delta{}},
		{"export from discharge", prev, read(11, 1000, 2900, 5000, 4100), at(11), ReasonValid, Delta{0, 900, 0}},
		{"gap", prev, read(13, 1000, 4500, 7500, 5000), at(13), ReasonGap, Delta{}},
		{"gap above rated for its span", prev, read(13, 1000, 2000, 8751, 5000), at(13), ReasonProductionRated, Delta{}},
		{"interval overflows", prev, read(^uint64(0), 1000, 2000, 5000, 5000), at(11), ReasonEarly, Delta{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, d := Check(p, a, tc.prev, tc.r, tc.now)
			if got != tc.want || d != tc.delta {
				t.Errorf("got %s %+v, want %s %+v", got, d, tc.want, tc.delta)
			}
			if !Accepted(got) && !slices.Contains(CheckRejections(), got) {
				t.Errorf("Check refused with %q, which CheckRejections does not list", got)
			}
		})
	}
}

func TestFlex(t *testing.T) {
	p := DefaultParams()
	a := solar() // 10 kWh battery, 1000 Wh per interval either way
	for _, tc := range []struct{ soc, want uint64 }{{0, 1000}, {500, 1500}, {5000, 2000}, {9800, 1200}, {10_000, 1000}, {10_001, 0}} {
		if got := Flex(p, a, tc.soc); got != tc.want {
			t.Errorf("Flex(soc %d): got %d, want %d", tc.soc, got, tc.want)
		}
	}
	if got := Flex(p, &energyv1.Attributes{RatedPowerW: 5000}, 0); got != 0 {
		t.Errorf("Flex without battery: got %d, want 0", got)
	}
}

func TestZoneMatchesH3Parent(t *testing.T) {
	for _, cell := range []uint64{testCell, mustCell(-338_688_000, 1_512_093_000, 12), mustCell(0, 0, 7)} {
		for res := uint64(0); res <= 15; res++ {
			z, ok := Zone(cell, res)
			if int(res) > cellRes(cell) {
				if ok {
					t.Errorf("Zone(%x, %d): got ok for a finer resolution", cell, res)
				}
				continue
			}
			want := mustParent(cell, int(res))
			if !ok || z != want {
				t.Errorf("Zone(%x, %d): got %x %v, want %x", cell, res, z, ok, want)
			}
		}
	}
	if _, ok := Zone(0x1234, 0); ok {
		t.Error("Zone of a non-cell: got ok")
	}
}
