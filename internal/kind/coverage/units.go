package coverage

import "math/big"

// RoundDecimals is the precision Helium rounds reward units and hex scales to
// (SCALING_PRECISION = 4 in helium/oracles file_store, used by
// iot_verifier/src/runner.rs and hex_density.rs); results are then exact
// multiples of 1e-4 at Scale.
const RoundDecimals = 4

// roundRat rounds a non-negative rational to RoundDecimals decimals, half to
// even (rust_decimal's round_dp), and returns it at Scale.
func roundRat(r *big.Rat) uint64 {
	const unit = Scale / 10_000 // 1e-4 at Scale
	n := new(big.Int).Mul(r.Num(), big.NewInt(10_000))
	d := r.Denom()
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	twice := new(big.Int).Lsh(m, 1)
	switch twice.Cmp(d) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Uint64() * unit
}

// unitTable holds HIP-15 reward units (at Scale) for 0..MaxWitnessesPerBeacon
// selected witnesses.
type unitTable struct {
	beaconer []uint64
	witness  []uint64
}

// newUnitTable computes HIP-15 units exactly and rounds them once, as
// iot_verifier/src/runner.rs poc_beaconer_reward_unit and
// poc_per_witness_reward_unit:
//
//	beaconer: w = 0 → 0; w ≤ N → w/N; else min(cap, 2 − r^(w−N))
//	witness:  w ≤ N → 1;             else min(cap, (N − (1 − r^(w−N))) / w)
func newUnitTable(p Params) unitTable {
	n := int64(p.WitnessRedundancy)
	maxW := int(p.MaxWitnessesPerBeacon)
	t := unitTable{beaconer: make([]uint64, maxW+1), witness: make([]uint64, maxW+1)}
	capR := new(big.Rat).SetFrac64(int64(p.BeaconerUnitCap), Scale)
	rate := new(big.Rat).SetFrac64(int64(p.DecayRateBps), 10_000)
	one := big.NewRat(1, 1)
	minRat := func(a, b *big.Rat) *big.Rat {
		if a.Cmp(b) <= 0 {
			return a
		}
		return b
	}
	for w := 1; w <= maxW; w++ {
		if int64(w) <= n {
			t.beaconer[w] = roundRat(big.NewRat(int64(w), n))
			t.witness[w] = Scale
			continue
		}
		pow := big.NewRat(1, 1)
		for i := int64(0); i < int64(w)-n; i++ {
			pow.Mul(pow, rate)
		}
		b := new(big.Rat).Sub(big.NewRat(2, 1), pow)
		t.beaconer[w] = roundRat(minRat(capR, b))
		wu := new(big.Rat).Sub(big.NewRat(n, 1), new(big.Rat).Sub(one, pow))
		wu.Quo(wu, big.NewRat(int64(w), 1))
		t.witness[w] = roundRat(minRat(capR, wu))
	}
	return t
}
