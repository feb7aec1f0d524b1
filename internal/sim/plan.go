package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/geo"
)

// AssertResolution is the H3 resolution devices assert their location at
// (the registry's finest, device.max_resolution).
const AssertResolution = 12

// earthRadiusM is the IUGG mean Earth radius, as acov.DistanceM uses.
const earthRadiusM = 6_371_008.8

// Member is one planned device.
type Member struct {
	Index int
	Class Class
	Key   *agent.Key
	// Owner indexes the owner keys the fleet was given.
	Owner  int
	Serial string
	// LatE7 and LonE7 are where the device is.
	LatE7, LonE7 int64
	// Cell is the asserted H3 cell: the device's own for all but
	// spoofers.
	Cell uint64
	// GainDdBi is the antenna gain, ObstructionDdB the clutter around it.
	GainDdBi       int32
	ObstructionDdB int32
	// FirstBeacon is the first beacon's offset from the fleet's start.
	FirstBeacon time.Duration
}

// draw returns a reproducible 64-bit value for (seed, label, i).
func draw(seed uint64, label string, i int) uint64 {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	h := sha256.New()
	h.Write([]byte("depin/sim/v1/" + label + "/"))
	h.Write(b[:])
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// unit returns a reproducible value in [-1, 1).
func unit(seed uint64, label string, i int) float64 {
	return float64(draw(seed, label, i)>>11)/float64(1<<52) - 1
}

// offsetE7 moves a point north and east by metres (equirectangular, fine
// at city scale) and returns it in 1e-7 degrees.
func offsetE7(latE7, lonE7 int64, northM, eastM float64) (int64, int64) {
	lat := float64(latE7) / 1e7
	dLat := northM / earthRadiusM * 180 / math.Pi
	dLon := eastM / (earthRadiusM * math.Cos(lat*math.Pi/180)) * 180 / math.Pi
	return latE7 + int64(math.Round(dLat*1e7)), lonE7 + int64(math.Round(dLon*1e7))
}

// DeviceKey derives device i's key from the seed: public, like every dev
// key, and the same on every run so a restarted devnet finds its fleet.
func DeviceKey(seed uint64, i int) *agent.Key {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	s := sha256.Sum256(append([]byte("depin-devnet/fleet/"), b[:]...))
	k, _ := agent.KeyFromSeed(s[:]) // 32 bytes: cannot fail
	return k
}

// Plan places and classes cfg.Devices devices for owners owner keys. It is
// a pure function of cfg and owners: devices stand on a square grid of
// cfg.SpacingM around the city centre, each jittered by up to a fifth of
// the spacing; the clique takes the slots farthest from each other (out of
// radio range of one another), the other adversaries take seeded slots;
// spoofers assert a cell at least SpoofDistanceKm away, each in its own
// direction and at its own radius (see spoofPoint), so that no two
// spoofers' asserted cells are within the scorer's 100 km of each other
// either.
func Plan(cfg Config, owners int) ([]Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if owners <= 0 {
		return nil, fmt.Errorf("sim: plan: no owners")
	}
	n := cfg.Devices
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := 0
	if cols > 0 {
		rows = (n + cols - 1) / cols
	}
	s := float64(cfg.SpacingM)
	out := make([]Member, n)
	for i := range out {
		r, c := i/cols, i%cols
		north := (float64(r)-float64(rows-1)/2)*s + unit(cfg.Seed, "north", i)*s/5
		east := (float64(c)-float64(cols-1)/2)*s + unit(cfg.Seed, "east", i)*s/5
		lat, lon := offsetE7(cfg.City.LatE7, cfg.City.LonE7, north, east)
		out[i] = Member{
			Index: i, Class: Honest, Key: DeviceKey(cfg.Seed, i), Owner: i % owners,
			Serial: fmt.Sprintf("sim-%d-%05d", cfg.Seed, i), LatE7: lat, LonE7: lon,
			GainDdBi: cfg.GainDdBi,
			// Outdoor to light indoor installs: 0 to 6 dB of clutter.
			ObstructionDdB: int32(draw(cfg.Seed, "obstruction", i) % 61),
		}
	}
	assignClasses(cfg, out)
	// Spread the first beacons evenly over the span, outward from the
	// centre as a network grows from its first hotspots: every device but
	// the first then has a neighbour that beaconed before it, whose beacon
	// it witnessed, which its own beacon needs to pass the beaconer's
	// reciprocity check (HIP-106, iot_verifier/src/runner.rs). The clique
	// beacons last: colluders first earn a witness record the honest way,
	// so that it is their forged witnesses the scorer has to catch.
	order := make([]int, n)
	dist := make([]float64, n)
	for i := range order {
		order[i] = i
		dist[i] = acov.DistanceM(cfg.City.LatE7, cfg.City.LonE7, out[i].LatE7, out[i].LonE7)
	}
	slices.SortFunc(order, func(a, b int) int {
		if ca, cb := out[a].Class == Clique, out[b].Class == Clique; ca != cb {
			if ca {
				return 1
			}
			return -1
		}
		switch {
		case dist[a] < dist[b]:
			return -1
		case dist[a] > dist[b]:
			return 1
		}
		return cmpU64(draw(cfg.Seed, "beacon", a), draw(cfg.Seed, "beacon", b))
	})
	for rank, i := range order {
		out[i].FirstBeacon = time.Duration(int64(cfg.FirstBeaconSpan) * int64(rank+1) / int64(n+1))
	}
	spoofers := 0
	for i := range out {
		m := &out[i]
		lat, lon := m.LatE7, m.LonE7
		if m.Class == Spoofer {
			lat, lon = spoofPoint(cfg, m.LatE7, m.LonE7, spoofers)
			spoofers++
		}
		cell, err := geo.CellFromLatLng(lat, lon, AssertResolution)
		if err != nil {
			return nil, fmt.Errorf("sim: plan: device %d: %w", i, err)
		}
		m.Cell = cell
	}
	return out, nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// spoofPoint is where spoofer number k claims to be: SpoofDistanceKm plus
// (k mod 12) × 120 km from its real position, on a bearing of k golden
// angles. Spoofers with different radii are 120 km apart or more; those
// sharing a radius (k a multiple of 12 apart) are at bearings 59° or more
// apart, so about SpoofDistanceKm apart or more, for the first 60 spoofers.
func spoofPoint(cfg Config, latE7, lonE7 int64, k int) (int64, int64) {
	const golden = 137.50776405 // degrees
	bearing := float64(k) * golden * math.Pi / 180
	d := float64(cfg.SpoofDistanceKm*1000 + (k%12)*120_000)
	return offsetE7(latE7, lonE7, d*math.Cos(bearing), d*math.Sin(bearing))
}

// adversaryCount is how many of n devices cheat.
func adversaryCount(n int, frac float64) int {
	a := int(math.Round(float64(n) * frac))
	return min(max(a, 0), n)
}

// assignClasses marks the adversaries: classes round-robin over
// Adversaries (a lone clique member becomes a spoofer: a clique needs two),
// the clique on the slots farthest apart, the rest on seeded slots.
func assignClasses(cfg Config, ms []Member) {
	a := adversaryCount(len(ms), cfg.AdversaryFraction)
	counts := map[Class]int{}
	for k := range a {
		counts[Adversaries[k%len(Adversaries)]]++
	}
	if counts[Clique] == 1 {
		counts[Clique]--
		counts[Spoofer]++
	}
	// The clique first: greedy farthest-point picks from slot 0.
	for k := 0; k < counts[Clique]; k++ {
		best, bestD := -1, -1.0
		for i := range ms {
			if ms[i].Class != Honest {
				continue
			}
			d := math.Inf(1)
			for j := range ms {
				if ms[j].Class == Clique {
					d = min(d, acov.DistanceM(ms[i].LatE7, ms[i].LonE7, ms[j].LatE7, ms[j].LonE7))
				}
			}
			if k == 0 {
				d = float64(len(ms) - i) // slot 0 first
			}
			if d > bestD {
				best, bestD = i, d
			}
		}
		ms[best].Class = Clique
	}
	// The others on seeded free slots.
	free := make([]int, 0, len(ms))
	for i := range ms {
		if ms[i].Class == Honest {
			free = append(free, i)
		}
	}
	slices.SortFunc(free, func(x, y int) int { return cmpU64(draw(cfg.Seed, "slot", x), draw(cfg.Seed, "slot", y)) })
	next := 0
	for _, c := range []Class{Spoofer, Forger, Replayer, Eavesdropper} {
		for k := 0; k < counts[c]; k++ {
			ms[free[next]].Class = c
			next++
		}
	}
}
