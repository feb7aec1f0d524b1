package sensorsim

import (
	"testing"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind/mobile"
	"github.com/depin-network/depin/internal/kind/sensor"
)

// TestPlan: the fleet has each adversary once (the cluster three times,
// in one building), valid attributes for its kind, and is the same for the
// same seed.
func TestPlan(t *testing.T) {
	ms, err := Plan(12, 3, 4, 525_200_000, 134_050_000, 14)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Plan(12, 3, 4, 525_200_000, 134_050_000, 14)
	classes := map[Class]int{}
	var cluster []uint64
	for i, m := range ms {
		classes[m.Class]++
		if m.Name != again[i].Name || m.Cell != again[i].Cell || m.Class != again[i].Class || string(m.Attrs) != string(again[i].Attrs) {
			t.Fatalf("member %d differs between two plans of one seed", i)
		}
		k := sensor.Kind{}.CheckAttributes
		if m.Kind == mobile.Name {
			k = mobile.Kind{}.CheckAttributes
		}
		if err := k(nil, m.Attrs); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
		if m.Class == Cluster {
			p, _ := geo.Parent(m.Cell, 10)
			cluster = append(cluster, p)
		}
	}
	want := map[Class]int{Honest: 12 + 3 + 4, Heater: 1, Replayer: 1, Copier: 1, Cluster: 3, Spoofer: 1, Faker: 1}
	for c, n := range want {
		if classes[c] != n {
			t.Errorf("%s: %d devices, want %d", c, classes[c], n)
		}
	}
	if len(cluster) != 3 || cluster[0] != cluster[1] || cluster[1] != cluster[2] {
		t.Errorf("cluster cells %x, want one res-10 cell", cluster)
	}
	if d := diurnal(0.625) - diurnal(0.125); d != 1200 {
		t.Errorf("15:00 minus 03:00: %d, want 1200 (0.01 degC)", d)
	}
}
