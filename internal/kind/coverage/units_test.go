package coverage

import "testing"

// TestUnitsHIP15 checks the table of helium/oracles iot_verifier/src/runner.rs
// reward_unit_calculations (HIP-15 example values at 4 decimals).
func TestUnitsHIP15(t *testing.T) {
	wantWitness := []uint64{10000, 10000, 10000, 10000, 7600, 6067, 5017, 4262, 3697, 3262, 2918, 2640, 2411, 2220, 2057}
	wantBeacon := []uint64{2500, 5000, 7500, 10000, 12000, 13600, 14880, 15904, 16723, 17379, 17903, 18322, 18658, 18926, 19141}
	p := DefaultParams()
	p.MaxWitnessesPerBeacon = 15
	tab := newUnitTable(p)
	if tab.beaconer[0] != 0 || tab.witness[0] != 0 {
		t.Errorf("w=0: got beaconer %d witness %d, want 0 and 0", tab.beaconer[0], tab.witness[0])
	}
	for i := range wantWitness {
		w := i + 1
		if got, want := tab.witness[w], wantWitness[i]*(Scale/10_000); got != want {
			t.Errorf("witness units for w=%d: got %d, want %d", w, got, want)
		}
		if got, want := tab.beaconer[w], wantBeacon[i]*(Scale/10_000); got != want {
			t.Errorf("beaconer units for w=%d: got %d, want %d", w, got, want)
		}
	}
}

// TestUnitsHIP15Displayed checks the two rows HIP-15 prints: 5 witnesses →
// 0.76 each and 1.20 for the beaconer; 14 → 0.22 and 1.89.
func TestUnitsHIP15Displayed(t *testing.T) {
	tab := newUnitTable(DefaultParams())
	tests := []struct {
		w                 int
		witness, beaconer uint64 // at 1e-2
	}{
		{5, 76, 120},
		{14, 22, 189},
	}
	for _, tt := range tests {
		if got := (tab.witness[tt.w] + Scale/200) / (Scale / 100); got != tt.witness {
			t.Errorf("w=%d witness: got %d/100, want %d/100", tt.w, got, tt.witness)
		}
		if got := (tab.beaconer[tt.w] + Scale/200) / (Scale / 100); got != tt.beaconer {
			t.Errorf("w=%d beaconer: got %d/100, want %d/100", tt.w, got, tt.beaconer)
		}
		total := tab.beaconer[tt.w] + uint64(tt.w)*tab.witness[tt.w]
		if total < 47*Scale/10 || total > 5*Scale+Scale/10 {
			t.Errorf("w=%d total units %d, want near N+1 = 5", tt.w, total)
		}
	}
}

func TestUnitsCap(t *testing.T) {
	p := DefaultParams()
	p.BeaconerUnitCap = Scale + Scale/2
	tab := newUnitTable(p)
	if got := tab.beaconer[14]; got != Scale+Scale/2 {
		t.Errorf("capped beaconer units for w=14: got %d, want %d", got, Scale+Scale/2)
	}
	if got := tab.beaconer[5]; got != 12*Scale/10 {
		t.Errorf("uncapped beaconer units for w=5: got %d, want %d", got, 12*Scale/10)
	}
}
