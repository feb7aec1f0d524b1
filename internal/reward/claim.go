package reward

import (
	"encoding/hex"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/ledger"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// maxProofPath bounds a claim's Merkle path: a tree of 2^64 leaves.
const maxProofPath = 64

// Claims are pull-based and cumulative (helium-program-library
// lazy-distributor distribute pays "current rewards − total rewards";
// helium/oracles reward_index keeps lifetime totals): a claim proves
// (device, cumulative) against the latest settled root and pays
// cumulative − claimed so far to the device's owner at claim time. Anyone
// may send it; the owner is paid either way.

func handleClaim(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m rewardv1.MsgClaim
	if e := ledger.Unmarshal(TypeClaim, raw, &m); e != nil {
		return e
	}
	dev, err := ledger.AddressFromBytes(m.Device)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device: %v", err)
	}
	if m.Cumulative == 0 {
		return ledger.Errorf(ledger.CodeInvalidAmount, "cumulative total must be positive")
	}
	if len(m.Path) > maxProofPath {
		return ledger.Errorf(ledger.CodeTooLarge, "proof path has %d hashes, at most %d allowed", len(m.Path), maxProofPath)
	}
	proof := Proof{Index: m.Index, Size: m.Size, Path: make([]Hash, len(m.Path))}
	for i, p := range m.Path {
		if len(p) != HashLen {
			return ledger.Errorf(ledger.CodeMalformed, "proof hash %d is %d bytes, want %d", i, len(p), HashLen)
		}
		copy(proof.Path[i][:], p)
	}
	st := ctx.Store
	set, ok := LatestSettlement(st)
	if !ok {
		return ledger.Errorf(CodeNoSettledRoot, "no epoch is settled yet")
	}
	var root Hash
	copy(root[:], set.Root)
	if !VerifyProof(root, dev, m.Cumulative, proof) {
		return ledger.Errorf(CodeBadProof, "device %s with cumulative %d is not in the manifest of epoch %d (root %s)",
			dev, m.Cumulative, set.Epoch, root)
	}
	d, ok := device.GetDevice(st, dev)
	if !ok {
		return ledger.Errorf(ledger.CodeUnknownDevice, "no device %s", dev)
	}
	owner, err := ledger.AddressFromBytes(d.Owner)
	if err != nil {
		return ledger.Errorf(ledger.CodeInvalidAddress, "device %s owner: %v", dev, err)
	}
	claimed := Claimed(st, dev)
	if m.Cumulative <= claimed {
		return ledger.Errorf(CodeNothingToClaim, "device %s claimed %d already, the manifest of epoch %d holds %d",
			dev, claimed, set.Epoch, m.Cumulative)
	}
	amount := m.Cumulative - claimed
	if owed := Owed(st); amount > owed {
		return ledger.Errorf(CodePoolShort, "claim of %d exceeds the %d the reward pool owes", amount, owed)
	}
	if e := bank.Transfer(st, RewardPool, owner, amount); e != nil {
		return e
	}
	_, paidOut := PoolTotals(st)
	ledger.SetU64(st, claimedKey(dev), m.Cumulative)
	ledger.SetU64(st, key(tagPaidOut), paidOut+amount) // paidOut + amount <= minted
	ctx.Emit("reward.claim", ledger.A("device", dev.String()), ledger.A("owner", owner.String()),
		ledger.A("amount", u64(amount)), ledger.A("cumulative", u64(m.Cumulative)), ledger.A("epoch", u64(set.Epoch)),
		ledger.A("root", hex.EncodeToString(set.Root)))
	return nil
}
