package storage

import (
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/merkle"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// Window is a proof window: it opens at height Number × storage.proof_period_blocks,
// whose entropy picks the leaves, and takes proofs at the heights after it,
// up to storage.proof_window_blocks of them.
type Window struct {
	Number     uint64
	OpenHeight int64
	// Last is the last height that takes proofs; the window closes in its
	// end block.
	Last int64
}

// WindowAt returns the window that takes proofs at height h, and false if
// none does (between windows, or before the first).
func WindowAt(st ledger.Store, h int64) (Window, bool) {
	p, w := params.Get(st, ProofPeriod), params.Get(st, ProofWindow)
	if h < 2 {
		return Window{}, false
	}
	n := uint64(h-1) / p
	open := int64(n * p)
	if n == 0 || uint64(h-open) > w {
		return Window{}, false
	}
	return Window{Number: n, OpenHeight: open, Last: open + int64(w)}, true
}

// Challenge is the leaf a deal must prove in a window.
type Challenge struct {
	Deal, Window, Index, Leaves uint64
}

// ChallengeOf computes the leaf of deal d challenged in window w, and false
// when the window's entropy is not on chain (yet, or any more).
func ChallengeOf(st ledger.Store, d *storagev1.Deal, w Window) (Challenge, bool) {
	e, ok := proof.Entropy(st, w.OpenHeight)
	if !ok {
		return Challenge{}, false
	}
	n := Leaves(d.ShardSize, uint64(d.LeafSize))
	return Challenge{Deal: d.Id, Window: w.Number, Index: LeafIndex(e, d.Id, w.Number, n), Leaves: n}, true
}

// checkedProof is a proof that passed every check but the Merkle path.
type checkedProof struct {
	deal *storagev1.Deal
	ch   Challenge
	leaf []byte
	path []merkle.Hash
}

func handleProve(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m storagev1.MsgProve
	if e := ledger.Unmarshal(TypeProve, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	if len(m.Proofs) == 0 {
		return ledger.Errorf(ledger.CodeMalformed, "no proofs")
	}
	if max := params.Get(st, MaxProofs); uint64(len(m.Proofs)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "%d proofs, at most %d in one transaction", len(m.Proofs), max)
	}
	w, open := WindowAt(st, ctx.Height)
	// Every check first: a batch with one bad proof changes nothing.
	checked := make([]checkedProof, 0, len(m.Proofs))
	seen := make(map[uint64]bool, len(m.Proofs))
	for i, p := range m.Proofs {
		d, ok := GetDeal(st, p.Deal)
		if !ok {
			return ledger.Errorf(CodeUnknownDeal, "proof %d: no deal %d", i, p.Deal)
		}
		if addr(d.Provider) != ctx.Signer {
			return ledger.Errorf(CodeNotProvider, "proof %d: signer %s is not the provider of deal %d", i, ctx.Signer, d.Id)
		}
		if d.State != storagev1.DealState_DEAL_STATE_ACTIVE {
			return ledger.Errorf(CodeDealNotActive, "proof %d: deal %d is %s", i, d.Id, dealStateName(d.State))
		}
		if !open || p.Window != w.Number {
			return ledger.Errorf(CodeWindowNotOpen, "proof %d: window %d does not take proofs at height %d", i, p.Window, ctx.Height)
		}
		if d.FirstWindow > w.Number {
			return ledger.Errorf(CodeNotInWindow, "proof %d: deal %d proves from window %d", i, d.Id, d.FirstWindow)
		}
		if seen[d.Id] || st.Get(provenKey(w.Number, d.Id)) != nil {
			return ledger.Errorf(CodeAlreadyProven, "proof %d: deal %d has a proof in window %d", i, d.Id, w.Number)
		}
		seen[d.Id] = true
		ch, ok := ChallengeOf(st, d, w)
		if !ok {
			return ledger.Errorf(CodeWindowNotOpen, "proof %d: window %d has no entropy on chain", i, w.Number)
		}
		if p.Index != ch.Index {
			return ledger.Errorf(CodeWrongLeaf, "proof %d: leaf %d, but window %d challenges leaf %d of deal %d", i, p.Index, w.Number, ch.Index, d.Id)
		}
		// The deal's own leaf size bounds the leaf: it was checked against
		// storage.max_leaf_bytes when the deal was made, and a later, lower
		// value of the parameter must not turn honest proofs into faults.
		if len(p.Path) > MaxPath || uint64(len(p.Leaf)) > uint64(d.LeafSize) {
			return ledger.Errorf(ledger.CodeTooLarge, "proof %d: a path of %d hashes or a leaf of %d bytes (deal %d has %d-byte leaves)",
				i, len(p.Path), len(p.Leaf), d.Id, d.LeafSize)
		}
		path := make([]merkle.Hash, len(p.Path))
		for j, h := range p.Path {
			if len(h) != merkle.HashLen {
				return ledger.Errorf(ledger.CodeMalformed, "proof %d: path hash %d has %d bytes", i, j, len(h))
			}
			path[j] = merkle.Hash(h)
		}
		checked = append(checked, checkedProof{deal: d, ch: ch, leaf: p.Leaf, path: path})
	}
	for _, c := range checked {
		// An earlier proof of the batch may have disqualified the provider
		// and closed this deal.
		d, _ := GetDeal(st, c.deal.Id)
		if d.State != storagev1.DealState_DEAL_STATE_ACTIVE {
			continue
		}
		st.Set(provenKey(w.Number, d.Id), []byte{})
		good := len(c.leaf) == int(d.LeafSize) && VerifyLeaf(merkle.Hash(d.Root), c.ch.Leaves, c.ch.Index, c.leaf, c.path)
		result := "wrong"
		if good {
			result = "passed"
		}
		ctx.Emit("storage.proof", ledger.AU64("deal", d.Id), ledger.AU64("window", w.Number), ledger.AU64("index", c.ch.Index),
			ledger.A("result", result))
		if good {
			d.ProofsPassed++
			d.MissedInRow = 0
			putDeal(st, d)
			addProven(st, addr(d.Provider), d.ShardSize)
			if record(ctx, ctx.Signer, true, "proof_passed") {
				return disqualify(ctx, ctx.Signer)
			}
			continue
		}
		d.ProofsWrong++
		if e := fail(ctx, d, params.Get(st, WrongSlashBps), "wrong_proof"); e != nil {
			return e
		}
	}
	return nil
}

// fail handles a missed or wrong proof: slash, count against the provider,
// close the deal when it failed too often in a row or has no collateral
// left, and disqualify the provider when its score says so.
func fail(ctx *ledger.Context, d *storagev1.Deal, bps uint64, reason string) *ledger.Error {
	st := ctx.Store
	d.MissedInRow++
	if e := slash(ctx, d, bps, reason); e != nil {
		return e
	}
	putDeal(st, d)
	prov := addr(d.Provider)
	if record(ctx, prov, false, reason) {
		return disqualify(ctx, prov)
	}
	if uint64(d.MissedInRow) >= params.Get(st, MaxMissedInRow) || d.CollateralLeft == 0 {
		return closeDeal(ctx, d, CloseFaulty)
	}
	return nil
}

// addProven counts a proven shard's bytes for its provider in the running
// epoch: the provider's weight in the storage availability pool.
func addProven(st ledger.Store, p ledger.Address, bytes uint64) {
	k := epochKey(epoch.Current(st).Number, p)
	ledger.SetU64(st, k, satAdd(ledger.GetU64(st, k), bytes))
}
