package reward

import (
	"bytes"
	"slices"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
)

// sortedPayouts checks the shares, adds each pool's units into units, and
// returns one Payout per share (amounts not yet filled), sorted by device then
// pool name. The input slice is not modified.
func sortedPayouts(shares []Share, poolIndex map[string]int, units []uint64) ([]Payout, error) {
	payouts := make([]Payout, len(shares))
	for i := range shares {
		s := &shares[i]
		if s.Device.IsZero() {
			return nil, ledger.Errorf(ledger.CodeInvalidAddress, "share %d: the device address is zero", i)
		}
		p, ok := poolIndex[s.Pool]
		if !ok {
			return nil, ledger.Errorf(ledger.CodeMalformed, "share %d (%s): no pool named %q", i, s.Device, s.Pool)
		}
		if s.Pool == PoolOracles || s.Pool == PoolTreasury {
			return nil, ledger.Errorf(ledger.CodeMalformed,
				"share %d (%s): pool %q is not a device pool", i, s.Device, s.Pool)
		}
		sum, ok := ledger.Add(units[p], s.Units)
		if !ok {
			return nil, ledger.Errorf(ledger.CodeOverflow, "share %d (%s): the units of pool %q overflow", i, s.Device, s.Pool)
		}
		units[p] = sum
		payouts[i] = Payout{Device: s.Device, Pool: s.Pool, Units: s.Units}
	}
	// pdqsort: linear when the scorer already emits sorted shares.
	slices.SortFunc(payouts, comparePayouts)
	for i := 1; i < len(payouts); i++ {
		if payouts[i-1].Device == payouts[i].Device && payouts[i-1].Pool == payouts[i].Pool {
			return nil, ledger.Errorf(ledger.CodeMalformed,
				"shares: device %s has more than one share in pool %q", payouts[i].Device, payouts[i].Pool)
		}
	}
	return payouts, nil
}

func comparePayouts(a, b Payout) int {
	if c := bytes.Compare(a.Device[:], b.Device[:]); c != 0 {
		return c
	}
	return strings.Compare(a.Pool, b.Pool)
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
