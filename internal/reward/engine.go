// Package reward turns an epoch's emission and the scorers' shares into
// payouts and a manifest of cumulative per-device totals with a Merkle root.
//
// The engine (Compute) is a pure function: integers only, no floats, no
// clock, no randomness, no goroutines, no map iteration into its outputs.
// The same Input gives the same Output, byte for byte, on every machine, so
// anyone can replay an epoch and compare manifest roots. Within a pool,
// payouts are pro-rata to shares, rounded down with 128-bit intermediates;
// every rounding remainder, every pool nobody earned and the treasury pool go
// to the treasury. Each pool pays its Recipient: device pools the devices
// of its kind, the oracles pool the oracles; the usage and validators pools
// are forwarded whole to the module that pays them on chain (Output.Forwarded).
// The payouts plus the forwarded pools plus the treasury always equal the
// epoch's emission exactly (DESIGN §3.3).
//
// Manifests encode to canonical bytes (EncodeManifest, DecodeManifest) and
// commit to their entries with an RFC 9162-shaped Merkle tree; a device
// proves its cumulative total with Manifest.Proof and VerifyProof.
//
// Bad input is rejected with a *ledger.Error carrying a stable code
// (CodeParamOutOfBounds, CodeMalformed, CodeInvalidAddress, CodeOverflow)
// and a message naming the offending item; nothing is partially computed.
package reward

import (
	"github.com/depin-network/depin/internal/ledger"
)

// Share is a device's weight in one device pool (RecipientDevices) for the epoch, as produced
// by a network kind's scorer: fixed point at any scale, the same scale for
// every share of a pool (only ratios matter).
type Share struct {
	Device ledger.Address
	Pool   string
	Units  uint64
}

// OracleShare is an oracle's weight in the oracles pool.
type OracleShare struct {
	Oracle ledger.Address
	Weight uint64
}

// Input is everything an epoch's reward computation depends on.
type Input struct {
	Epoch         uint64
	ScorerVersion uint32
	// Emission is the epoch's emission in base units (see EpochEmission).
	Emission uint64
	// Pools splits Emission; see ValidatePools and Recipient.
	Pools []Pool
	// Shares holds at most one share per (device, device pool), in any order;
	// the sum of a pool's units must fit in a uint64.
	Shares []Share
	// Oracles split the oracles pool by weight; each oracle at most once.
	Oracles []OracleShare
	// Prior are the entries of the previous epoch's manifest (sorted by
	// device); nil for the first epoch.
	Prior []Entry
}

// PoolTotal explains what happened to one pool.
type PoolTotal struct {
	Name      string
	Bps       uint32
	Recipient Recipient
	Kind      string
	// Amount is the pool's slice of the emission, rounded down.
	Amount uint64
	// Units is the sum of the shares (or oracle weights) in the pool.
	Units uint64
	// Paid went to the pool's recipient (devices, oracles, or the module a
	// forwarded pool is handed to); Remainder = Amount − Paid went to the
	// treasury.
	Paid      uint64
	Remainder uint64
}

// Payout is a device's reward from one pool, with the share it came from.
type Payout struct {
	Device ledger.Address
	Pool   string
	Units  uint64
	Amount uint64
}

// DeviceTotal is a device's reward for the epoch over all pools.
type DeviceTotal struct {
	Device ledger.Address
	Amount uint64
}

// OraclePayout is an oracle's reward from the oracles pool.
type OraclePayout struct {
	Oracle ledger.Address
	Weight uint64
	Amount uint64
}

// Output is the result of an epoch. Sum(Devices) + Sum(Oracles) + Forwarded
// + Treasury == Emission exactly.
type Output struct {
	Epoch         uint64
	ScorerVersion uint32
	Emission      uint64
	// Pools follow the order of Input.Pools.
	Pools []PoolTotal
	// SplitRemainder is what rounding left over when the emission was split
	// into pools; it went to the treasury.
	SplitRemainder uint64
	// Payouts are sorted by device, then pool name; one per input share.
	Payouts []Payout
	// Devices are sorted by device; one per device with a share.
	Devices []DeviceTotal
	// Oracles are sorted by oracle address.
	Oracles []OraclePayout
	// Forwarded is the usage and validators pools' slices, handed whole to
	// the module that pays them when the epoch settles on chain (to the
	// treasury while no module pays them; see Payers).
	Forwarded uint64
	// Treasury is the treasury pool, every pool remainder and SplitRemainder.
	Treasury uint64
	// Manifest holds the cumulative totals after this epoch: Prior plus this
	// epoch's payouts, including devices carried over with no new payout;
	// a device whose total is still zero gets no entry.
	Manifest Manifest
	// Root is Manifest.Root().
	Root Hash
}

