package energy

import (
	"cmp"
	"math/bits"
	"slices"
)

// PeerRead is a complete valid read of a renewable device, for the peer
// check.
type PeerRead struct {
	Zone     uint64
	Interval uint64
	Produced uint64 // Wh in the interval
	RatedW   uint64
}

// capacity is a read's capacity factor: its production as a share of what
// its rated power gives over an interval, in per mille (saturating).
func capacity(r PeerRead, seconds uint64) uint64 {
	hi, lo := bits.Mul64(r.RatedW, seconds)
	if hi != 0 || lo == 0 {
		return ^uint64(0)
	}
	return mulDivSat(r.Produced, 3_600_000, lo)
}

// Peers flags the reads whose capacity factor (production as a share of
// rated power × interval, in per mille) is above the line of their zone
// and interval: median × energy.peer_tolerance_bps / 10000 +
// energy.peer_slack_permille, the median being the lower median of the
// group. A group smaller than energy.min_peers flags nothing. The result
// is one flag per read, in the order given; the order of reads does not
// change any flag.
func Peers(p Params, reads []PeerRead) []bool {
	flags := make([]bool, len(reads))
	idx := make([]int, len(reads))
	for i := range idx {
		idx[i] = i
	}
	ratio := make([]uint64, len(reads))
	for i, r := range reads {
		ratio[i] = capacity(r, p.IntervalSeconds)
	}
	slices.SortFunc(idx, func(a, b int) int {
		ra, rb := reads[a], reads[b]
		if c := cmp.Compare(ra.Zone, rb.Zone); c != 0 {
			return c
		}
		if c := cmp.Compare(ra.Interval, rb.Interval); c != 0 {
			return c
		}
		return cmp.Compare(ratio[a], ratio[b])
	})
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && reads[idx[hi]].Zone == reads[idx[lo]].Zone && reads[idx[hi]].Interval == reads[idx[lo]].Interval {
			hi++
		}
		if n := uint64(hi - lo); n >= p.MinPeers {
			median := ratio[idx[lo+(hi-lo-1)/2]]
			line := satAdd(mulDivSat(median, p.PeerToleranceBps, 10_000), p.PeerSlack)
			for _, i := range idx[lo:hi] {
				flags[i] = ratio[i] > line
			}
		}
		lo = hi
	}
	return flags
}

// mulDivSat returns a×b/c rounded down, saturating on overflow.
func mulDivSat(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if c == 0 || hi >= c {
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}
