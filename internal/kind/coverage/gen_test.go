package coverage

import (
	"time"

	"github.com/depin-network/depin/internal/ledger"
)

// genFleet builds a deterministic epoch: n devices on a jittered grid about
// 600 m apart, every device beaconing once, each heard by about perBeacon
// neighbours. A simple linear congruential sequence supplies the jitter.
func genFleet(t tb, n, perBeacon int) Input {
	return genFleetAddr(t, n, perBeacon, nil)
}

// genFleetAddr is genFleet with device addresses from addr (devAddr if
// nil).
func genFleetAddr(t tb, n, perBeacon int, addr func(int) ledger.Address) Input {
	f := newFleet(t)
	f.addr = addr
	f.in.Beacons = make([]Beacon, 0, n)
	f.in.Witnesses = make([]Witness, 0, n*perBeacon)
	side := 1
	for side*side < n {
		side++
	}
	seed := uint64(42)
	rnd := func(m int64) int64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int64(seed>>33) % m
	}
	addrs := make([]ledger.Address, n)
	for i := 0; i < n; i++ {
		row, col := int64(i/side), int64(i%side)
		addrs[i] = f.place(i+1, row*55_000+rnd(5_000), col*90_000+rnd(5_000))
	}
	offsets := []int{1, -1, side, -side, side + 1, side - 1, -side + 1, -side - 1, 2, -2, 2 * side, -2 * side, 2*side + 1, 2*side - 1}
	for i := 0; i < n; i++ {
		b := f.beacon(addrs[i], i, time.Duration(rnd(170_000))*time.Millisecond)
		k := 0
		for _, o := range offsets {
			j := i + o
			if j < 0 || j >= n || k == perBeacon {
				continue
			}
			w := f.witness(addrs[j], b, time.Duration(50+rnd(900))*time.Millisecond)
			w.SignalDdBm = int32(-1300 + rnd(400))
			k++
		}
	}
	return f.in
}
