package reward

import (
	"errors"
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/depin-network/depin/internal/ledger"
)

func TestEpochEmission(t *testing.T) {
	const initial = 1_000_000_000
	tests := []struct {
		name  string
		s     Schedule
		epoch uint64
		want  uint64
	}{
		{"genesis", Schedule{initial, 730}, 0, initial},
		{"last epoch before first halving", Schedule{initial, 730}, 729, initial},
		{"first halving", Schedule{initial, 730}, 730, initial / 2},
		{"last epoch before second halving", Schedule{initial, 730}, 1459, initial / 2},
		{"second halving", Schedule{initial, 730}, 1460, initial / 4},
		{"odd initial rounds down", Schedule{7, 1}, 1, 3},
		{"odd initial twice", Schedule{7, 1}, 2, 1},
		{"reaches zero before 64 halvings", Schedule{7, 1}, 3, 0},
		{"63 halvings of max", Schedule{math.MaxUint64, 1}, 63, 1},
		{"64 halvings is zero", Schedule{math.MaxUint64, 1}, 64, 0},
		{"far past 64 halvings", Schedule{math.MaxUint64, 1}, math.MaxUint64, 0},
		{"max epoch with huge interval", Schedule{initial, math.MaxUint64}, math.MaxUint64, initial / 2},
		{"max epoch just before huge interval", Schedule{initial, math.MaxUint64}, math.MaxUint64 - 1, initial},
		{"no halving", Schedule{initial, 0}, math.MaxUint64, initial},
		{"zero initial", Schedule{0, 10}, 5, 0},
		{"64 halvings with interval 2", Schedule{math.MaxUint64, 2}, 128, 0},
		{"63 halvings with interval 2", Schedule{math.MaxUint64, 2}, 127, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EpochEmission(tt.s, tt.epoch); got != tt.want {
				t.Errorf("EpochEmission(%+v, %d) = %d, want %d", tt.s, tt.epoch, got, tt.want)
			}
		})
	}
}

// naiveEmission halves step by step, one halving interval at a time.
func naiveEmission(s Schedule, epoch uint64) uint64 {
	e := s.Initial
	if s.HalvingEpochs == 0 {
		return e
	}
	for start := s.HalvingEpochs; start <= epoch && e > 0; start += s.HalvingEpochs {
		e /= 2
		if start > math.MaxUint64-s.HalvingEpochs {
			break
		}
	}
	return e
}

func TestEpochEmissionMatchesNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := Schedule{
			Initial:       rapid.Uint64().Draw(t, "initial"),
			HalvingEpochs: rapid.Uint64Range(0, 50).Draw(t, "halving"),
		}
		epoch := rapid.Uint64Range(0, 5000).Draw(t, "epoch")
		got, want := EpochEmission(s, epoch), naiveEmission(s, epoch)
		if got != want {
			t.Fatalf("EpochEmission(%+v, %d) = %d, want %d", s, epoch, got, want)
		}
		if next := EpochEmission(s, epoch+1); next > got {
			t.Fatalf("emission rose from %d to %d at epoch %d", got, next, epoch+1)
		}
	})
}

func TestValidatePools(t *testing.T) {
	tests := []struct {
		name  string
		pools []Pool
		ok    bool
	}{
		{"helium-like split", []Pool{pl("coverage", 6000), pl("data", 2000), pl("oracles", 700), pl("treasury", 1300)}, true},
		{"one pool", []Pool{pl("coverage", 10000)}, true},
		{"zero-weight pool", []Pool{pl("coverage", 10000), pl("usage", 0)}, true},
		{"empty list", nil, false},
		{"sum below 10000", []Pool{pl("coverage", 6000), pl("treasury", 3999)}, false},
		{"sum above 10000", []Pool{pl("coverage", 6000), pl("treasury", 4001)}, false},
		{"weight above 10000", []Pool{pl("coverage", 10001)}, false},
		{"wrapping weights", []Pool{pl("a", math.MaxUint32), pl("b", 10001)}, false},
		{"duplicate name", []Pool{pl("coverage", 5000), pl("coverage", 5000)}, false},
		{"empty name", []Pool{pl("", 10000)}, false},
		{"upper case name", []Pool{pl("Coverage", 10000)}, false},
		{"space in name", []Pool{pl("cov erage", 10000)}, false},
		{"name too long", []Pool{pl("abcdefghijklmnopqrstuvwxyz0123456", 10000)}, false},
		{"name at limit", []Pool{pl("abcdefghijklmnopqrstuvwxyz_01234", 10000)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePools(tt.pools)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidatePools(%v) = %v, want ok %v", tt.pools, err, tt.ok)
			}
			if err != nil {
				var le *ledger.Error
				if !errors.As(err, &le) || le.Code != ledger.CodeParamOutOfBounds {
					t.Errorf("got error %v, want code %v", err, ledger.CodeParamOutOfBounds)
				}
			}
		})
	}
}

func TestSplitEmission(t *testing.T) {
	tests := []struct {
		name     string
		emission uint64
		pools    []Pool
		want     []uint64
		rest     uint64
	}{
		{"exact", 10000, []Pool{pl("a", 6000), pl("b", 4000)}, []uint64{6000, 4000}, 0},
		{"thirds round down", 100, []Pool{pl("a", 3333), pl("b", 3333), pl("c", 3334)}, []uint64{33, 33, 33}, 1},
		{"tiny emission", 1, []Pool{pl("a", 5000), pl("b", 5000)}, []uint64{0, 0}, 1},
		{"max emission, no overflow", math.MaxUint64, []Pool{pl("a", 1), pl("b", 9999)},
			[]uint64{1_844_674_407_370_955, 18_444_899_399_302_180_659}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest := splitEmission(tt.emission, tt.pools)
			var sum uint64
			for i := range got {
				sum += got[i]
			}
			if sum+rest != tt.emission {
				t.Errorf("amounts %v + rest %d = %d, want emission %d", got, rest, sum+rest, tt.emission)
			}
			if rest != tt.rest {
				t.Errorf("got rest %d, want %d", rest, tt.rest)
			}
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("pool %d: got %d, want %d", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// pl builds a pool for tables: "oracles" and "treasury" pay those
// recipients, every other name is a device pool of the kind of that name.
func pl(name string, bps uint32) Pool {
	switch name {
	case "oracles":
		return Pool{Name: name, Bps: bps, Recipient: RecipientOracles}
	case "treasury":
		return Pool{Name: name, Bps: bps, Recipient: RecipientTreasury}
	}
	return Pool{Name: name, Bps: bps, Recipient: RecipientDevices, Kind: name}
}
