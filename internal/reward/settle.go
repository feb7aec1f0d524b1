package reward

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/bits"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Settlement: every oracle in the set submits its result for an epoch
// (MsgSubmitRoot). Oracles agree when their submissions have the same
// content hash; when the current weight of the agreeing oracles reaches
// reward.quorum_bps of the set's weight, the epoch settles at once, each
// pool paying its recipient:
//
//   - device pools: what the devices earned (the device total) is minted to
//     RewardPool and owed to devices until their owners claim it;
//   - the oracles pool is minted to the agreeing oracles pro-rata to their
//     weight, rounded down;
//   - the usage and validators pools are handed whole to the Payer the
//     module owning that recipient registered (Handlers); a recipient with
//     no payer yet (no market or staking module in the chain) is paid to
//     Treasury instead, so nothing waits for a module that does not exist;
//   - everything else (the treasury pool, device pools' unearned part, every
//     rounding remainder) is minted to Treasury;
//
// so exactly the epoch's emission is minted. Oracles whose submission
// differs are recorded in the settlement as disagreeing. An oracle may
// replace its submission until the epoch settles.

// contentHash identifies what oracles must agree on:
// SHA-256("DPRS" | 3 | epoch (8) | root (32) | inputs hash (32) |
// state hash (32) | scorer version (4) | device total (8) | pool count (4) |
// count × (name length (1) | name | paid (8))), integers big-endian.
// Version 2 added the inputs hash, version 3 the state hash.
func contentHash(m *rewardv1.MsgSubmitRoot) []byte {
	b := make([]byte, 0, 128+len(m.Pools)*16)
	b = append(b, "DPRS"...)
	b = append(b, 3)
	b = binary.BigEndian.AppendUint64(b, m.Epoch)
	b = append(b, m.Root...)
	b = append(b, m.InputsHash...)
	b = append(b, m.StateHash...)
	b = binary.BigEndian.AppendUint32(b, m.ScorerVersion)
	b = binary.BigEndian.AppendUint64(b, m.DeviceTotal)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Pools)))
	for _, p := range m.Pools {
		b = append(b, byte(len(p.Name)))
		b = append(b, p.Name...)
		b = binary.BigEndian.AppendUint64(b, p.Paid)
	}
	h := sha256.Sum256(b)
	return h[:]
}

// checkTotals checks a submission's pool totals against the epoch: every
// device pool of the epoch, in order, each paid at most its slice of the
// emission, and device_total their sum.
func checkTotals(ep *rewardv1.Epoch, m *rewardv1.MsgSubmitRoot) *ledger.Error {
	pools := PoolsFromProto(ep.Pools)
	amounts, _ := splitEmission(ep.Emission, pools)
	var sum uint64
	j := 0
	for i, p := range pools {
		if !p.PaysDevices() {
			continue
		}
		if j >= len(m.Pools) {
			return ledger.Errorf(CodeTotalsMismatch, "pool %q of epoch %d is missing", p.Name, ep.Number)
		}
		got := m.Pools[j]
		j++
		if got.Name != p.Name {
			return ledger.Errorf(CodeTotalsMismatch, "pool %d is %q, epoch %d has %q there", j-1, got.Name, ep.Number, p.Name)
		}
		if got.Paid > amounts[i] {
			return ledger.Errorf(CodeTotalsMismatch, "pool %q pays %d, more than its %d of the epoch's emission", p.Name, got.Paid, amounts[i])
		}
		sum += got.Paid // each at most its slice: the sum is at most the emission
	}
	if j != len(m.Pools) {
		return ledger.Errorf(CodeTotalsMismatch, "%d pools listed, epoch %d has %d device pools", len(m.Pools), ep.Number, j)
	}
	if sum != m.DeviceTotal {
		return ledger.Errorf(CodeTotalsMismatch, "device total %d, the pools sum to %d", m.DeviceTotal, sum)
	}
	return nil
}

