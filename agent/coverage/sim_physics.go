package coverage

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// Physical constants of the simulated medium. Floating point is fine here:
// this is a simulation of the world, not consensus code; what it produces is
// checked and scored by the integer code of ingest and coverage.
const (
	// speedOfLight in m/s, the value the Helium verifier uses in its FSPL
	// (oracles iot_verifier/src/poc.rs, c = 2.998e8).
	speedOfLight = 2.998e8
	// earthRadiusM is the IUGG mean Earth radius.
	earthRadiusM = 6_371_008.8
	// minDistanceM keeps path loss finite for co-located radios.
	minDistanceM = 1.0
)

// DistanceM is the great-circle (haversine) distance in metres between two
// positions given in 1e-7 degrees.
func DistanceM(lat1E7, lon1E7, lat2E7, lon2E7 int64) float64 {
	rad := func(e7 int64) float64 { return float64(e7) * 1e-7 * math.Pi / 180 }
	φ1, φ2 := rad(lat1E7), rad(lat2E7)
	dφ, dλ := φ2-φ1, rad(lon2E7)-rad(lon1E7)
	a := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// FreeSpacePathLossDB is 20·log10(4π·d·f/c), the free-space path loss in dB
// at distance d metres and frequency f Hz (Friis; the formula of the Helium
// verifier's RSSI check, reference/helium.md §1.4).
func FreeSpacePathLossDB(distanceM float64, freqHz uint64) float64 {
	d := math.Max(distanceM, minDistanceM)
	return 20 * math.Log10(4*math.Pi*d*float64(freqHz)/speedOfLight)
}

// Link computes the signal of frame f sent from placement from as received
// at placement to, in tenths of dBm, and whether it is at or above the
// sensitivity:
//
//	rssi = tx power + tx gain + rx gain - FSPL(d, f) - obstruction - fading
//
// obstruction is both ends' ObstructionDdB plus the medium's Obstruction
// function; fading is seeded by the medium's seed, both ends and the
// payload, uniform in [0, FadingDdB]. The result is rounded down.
func (m *SimMedium) Link(from, to SimPlacement, f Frame) (int32, bool) {
	d := DistanceM(from.LatE7, from.LonE7, to.LatE7, to.LonE7)
	loss := int64(from.ObstructionDdB) + int64(to.ObstructionDdB) + m.fading(from.ID, to.ID, f.Payload)
	if m.Obstruction != nil {
		loss += int64(m.Obstruction(from, to))
	}
	ddbm := float64(f.TxPowerDdBm) + float64(from.GainDdBi) + float64(to.GainDdBi) -
		10*FreeSpacePathLossDB(d, f.FrequencyHz) - float64(loss)
	ddbm = math.Floor(ddbm)
	if ddbm < math.MinInt32 {
		ddbm = math.MinInt32
	}
	rssi := int32(ddbm)
	return rssi, rssi >= m.cfg.SensitivityDdBm
}

// fading is the seeded fading loss of one delivery in tenths of dB.
func (m *SimMedium) fading(from, to string, payload []byte) int64 {
	if m.cfg.FadingDdB <= 0 {
		return 0
	}
	h := sha256.New()
	var seed [8]byte
	binary.BigEndian.PutUint64(seed[:], m.cfg.Seed)
	h.Write([]byte("depin/agent/sim/fading/v1"))
	h.Write(seed[:])
	for _, s := range []string{from, to} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	h.Write(payload)
	sum := h.Sum(nil)
	return int64(binary.BigEndian.Uint64(sum) % (uint64(m.cfg.FadingDdB) + 1))
}
