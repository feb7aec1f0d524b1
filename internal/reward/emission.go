package reward

// BpsTotal is the number of basis points in a whole: pool weights sum to it.
const BpsTotal = 10_000

// maxHalvings is the number of halvings after which emission is zero: a
// uint64 shifted right by 64 bits has no bits left.
const maxHalvings = 64

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
