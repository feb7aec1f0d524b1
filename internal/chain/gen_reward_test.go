package chain_test

import (
	"crypto/sha256"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/reward"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// Proof and reward messages of the determinism generator. Predictions stay
// exact because the authority adds operators only among genOperators and
// oracles only among names that never sign, while commits are planned
// only for operators in committed state and the rejections only for
// funded accounts outside genOperators (each account signs at most one tx
// per block, the authority's comes first).

// genOperators is how many of the funded accounts may become operators.
const genOperators = 3

func (g *gen) operatorCandidates() []string { return g.funded[:min(genOperators, len(g.funded))] }

func segmentMsg(epoch uint64, seed string) msg {
	h, root := sha256.Sum256([]byte("gen segment "+seed)), sha256.Sum256([]byte("gen root "+seed))
	return msg{proof.TypeCommitSegment, mustMarshal(&proofv1.MsgCommitSegment{Epoch: epoch, Hash: h[:], MerkleRoot: root[:], Count: 1})}
}

// proofRewardValid plans a proof or reward tx that must succeed, if name
// can send one now.
func (g *gen) proofRewardValid(name string) (planned, bool) {
	ok := func(label string, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: ledger.CodeOK, label: label}, true
	}
	st := g.st
	if g.isAuthority(name) {
		if g.chance(50) {
			for _, c := range g.operatorCandidates() {
				a := addrFor(c)
				if !proof.IsOperator(st, a) && uint64(len(proof.Operators(st))) < params.Get(st, proof.MaxOperators) {
					return ok("proof/add-operator", msg{proof.TypeAddOperator, mustMarshal(&proofv1.MsgAddOperator{Operator: a[:]})})
				}
			}
		}
		if uint64(len(reward.Oracles(st))) < params.Get(st, reward.MaxOracles) {
			o := addrFor(g.fresh("oracle"))
			w := 1 + uint64(g.pick(int(min(params.Get(st, reward.MaxOracleWeight), 1000))))
			return ok("reward/set-oracle", msg{reward.TypeSetOracle, mustMarshal(&rewardv1.MsgSetOracle{Oracle: o[:], Weight: w})})
		}
		return planned{}, false
	}
	me := addrFor(name)
	if proof.IsOperator(st, me) && proof.SegmentCount(st, reward.CurrentEpoch(st).Number) < params.Get(st, proof.MaxSegmentsPerEpoch) {
		return ok("proof/commit-segment", segmentMsg(reward.CurrentEpoch(st).Number, g.fresh("seg")))
	}
	return planned{}, false
}

// proofRewardInvalid plans a proof or reward tx that must fail with a
// known code, if name can send one now.
func (g *gen) proofRewardInvalid(name string) (planned, bool) {
	bad := func(label string, code ledger.Code, m msg) (planned, bool) {
		return planned{raw: g.tx(name, m), want: code, label: "bad:" + label}, true
	}
	st := g.st
	me := addrFor(name)
	if !slices.Contains(g.funded, name) || slices.Contains(g.operatorCandidates(), name) {
		return planned{}, false
	}
	switch g.pick(4) {
	case 0:
		return bad("not_operator", proof.CodeNotOperator, segmentMsg(reward.CurrentEpoch(st).Number, g.fresh("seg")))
	case 1:
		return bad("unauthorized_operator", ledger.CodeUnauthorized, msg{proof.TypeAddOperator, mustMarshal(&proofv1.MsgAddOperator{Operator: me[:]})})
	case 2:
		root := sha256.Sum256([]byte(g.fresh("root")))
		return bad("not_oracle", reward.CodeNotOracle, msg{reward.TypeSubmitRoot, mustMarshal(&rewardv1.MsgSubmitRoot{
			Epoch: 0, Root: root[:], InputsHash: root[:], StateHash: root[:], ScorerVersion: 1})})
	default:
		if _, settled := reward.LatestSettlement(st); !settled {
			dev := addrFor(g.fresh("claim-dev"))
			return bad("no_settled_root", reward.CodeNoSettledRoot, msg{reward.TypeClaim, mustMarshal(&rewardv1.MsgClaim{Device: dev[:], Cumulative: 1})})
		}
	}
	return planned{}, false
}