// Compute runs the reward engine for one epoch. See the package doc for the
// rules; errors are *ledger.Error values.
func Compute(in Input) (Output, error) {
	if err := ValidatePools(in.Pools); err != nil {
		return Output{}, err
	}
	if err := validateEntries(in.Prior, "prior totals"); err != nil {
		return Output{}, err
	}
	poolIndex := make(map[string]int, len(in.Pools))
	for i, p := range in.Pools {
		poolIndex[p.Name] = i
	}
	units := make([]uint64, len(in.Pools))
	payouts, err := sortedPayouts(in.Shares, in.Pools, poolIndex, units)
	if err != nil {
		return Output{}, err
	}
	oracles, err := sortedOracles(in.Oracles)
	if err != nil {
		return Output{}, err
	}
	oraclePool := poolOf(in.Pools, RecipientOracles)
	if oraclePool >= 0 {
		for _, o := range oracles {
			// sortedOracles checked that the weights sum without overflow.
			units[oraclePool] += o.Weight
		}
	}

	amounts, splitRest := splitEmission(in.Emission, in.Pools)
	out := Output{
		Epoch:          in.Epoch,
		ScorerVersion:  in.ScorerVersion,
		Emission:       in.Emission,
		Pools:          make([]PoolTotal, len(in.Pools)),
		SplitRemainder: splitRest,
		Payouts:        payouts,
		Oracles:        oracles,
		Treasury:       splitRest,
	}
	for i, p := range in.Pools {
		out.Pools[i] = PoolTotal{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient, Kind: p.Kind, Amount: amounts[i], Units: units[i]}
	}
	out.Devices = payDevices(out.Payouts, poolIndex, out.Pools)
	if oraclePool >= 0 {
		payOracles(out.Oracles, &out.Pools[oraclePool])
	}
	for i := range out.Pools {
		pt := &out.Pools[i]
		if in.Pools[i].Recipient.Forwarded() {
			pt.Paid = pt.Amount
			out.Forwarded += pt.Amount // the slices sum to at most the emission
		}
		// Paid <= Amount: each payout is floor(Amount*u/Units) and the u sum to Units.
		pt.Remainder = pt.Amount - pt.Paid
		out.Treasury += pt.Remainder
	}

	entries, err := mergeTotals(in.Prior, out.Devices)
	if err != nil {
		return Output{}, err
	}
	out.Manifest = Manifest{Epoch: in.Epoch, ScorerVersion: in.ScorerVersion, Entries: entries}
	out.Root = out.Manifest.Root()
	return out, nil
}

// pro-rata share of amount: floor(amount*u/total), 0 when total is 0.
func proRata(amount, u, total uint64) uint64 {
	if total == 0 {
		return 0
	}
	// u <= total, so the quotient is at most amount and always fits.
	q, _ := ledger.MulDiv(amount, u, total)
	return q
}

// payDevices fills each payout's amount, adds it to its pool's Paid, and
// returns the per-device totals. payouts are sorted by device.
func payDevices(payouts []Payout, poolIndex map[string]int, pools []PoolTotal) []DeviceTotal {
	devices := make([]DeviceTotal, 0, len(payouts))
	for i := range payouts {
		po := &payouts[i]
		pt := &pools[poolIndex[po.Pool]]
		po.Amount = proRata(pt.Amount, po.Units, pt.Units)
		pt.Paid += po.Amount
		if n := len(devices); n > 0 && devices[n-1].Device == po.Device {
			// A device's payouts come from different pools and sum to at
			// most the emission, so this cannot overflow.
			devices[n-1].Amount += po.Amount
		} else {
			devices = append(devices, DeviceTotal{Device: po.Device, Amount: po.Amount})
		}
	}
	return devices
}

// payOracles splits the oracles pool by weight.
func payOracles(oracles []OraclePayout, pt *PoolTotal) {
	for i := range oracles {
		oracles[i].Amount = proRata(pt.Amount, oracles[i].Weight, pt.Units)
		pt.Paid += oracles[i].Amount
	}
}