func (h handlers) submitRoot(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m rewardv1.MsgSubmitRoot
	if e := ledger.Unmarshal(TypeSubmitRoot, raw, &m); e != nil {
		return e
	}
	if len(m.InputsHash) != HashLen {
		return ledger.Errorf(ledger.CodeMalformed, "inputs hash is %d bytes, want %d", len(m.InputsHash), HashLen)
	}
	if len(m.Root) != HashLen {
		return ledger.Errorf(ledger.CodeMalformed, "root is %d bytes, want %d", len(m.Root), HashLen)
	}
	if len(m.StateHash) != HashLen {
		return ledger.Errorf(ledger.CodeMalformed, "state hash is %d bytes, want %d", len(m.StateHash), HashLen)
	}
	if len(m.Pools) > maxPools {
		return ledger.Errorf(ledger.CodeTooLarge, "%d pools, at most %d allowed", len(m.Pools), maxPools)
	}
	st := ctx.Store
	if OracleWeight(st, ctx.Signer) == 0 {
		return ledger.Errorf(CodeNotOracle, "signer %s is not in the oracle set", ctx.Signer)
	}
	ep, e := submitOpen(st, m.Epoch, ctx.Height)
	if e != nil {
		return e
	}
	if e := checkTotals(ep, &m); e != nil {
		return e
	}
	hash := contentHash(&m)
	if prev, ok := GetSubmission(st, m.Epoch, ctx.Signer); ok && bytes.Equal(prev.ContentHash, hash) {
		return ledger.Errorf(CodeDuplicateSubmission, "oracle %s submitted this root for epoch %d already", ctx.Signer, m.Epoch)
	}
	st.Set(submissionKey(m.Epoch, ctx.Signer), ledger.Encode(&rewardv1.Submission{
		Epoch: m.Epoch, Oracle: ctx.Signer[:], Root: m.Root, ScorerVersion: m.ScorerVersion,
		Pools: m.Pools, DeviceTotal: m.DeviceTotal, ContentHash: hash, Height: ctx.Height, InputsHash: m.InputsHash, StateHash: m.StateHash,
	}))
	if !ep.Sealed {
		ep.Sealed = true
		putEpoch(st, ep)
	}
	ctx.Emit("reward.submit", ledger.A("epoch", u64(m.Epoch)), ledger.A("oracle", ctx.Signer.String()),
		ledger.A("root", hex.EncodeToString(m.Root)), ledger.A("content", hex.EncodeToString(hash)))

	agree, total := tally(st, m.Epoch, hash)
	hi1, lo1 := bits.Mul64(agree, BpsTotal)
	hi2, lo2 := bits.Mul64(total, params.Get(st, QuorumBps))
	if hi1 < hi2 || (hi1 == hi2 && lo1 < lo2) {
		return nil
	}
	return h.settle(ctx, ep, &m, hash, agree, total)
}

// tally returns the current weight of the oracles whose submission for
// epoch has the content hash, and the weight of the whole set.
func tally(st ledger.Store, epoch uint64, hash []byte) (agree, total uint64) {
	for _, o := range Oracles(st) {
		total += o.Weight // at most max_oracles × max_oracle_weight < 2^64
		a, _ := ledger.AddressFromBytes(o.Address)
		if s, ok := GetSubmission(st, epoch, a); ok && bytes.Equal(s.ContentHash, hash) {
			agree += o.Weight
		}
	}
	return agree, total
}

