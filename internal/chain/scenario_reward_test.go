package chain_test

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Scenario commands of the proof and reward modules:
//
//	tx <k> proof/add-operator operator=<key>
//	tx <k> proof/remove-operator operator=<key>
//	tx <k> proof/commit-segment epoch=<n> segment=<name> [count=<n>]
//	tx <k> reward/set-oracle oracle=<key> weight=<n>
//	tx <k> reward/remove-oracle oracle=<key>
//	tx <k> reward/set-pools pools=<name>:<bps>:<recipient>[:<kind>],..
//	tx <k> reward/submit-root epoch=<n> shares=<device>:<pool>:<units>,.. [tamper=yes]
//	tx <k> reward/claim device=<key> [epoch=<n>] [extra=<n>]
//	dump epochs|oracles|pools|segments epoch=<n>|settlement epoch=<n>|claims
//
// submit-root runs the real reward engine (reward.Compute) over the epoch's
// emission and pools as recorded on chain and the shares given, on top of
// the manifest of the previous epoch it computed, and remembers the result
// for claims. A segment's hash and root derive from its name.

// rewardMessage encodes a proof or reward message; ok is false for other types.
func (s *scenario) rewardMessage(typ string, a args) ([]byte, bool) {
	switch typ {
	case proof.TypeAddOperator:
		return mustMarshal(&proofv1.MsgAddOperator{Operator: s.addrBytes(a.take("operator"))}), true
	case proof.TypeRemoveOperator:
		return mustMarshal(&proofv1.MsgRemoveOperator{Operator: s.addrBytes(a.take("operator"))}), true
	case proof.TypeCommitSegment:
		name := a.take("segment")
		h, root := sha256.Sum256([]byte("segment/"+name)), sha256.Sum256([]byte("root/"+name))
		return mustMarshal(&proofv1.MsgCommitSegment{Epoch: parseU64(s.t, a.take("epoch")), Hash: h[:], MerkleRoot: root[:],
			Count: a.optU64("count", 1)}), true
	case reward.TypeSetOracle:
		return mustMarshal(&rewardv1.MsgSetOracle{Oracle: s.addrBytes(a.take("oracle")), Weight: parseU64(s.t, a.take("weight"))}), true
	case reward.TypeRemoveOracle:
		return mustMarshal(&rewardv1.MsgRemoveOracle{Oracle: s.addrBytes(a.take("oracle"))}), true
	case reward.TypeSetPools:
		var pools []reward.Pool
		for _, spec := range a.list("pools") {
			parts := strings.Split(spec, ":")
			if len(parts) < 3 || len(parts) > 4 {
				s.t.Fatalf("pool %q: want <name>:<bps>:<recipient>[:<kind>]", spec)
			}
			r, _ := reward.ParseRecipient(parts[2])
			p := reward.Pool{Name: parts[0], Bps: uint32(parseU64(s.t, parts[1])), Recipient: r}
			if len(parts) == 4 {
				p.Kind = parts[3]
			}
			pools = append(pools, p)
		}
		return mustMarshal(&rewardv1.MsgSetPools{Pools: reward.PoolsToProto(pools)}), true
	case reward.TypeSubmitRoot:
		return s.submitRoot(a), true
	case reward.TypeClaim:
		return s.claim(a), true
	}
	return nil, false
}

// submitRoot computes an epoch with the reward engine and builds the
// oracle's message; tamper=yes flips a bit of the root.
func (s *scenario) submitRoot(a args) []byte {
	n := parseU64(s.t, a.take("epoch"))
	st := s.app.Committed()
	ep, ok := reward.GetEpoch(st, n)
	if !ok {
		s.t.Fatalf("submit-root: epoch %d has not started", n)
	}
	in := reward.Input{Epoch: n, ScorerVersion: 1, Emission: ep.Emission, Pools: reward.PoolsFromProto(ep.Pools)}
	if n > 0 {
		if prev, ok := s.manifests[n-1]; ok {
			in.Prior = prev.Entries
		}
	}
	for _, spec := range a.list("shares") {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 {
			s.t.Fatalf("share %q: want <device>:<pool>:<units>", spec)
		}
		in.Shares = append(in.Shares, reward.Share{Device: s.addr(parts[0]), Pool: parts[1], Units: parseU64(s.t, parts[2])})
	}
	out, err := reward.Compute(in)
	if err != nil {
		s.t.Fatalf("submit-root: %v", err)
	}
	if s.manifests == nil {
		s.manifests = map[uint64]reward.Manifest{}
	}
	s.manifests[n] = out.Manifest
	inputs := sha256.Sum256([]byte(fmt.Sprintf("scenario inputs %d", n)))
	m := &rewardv1.MsgSubmitRoot{Epoch: n, Root: append([]byte(nil), out.Root[:]...), ScorerVersion: 1, InputsHash: inputs[:], StateHash: inputs[:]}
	for _, p := range out.Pools {
		if p.Recipient == reward.RecipientDevices {
			m.Pools = append(m.Pools, &rewardv1.PoolPaid{Name: p.Name, Paid: p.Paid})
			m.DeviceTotal += p.Paid
		}
	}
	if a.opt("tamper", "no") == "yes" {
		m.Root[0] ^= 1
	}
	return mustMarshal(m)
}

