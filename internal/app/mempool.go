package app

import (
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// CheckTx decides whether a transaction may enter the mempool. It decodes,
// verifies the signature (remembering success), and checks chain id, limits,
// fee and sequence against committed state. A sequence may lie anywhere
// from the account's committed sequence up to one past the last sequence
// this node accepted, so that a client can queue several transactions per
// block; below is a replay, above is a gap. When the sequence is the
// committed one, the whole transaction is run on a throw-away view of
// committed state, so that a message that would fail is rejected here with
// the same code FinalizeBlock would give.
func (a *App) CheckTx(raw []byte) Result {
	d, e := decode(raw)
	if e != nil {
		return Result{Code: e.Code, Log: e.Msg, Hash: HashTx(raw)}
	}
	if !a.sigs.has(d.hash) {
		if !d.verify() {
			return Result{Code: ledger.CodeBadSignature, Log: "signature does not verify for the signer's key", Hash: d.hash}
		}
		a.sigs.add(d.hash)
	}
	committed := Sequence(a.db, d.signer)
	a.mu.Lock()
	next := a.pending[d.signer]
	a.mu.Unlock()
	if next < committed {
		next = committed
	}
	seq := d.body.Sequence
	if seq < committed {
		return Result{Code: ledger.CodeSequenceUsed, Hash: d.hash,
			Log: fmt.Sprintf("sequence %d already used, account %s is at %d", seq, d.signer, committed)}
	}
	if seq > next {
		return Result{Code: ledger.CodeSequenceSkipped, Hash: d.hash,
			Log: fmt.Sprintf("sequence %d skips ahead, account %s is at %d", seq, d.signer, next)}
	}
	st := ledger.NewOverlay(a.db)
	var r Result
	if seq == committed {
		h, _ := a.db.LastCommit()
		r = a.execute(st, d, raw, h+1, 0)
	} else if e := a.ante(st, d, raw, false); e != nil {
		// Predecessors are still in the mempool: only chain id, limits
		// and the fee can be checked against committed state.
		r = fail(e)
	}
	r.Hash = d.hash
	if r.Code != ledger.CodeOK {
		return r
	}
	a.mu.Lock()
	if a.pending[d.signer] < seq+1 {
		a.pending[d.signer] = seq + 1
	}
	a.mu.Unlock()
	return r
}

// prunePending forgets mempool sequences that committed state has reached.
func (a *App) prunePending() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for addr, next := range a.pending {
		if Sequence(a.db, addr) >= next {
			delete(a.pending, addr)
		}
	}
}

// PrepareProposal picks the transactions of a block this node proposes: in
// mempool order, up to maxBytes, leaving out transactions that do not
// decode.
func (a *App) PrepareProposal(txs [][]byte, maxBytes int64) [][]byte {
	out := make([][]byte, 0, len(txs))
	var size int64
	for _, raw := range txs {
		if _, e := decode(raw); e != nil {
			continue
		}
		if size+int64(len(raw)) > maxBytes {
			break
		}
		size += int64(len(raw))
		out = append(out, raw)
	}
	return out
}

// ProcessProposal batch-verifies a proposed block's signatures ahead of
// FinalizeBlock, filling the signature cache. Invalid transactions do not
// make the block invalid: FinalizeBlock rejects each with its code, the same
// on every node.
func (a *App) ProcessProposal(txs [][]byte) bool {
	a.verifyBlock(txs)
	return true
}