// settle mints the epoch's emission and records the settlement.
func (h handlers) settle(ctx *ledger.Context, ep *rewardv1.Epoch, m *rewardv1.MsgSubmitRoot, hash []byte, agree, total uint64) *ledger.Error {
	st := ctx.Store
	pools := PoolsFromProto(ep.Pools)
	amounts, _ := splitEmission(ep.Emission, pools)
	var oraclePool uint64
	if i := poolOf(pools, RecipientOracles); i >= 0 {
		oraclePool = amounts[i]
	}
	s := &rewardv1.Settlement{
		Epoch: ep.Number, Root: m.Root, ScorerVersion: m.ScorerVersion, ContentHash: hash, InputsHash: m.InputsHash, StateHash: m.StateHash,
		Emission: ep.Emission, DeviceTotal: m.DeviceTotal, AgreeWeight: agree, TotalWeight: total, Height: ctx.Height,
	}
	var oraclesPaid uint64
	for _, sub := range Submissions(st, ep.Number) {
		a, _ := ledger.AddressFromBytes(sub.Oracle)
		if !bytes.Equal(sub.ContentHash, hash) {
			s.Disagreeing = append(s.Disagreeing, sub.Oracle)
			continue
		}
		if w := OracleWeight(st, a); w > 0 {
			amt := proRata(oraclePool, w, agree)
			oraclesPaid += amt
			s.Oracles = append(s.Oracles, &rewardv1.OraclePaid{Oracle: sub.Oracle, Weight: w, Amount: amt})
		}
	}
	var forwarded uint64
	for i, p := range pools {
		if p.Recipient.Forwarded() && h.payers[p.Recipient] != nil {
			s.Forwarded = append(s.Forwarded, &rewardv1.PoolPaid{Name: p.Name, Paid: amounts[i]})
			forwarded += amounts[i] // the pools' slices sum to at most the emission
		}
	}
	// device total <= the device pools' slices, oraclesPaid <= the oracles
	// pool's and forwarded is the forwarded pools' slices, so the
	// subtraction does not underflow.
	s.Treasury = ep.Emission - m.DeviceTotal - oraclesPaid - forwarded
	if e := mint(st, RewardPool, m.DeviceTotal); e != nil {
		return e
	}
	for _, o := range s.Oracles {
		a, _ := ledger.AddressFromBytes(o.Oracle)
		if e := mint(st, a, o.Amount); e != nil {
			return e
		}
	}
	if e := mint(st, Treasury, s.Treasury); e != nil {
		return e
	}
	for i, p := range pools {
		if p.Recipient.Forwarded() && h.payers[p.Recipient] != nil && amounts[i] > 0 {
			if e := h.payers[p.Recipient](ctx, ep.Number, p, amounts[i]); e != nil {
				return e
			}
		}
	}
	minted, ok := ledger.Add(ledger.GetU64(st, key(tagMinted)), m.DeviceTotal)
	if !ok {
		return ledger.Errorf(ledger.CodeOverflow, "total minted to the reward pool overflows")
	}
	ledger.SetU64(st, key(tagMinted), minted)
	st.Set(settlementKey(ep.Number), ledger.Encode(s))
	ep.Settled = true
	putEpoch(st, ep)
	st.Set(key(tagNext), ledger.U64(ep.Number+1))
	st.Set(key(tagLatest), ledger.U64(ep.Number))
	// No oracle reads the registry as of a height up to this epoch's end
	// again: epochs settle in order.
	device.PruneVersions(st, ep.EndHeight)
	ctx.Emit("reward.settled", ledger.A("epoch", u64(ep.Number)), ledger.A("root", hex.EncodeToString(m.Root)),
		ledger.A("emission", u64(ep.Emission)), ledger.A("device_total", u64(m.DeviceTotal)),
		ledger.A("oracles", u64(oraclesPaid)), ledger.A("forwarded", u64(forwarded)), ledger.A("treasury", u64(s.Treasury)),
		ledger.A("disagreeing", u64(uint64(len(s.Disagreeing)))))
	for _, d := range s.Disagreeing {
		a, _ := ledger.AddressFromBytes(d)
		ctx.Emit("reward.disagreement", ledger.A("epoch", u64(ep.Number)), ledger.A("oracle", a.String()))
	}
	return nil
}

func mint(st ledger.Store, to ledger.Address, amount uint64) *ledger.Error {
	if amount == 0 {
		return nil
	}
	return bank.Mint(st, to, amount)
}
