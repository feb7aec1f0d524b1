package sim

import (
	"math"

	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/geo"
)

// Heights of the Okumura–Hata model: a hotspot on a roof (base station)
// heard by another one lower down (mobile).
const (
	hataBaseM   = 30.0
	hataMobileM = 1.5
)

// HataLossDB is the Okumura–Hata median path loss in a small or
// medium-sized city (M. Hata, "Empirical formula for propagation loss in
// land mobile radio services", IEEE Trans. Veh. Technol. 29(3), 1980):
//
//	L = 69.55 + 26.16·log f − 13.82·log hb − a(hm) + (44.9 − 6.55·log hb)·log d
//	a(hm) = (1.1·log f − 0.7)·hm − (1.56·log f − 0.8)
//
// with f in MHz, antenna heights in metres and d in km (the model's range
// is 1 to 20 km; shorter links are clamped to 100 m).
func HataLossDB(distanceM float64, freqHz uint64) float64 {
	f := float64(freqHz) / 1e6
	d := math.Max(distanceM, 100) / 1000
	lf := math.Log10(f)
	a := (1.1*lf-0.7)*hataMobileM - (1.56*lf - 0.8)
	return 69.55 + 26.16*lf - 13.82*math.Log10(hataBaseM) - a + (44.9-6.55*math.Log10(hataBaseM))*math.Log10(d)
}

// clutter returns the medium's link loss beyond free space: how much more
// an urban Hata link loses than free space (never negative), in tenths of
// dB. At 868 MHz that is about 35 dB at 1 km and 42 dB at 3 km, which
// gives a hotspot a range of 2 to 3 km. The simulated signal never exceeds
// free space, so honest witnesses always pass the scorer's RSSI check.
func clutter(freqHz uint64) func(from, to acov.SimPlacement) int32 {
	return func(from, to acov.SimPlacement) int32 {
		d := acov.DistanceM(from.LatE7, from.LonE7, to.LatE7, to.LonE7)
		excess := HataLossDB(d, freqHz) - acov.FreeSpacePathLossDB(d, freqHz)
		return int32(math.Ceil(math.Max(excess, 0) * 10))
	}
}

// FreeSpaceBoundDdBm is the strongest signal physics allows between two
// asserted cells, in tenths of dBm, as the scorer computes it: transmit
// power plus both gains (in whole dBi) minus the free-space path loss over
// the distance between the cells' centres (helium/oracles iot_verifier
// src/poc.rs verify_witness_rssi, reference/helium.md §1.4).
func FreeSpaceBoundDdBm(txPowerDdBm, gainA, gainB int32, cellA, cellB uint64, freqHz uint64) (int32, error) {
	a, err := geo.Center(cellA)
	if err != nil {
		return 0, err
	}
	b, err := geo.Center(cellB)
	if err != nil {
		return 0, err
	}
	d := acov.DistanceM(a.LatE7, a.LngE7, b.LatE7, b.LngE7)
	budget := float64(txPowerDdBm) + float64(gainA/10*10) + float64(gainB/10*10)
	return int32(math.Floor(budget - 10*acov.FreeSpacePathLossDB(d, freqHz))), nil
}
