package reward

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
)

// sortedPayouts checks the shares, adds each pool's units into units, and
// returns one Payout per share (amounts not yet filled), sorted by device then
// pool name. The input slice is not modified.
func sortedPayouts(shares []Share, pools []Pool, poolIndex map[string]int, units []uint64) ([]Payout, error) {
	// rank orders the pools by name, so keys compare as integers only.
	rank := poolRanks(poolIndex)
	keys := make([]shareKey, len(shares))
	for i := range shares {
		s := &shares[i]
		if s.Device.IsZero() {
			return nil, ledger.Errorf(ledger.CodeInvalidAddress, "share %d: the device address is zero", i)
		}
		p, ok := poolIndex[s.Pool]
		if !ok {
			return nil, ledger.Errorf(ledger.CodeMalformed, "share %d (%s): no pool named %q", i, s.Device, s.Pool)
		}
		if !pools[p].PaysDevices() {
			return nil, ledger.Errorf(ledger.CodeMalformed,
				"share %d (%s): pool %q is not a device pool", i, s.Device, s.Pool)
		}
		sum, ok := ledger.Add(units[p], s.Units)
		if !ok {
			return nil, ledger.Errorf(ledger.CodeOverflow, "share %d (%s): the units of pool %q overflow", i, s.Device, s.Pool)
		}
		units[p] = sum
		keys[i] = shareKey{
			hi:    binary.BigEndian.Uint64(s.Device[0:8]),
			mid:   binary.BigEndian.Uint64(s.Device[8:16]),
			lo:    binary.BigEndian.Uint32(s.Device[16:20]),
			rank:  rank[p],
			index: i,
		}
	}
	// Sort integer keys rather than whole shares; pdqsort is linear on
	// sorted input.
	slices.SortFunc(keys, compareKeys)
	payouts := make([]Payout, len(shares))
	for k, key := range keys {
		s := &shares[key.index]
		if k > 0 && compareKeys(keys[k-1], key) == 0 {
			return nil, ledger.Errorf(ledger.CodeMalformed,
				"shares: device %s has more than one share in pool %q", s.Device, s.Pool)
		}
		payouts[k] = Payout{Device: s.Device, Pool: s.Pool, Units: s.Units}
	}
	return payouts, nil
}

// shareKey is a share's sort key: its device address as big-endian
// integers, then the rank of its pool's name; index points back at it.
type shareKey struct {
	hi, mid uint64
	lo      uint32
	rank    uint32
	index   int
}

// compareKeys orders keys by device, then pool name; index does not count.
func compareKeys(a, b shareKey) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	if c := cmp.Compare(a.mid, b.mid); c != 0 {
		return c
	}
	if c := cmp.Compare(a.lo, b.lo); c != 0 {
		return c
	}
	return cmp.Compare(a.rank, b.rank)
}

// poolRanks gives each pool index the rank of its name in sorted order.
func poolRanks(poolIndex map[string]int) []uint32 {
	names := make([]string, 0, len(poolIndex))
	for name := range poolIndex {
		names = append(names, name)
	}
	slices.Sort(names)
	rank := make([]uint32, len(poolIndex))
	for r, name := range names {
		rank[poolIndex[name]] = uint32(r)
	}
	return rank
}

// sortedOracles checks the oracle shares and returns them sorted by address
// with amounts not yet filled. Their weights must sum without overflow.
func sortedOracles(shares []OracleShare) ([]OraclePayout, error) {
	out := make([]OraclePayout, len(shares))
	var sum uint64
	for i, s := range shares {
		if s.Oracle.IsZero() {
			return nil, ledger.Errorf(ledger.CodeInvalidAddress, "oracle share %d: the oracle address is zero", i)
		}
		var ok bool
		if sum, ok = ledger.Add(sum, s.Weight); !ok {
			return nil, ledger.Errorf(ledger.CodeOverflow, "oracle share %d (%s): the oracle weights overflow", i, s.Oracle)
		}
		out[i] = OraclePayout{Oracle: s.Oracle, Weight: s.Weight}
	}
	slices.SortFunc(out, func(a, b OraclePayout) int { return bytes.Compare(a.Oracle[:], b.Oracle[:]) })
	for i := 1; i < len(out); i++ {
		if out[i-1].Oracle == out[i].Oracle {
			return nil, ledger.Errorf(ledger.CodeMalformed, "oracle shares: oracle %s is listed twice", out[i].Oracle)
		}
	}
	return out, nil
}

// mergeTotals adds this epoch's per-device totals to the prior cumulative
// totals. Both lists are sorted by device; so is the result. Devices with a
// zero total (no prior entry and nothing earned) get no entry.
func mergeTotals(prior []Entry, devices []DeviceTotal) ([]Entry, error) {
	out := make([]Entry, 0, max(len(prior), len(devices)))
	i, j := 0, 0
	for i < len(prior) || j < len(devices) {
		var c int
		switch {
		case i == len(prior):
			c = 1
		case j == len(devices):
			c = -1
		default:
			c = bytes.Compare(prior[i].Device[:], devices[j].Device[:])
		}
		switch {
		case c < 0:
			out = append(out, prior[i])
			i++
		case c > 0:
			if devices[j].Amount > 0 {
				out = append(out, Entry{Device: devices[j].Device, Cumulative: devices[j].Amount})
			}
			j++
		default:
			total, ok := ledger.Add(prior[i].Cumulative, devices[j].Amount)
			if !ok {
				return nil, ledger.Errorf(ledger.CodeOverflow,
					"device %s: cumulative total %d + %d overflows", devices[j].Device, prior[i].Cumulative, devices[j].Amount)
			}
			out = append(out, Entry{Device: devices[j].Device, Cumulative: total})
			i++
			j++
		}
	}
	return out, nil
}