// claim builds a claim of a device's cumulative total in the manifest of
// epoch= (default the latest computed) with its Merkle proof; extra= adds
// to the total claimed (a forged claim).
func (s *scenario) claim(a args) []byte {
	dev := s.addr(a.take("device"))
	var n uint64
	for e := range s.manifests {
		n = max(n, e)
	}
	n = a.optU64("epoch", n)
	man, ok := s.manifests[n]
	if !ok {
		s.t.Fatalf("claim: no manifest computed for epoch %d", n)
	}
	i, ok := man.Find(dev)
	if !ok {
		s.t.Fatalf("claim: device %s is not in the manifest of epoch %d", dev, n)
	}
	pr, err := man.Proof(dev)
	if err != nil {
		s.t.Fatalf("claim: %v", err)
	}
	m := &rewardv1.MsgClaim{Device: dev[:], Cumulative: man.Entries[i].Cumulative + a.optU64("extra", 0),
		Index: pr.Index, Size: pr.Size}
	for _, h := range pr.Path {
		m.Path = append(m.Path, append([]byte(nil), h[:]...))
	}
	return mustMarshal(m)
}

// rewardDump prints reward and proof state; ok is false for other names.
func (s *scenario) rewardDump(b *strings.Builder, what string, a args) bool {
	st := s.app.Committed()
	switch what {
	case "epochs":
		for n := uint64(0); ; n++ {
			ep, ok := reward.GetEpoch(st, n)
			if !ok {
				break
			}
			fmt.Fprintf(b, "epoch %d heights %d-%d ended=%v emission=%d sealed=%v settled=%v\n",
				ep.Number, ep.StartHeight, ep.EndHeight, ep.Ended, ep.Emission, ep.Sealed, ep.Settled)
		}
		fmt.Fprintf(b, "next to settle %d owed %d", reward.NextToSettle(st), reward.Owed(st))
	case "oracles":
		for _, o := range reward.Oracles(st) {
			addr, _ := ledger.AddressFromBytes(o.Address)
			fmt.Fprintf(b, "%s weight=%d\n", addr, o.Weight)
		}
	case "operators":
		for _, o := range proof.Operators(st) {
			addr, _ := ledger.AddressFromBytes(o.Address)
			fmt.Fprintf(b, "%s added_height=%d\n", addr, o.AddedHeight)
		}
	case "pools":
		for _, p := range reward.Pools(st) {
			fmt.Fprintf(b, "%s bps=%d recipient=%s kind=%s\n", p.Name, p.Bps, p.Recipient, p.Kind)
		}
	case "segments":
		n := parseU64(s.t, a.take("epoch"))
		segs, _, _ := proof.Segments(st, n, 0, 1000)
		for _, sg := range segs {
			fmt.Fprintf(b, "epoch %d seq %d hash %x count %d\n", sg.Epoch, sg.Seq, sg.Hash[:4], sg.Count)
		}
		fmt.Fprintf(b, "count %d", proof.SegmentCount(st, n))
	case "settlement":
		n := parseU64(s.t, a.take("epoch"))
		set, ok := reward.GetSettlement(st, n)
		if !ok {
			fmt.Fprintf(b, "epoch %d is not settled", n)
			break
		}
		fmt.Fprintf(b, "epoch %d emission=%d device_total=%d treasury=%d agree=%d/%d\n", set.Epoch, set.Emission, set.DeviceTotal, set.Treasury, set.AgreeWeight, set.TotalWeight)
		for _, o := range set.Oracles {
			addr, _ := ledger.AddressFromBytes(o.Oracle)
			fmt.Fprintf(b, "oracle %s weight=%d amount=%d\n", addr, o.Weight, o.Amount)
		}
		for _, f := range set.Forwarded {
			fmt.Fprintf(b, "forwarded %s %d\n", f.Name, f.Paid)
		}
		for _, d := range set.Disagreeing {
			addr, _ := ledger.AddressFromBytes(d)
			fmt.Fprintf(b, "disagreeing %s\n", addr)
		}
	default:
		return false
	}
	return true
}
