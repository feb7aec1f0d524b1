package reward

import (
	"github.com/depin-network/depin/internal/ledger"
)

// BpsTotal is the number of basis points in a whole: pool weights sum to it.
const BpsTotal = 10_000

// maxHalvings is the number of halvings after which emission is zero: a
// uint64 shifted right by 64 bits has no bits left.
const maxHalvings = 64

// Names of the pools the engine treats specially. Every other pool in the
// list is a device pool, split pro-rata to the devices' shares in it.
const (
	// PoolTreasury is paid wholly to the treasury.
	PoolTreasury = "treasury"
	// PoolOracles is split pro-rata to the oracles' weights.
	PoolOracles = "oracles"
)

// maxPoolNameLen bounds a pool name; names appear in events and manifests.
const maxPoolNameLen = 32

// Schedule is the emission schedule from params: Initial base units are
// minted per epoch, halving every HalvingEpochs epochs (helium/HIP HIP-20:
// halvings every two years replaced a flat emission). HalvingEpochs == 0
// means the emission never halves.
type Schedule struct {
	// Initial is the emission of epochs 0 .. HalvingEpochs-1, in base units.
	Initial uint64
	// HalvingEpochs is the number of epochs between two halvings.
	HalvingEpochs uint64
}

// EpochEmission returns the emission of epoch (counted from 0): Initial
// shifted right once per completed halving interval, rounded down, and 0 once
// 64 halvings have passed. It never overflows and never goes below zero.
func EpochEmission(s Schedule, epoch uint64) uint64 {
	if s.HalvingEpochs == 0 {
		return s.Initial
	}
	halvings := epoch / s.HalvingEpochs
	if halvings >= maxHalvings {
		return 0
	}
	return s.Initial >> halvings
}

// Pool is one slice of an epoch's emission: a name and its weight in basis
// points. Pools are a list in params, not fields, so governance can add a
// pool (a new network kind, a usage pool) without a code change.
type Pool struct {
	// Name identifies the pool: lower-case letters, digits and '_', at most
	// 32 bytes, unique in the list.
	Name string
	// Bps is the pool's weight in basis points of the emission.
	Bps uint32
}

// ValidatePools checks a pool list: at least one pool, valid and unique
// names, weights summing to exactly BpsTotal. It returns a *ledger.Error with
// CodeParamOutOfBounds when the list is unusable.
func ValidatePools(pools []Pool) error {
	if len(pools) == 0 {
		return ledger.Errorf(ledger.CodeParamOutOfBounds, "reward pools: the list is empty")
	}
	seen := make(map[string]struct{}, len(pools))
	var sum uint64
	for i, p := range pools {
		if !validPoolName(p.Name) {
			return ledger.Errorf(ledger.CodeParamOutOfBounds,
				"reward pools: pool %d name %q must be 1-%d bytes of a-z, 0-9 or '_'", i, p.Name, maxPoolNameLen)
		}
		if _, dup := seen[p.Name]; dup {
			return ledger.Errorf(ledger.CodeParamOutOfBounds, "reward pools: pool %q is listed twice", p.Name)
		}
		seen[p.Name] = struct{}{}
		if p.Bps > BpsTotal {
			return ledger.Errorf(ledger.CodeParamOutOfBounds,
				"reward pools: pool %q has %d bps, more than %d", p.Name, p.Bps, BpsTotal)
		}
		sum += uint64(p.Bps)
	}
	if sum != BpsTotal {
		return ledger.Errorf(ledger.CodeParamOutOfBounds,
			"reward pools: weights sum to %d bps, want %d", sum, BpsTotal)
	}
	return nil
}

func validPoolName(name string) bool {
	if len(name) == 0 || len(name) > maxPoolNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// splitEmission divides emission among pools by basis points, each share
// rounded down. It returns the pool amounts (in list order) and the rounding
// remainder, which belongs to the treasury. pools must be valid.
func splitEmission(emission uint64, pools []Pool) ([]uint64, uint64) {
	amounts := make([]uint64, len(pools))
	rest := emission
	for i, p := range pools {
		// bps <= BpsTotal, so the quotient is at most emission and fits.
		a, _ := ledger.MulDiv(emission, uint64(p.Bps), BpsTotal)
		amounts[i] = a
		rest -= a
	}
	return amounts, rest
}
