package bench

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
)

// Synthetic coverage fleets: devices on a jittered grid about 600 m apart
// near Berlin (EU868), asserted at H3 resolution 12 with 1.2 dBi antennas,
// each beaconing once per epoch on the chain entropy and heard by up to
// witnesses of its grid neighbours 600 m to 1.3 km away with a signal of
// -130 to -90 dBm, below the free-space bound at those distances
// (helium/oracles iot_verifier/src/witness_updater.rs and poc.rs checks; the
// same shape as internal/kind/coverage's test fleets). Activity from the last
// epoch passes HIP-106 and HIP-17 interactivity.

const (
	fleetT0    = int64(1_760_000_000) * int64(time.Second) // entropy block time
	fleetEpoch = int64(24 * time.Hour)
	fleetBase  = 525_200_000 // latitude of the grid origin, 1e-7 degrees
	fleetBaseL = 134_050_000 // longitude
)

func fleetAddr(tag string, n int) ledger.Address {
	b := binary.BigEndian.AppendUint64([]byte(tag), uint64(n))
	return ledger.AddressOf(b)
}

func reportID(tag string, dev ledger.Address, n int) [32]byte {
	h := sha256.New()
	h.Write([]byte(tag))
	h.Write(dev[:])
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(n)))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// lcg is a linear congruential sequence: deterministic jitter.
type lcg uint64

func (s *lcg) next(m int64) int64 {
	*s = *s*6364136223846793005 + 1442695040888963407
	return int64(uint64(*s)>>33) % m
}

// gridCell places device i of a side×side grid, jittered by rnd.
func gridCell(i, side int, rnd *lcg) (uint64, error) {
	row, col := int64(i/side), int64(i%side)
	return geo.CellFromLatLng(fleetBase+row*55_000+rnd.next(5_000), fleetBaseL+col*90_000+rnd.next(5_000), 12)
}

// NewFleet builds one epoch's scoring input for n devices with up to
// perBeacon witnesses per beacon, the witnesses in columns
// (Input.WitnessColumns), as the oracle gives them.
func NewFleet(n, perBeacon int) (coverage.Input, error) {
	return newFleet(n, perBeacon, func(i int) ledger.Address { return fleetAddr("depin/bench/hotspot", i) })
}

// newFleet is NewFleet with the address of device i given by addr.
func newFleet(n, perBeacon int, addr func(i int) ledger.Address) (coverage.Input, error) {
	ent := coverage.Entropy{Height: 100, Hash: sha256.Sum256([]byte("depin/bench/entropy")), Time: fleetT0}
	in := coverage.Input{
		Epoch: 7, Start: fleetT0 - fleetEpoch/2, End: fleetT0 + fleetEpoch/2,
		Params:   coverage.DefaultParams(),
		Entropy:  []coverage.Entropy{ent},
		Hotspots: make([]coverage.Hotspot, n),
		Activity: make([]coverage.Activity, n),
		Beacons:  make([]coverage.Beacon, n),
	}
	wb := coverage.NewWitnessBuilder(n * perBeacon)
	side := 1
	for side*side < n {
		side++
	}
	rnd := lcg(42)
	for i := range n {
		cell, err := gridCell(i, side, &rnd)
		if err != nil {
			return in, fmt.Errorf("bench: fleet: device %d: %w", i, err)
		}
		a := addr(i)
		in.Hotspots[i] = coverage.Hotspot{Device: a, Owner: fleetAddr("depin/bench/owner", i%1000), Cell: cell,
			GainDdBi: 12, ElevationM: 5, Region: coverage.RegionEU868}
		in.Activity[i] = coverage.Activity{Device: a, LastWitness: fleetT0 - int64(time.Hour), LastBeaconRecip: fleetT0 - int64(7*time.Hour)}
	}
	offsets := []int{1, -1, side, -side, side + 1, side - 1, -side + 1, -side - 1, 2, -2, 2 * side, -2 * side, 2*side + 1, 2*side - 1}
	for i := range n {
		dev := in.Hotspots[i].Device
		local := binary.BigEndian.AppendUint32(nil, uint32(i))
		payload, err := coverage.BeaconPayload(ent.Hash, local, dev)
		if err != nil {
			return in, fmt.Errorf("bench: fleet: beacon %d: %w", i, err)
		}
		freq, err := coverage.BeaconFrequency(coverage.RegionEU868, payload)
		if err != nil {
			return in, fmt.Errorf("bench: fleet: beacon %d: %w", i, err)
		}
		at := fleetT0 + rnd.next(170_000)*int64(time.Millisecond)
		in.Beacons[i] = coverage.Beacon{ID: reportID("beacon", dev, i), Device: dev, Received: at, Timestamp: at,
			EntropyHeight: ent.Height, EntropyHash: ent.Hash, LocalEntropy: local, Payload: payload,
			FrequencyHz: freq, TxPowerDBm: 16, Region: coverage.RegionEU868}
		k := 0
		for _, o := range offsets {
			j := i + o
			if j < 0 || j >= n || k == perBeacon {
				continue
			}
			w := in.Hotspots[j].Device
			rx := at + (50+rnd.next(900))*int64(time.Millisecond)
			wb.Add(&coverage.Witness{ID: reportID("witness", w, i), Device: w, Beaconer: dev,
				Received: rx, Timestamp: rx, Payload: payload, FrequencyHz: freq,
				SignalDdBm: int32(-1300 + rnd.next(400)), SNRcB: 55})
			k++
		}
	}
	in.WitnessColumns = wb.Done()
	return in, nil
}
