package app

import (
	"cmp"
	"fmt"
	"slices"

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
//
// CheckTx is safe to call from many goroutines at once, as the node's
// mempool connection does. Decoding, the signature check and the checks
// against committed state run unlocked: their results depend on the
// transaction and committed state only. Comparing the sequence with the
// sender's committed and pending sequences and reserving the next one run
// under one lock (the one Commit takes to prune reservations), so that
// concurrent calls give the results of some serial order of the same calls.
// CometBFT holds its mempool lock across Commit, so no check overlaps a
// commit there; should one, the check rereads the sender's committed
// sequence under the lock and, if the block moved it, checks again.
// CheckTx returns no events: the engine discards them.
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
	r := a.reserve(d, raw, committed, a.checkState(d, raw, committed))
	r.Hash = d.hash
	return r
}

// checkState runs the checks against committed state that a transaction
// gets when the signer's committed sequence is committed. At that sequence
// the whole transaction runs on a throw-away view; above it, predecessors
// may be in the mempool, so only chain id, limits and the fee are checked;
// below it, nothing (the sequence check refuses it).
func (a *App) checkState(d *decoded, raw []byte, committed uint64) *ledger.Error {
	st := ledger.NewOverlay(a.db)
	switch seq := d.body.Sequence; {
	case seq == committed:
		h, _ := a.db.LastCommit()
		return a.admit(st, d, raw, h+1)
	case seq > committed:
		return a.ante(st, d, raw, false)
	}
	return nil
}

// reserve judges a verified transaction's sequence against the sender's
// committed sequence and the sequences this node already admitted, then
// reports e, the outcome of checkState at committed, and on success
// reserves the sender's next sequence, all under a.mu. The order of the
// checks is that of execute: a replay or a gap is reported before anything
// e says.
func (a *App) reserve(d *decoded, raw []byte, committed uint64, e *ledger.Error) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := Sequence(a.db, d.signer); c != committed {
		committed, e = c, a.checkState(d, raw, c) // a block committed meanwhile
	}
	next := max(a.pending[d.signer], committed)
	seq := d.body.Sequence
	if seq < committed {
		return Result{Code: ledger.CodeSequenceUsed,
			Log: fmt.Sprintf("sequence %d already used, account %s is at %d", seq, d.signer, committed)}
	}
	if seq > next {
		return Result{Code: ledger.CodeSequenceSkipped,
			Log: fmt.Sprintf("sequence %d skips ahead, account %s is at %d", seq, d.signer, next)}
	}
	if e != nil {
		return fail(e)
	}
	if a.pending[d.signer] < seq+1 {
		a.pending[d.signer] = seq + 1
	}
	return Result{Code: ledger.CodeOK}
}

// admit runs a transaction at the committed sequence on st as execute
// does (ante checks, then every message, failing with the same codes and
// messages) but builds no transaction event, which CheckTx would discard.
func (a *App) admit(st ledger.Store, d *decoded, raw []byte, height int64) *ledger.Error {
	if e := a.ante(st, d, raw, true); e != nil {
		return e
	}
	ctx := &ledger.Context{Store: st, ChainID: a.chainID, Height: height, Signer: d.signer, NoEvents: true}
	for i, m := range d.body.Msgs {
		h, ok := a.router.Handler(m.Type)
		if !ok {
			return ledger.Errorf(ledger.CodeUnknownMessage, "message %d: unknown type %q", i, m.Type)
		}
		if e := h(ctx, m.Value); e != nil {
			return ledger.Errorf(e.Code, "message %d (%s): %s", i, m.Type, e.Msg)
		}
	}
	return nil
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
// decode, then with each signer's transactions put in sequence order.
func (a *App) PrepareProposal(txs [][]byte, maxBytes int64) [][]byte {
	out := make([][]byte, 0, len(txs))
	ds := make([]*decoded, 0, len(txs))
	var size int64
	for _, raw := range txs {
		d, e := decode(raw)
		if e != nil {
			continue
		}
		if size+int64(len(raw)) > maxBytes {
			break
		}
		size += int64(len(raw))
		out = append(out, raw)
		ds = append(ds, d)
	}
	orderBySequence(out, ds)
	return out
}

// orderBySequence sorts each signer's transactions by sequence (stably)
// within the positions they already hold; other transactions keep their
// place. CheckTx admits a signer's sequences n and n+1 in order, but when
// two calls run at once the mempool may append n+1 before n; executed in
// that order, n+1 would fail as a gap. ds[i] is txs[i] decoded.
func orderBySequence(txs [][]byte, ds []*decoded) {
	slots := make(map[ledger.Address][]int, len(ds))
	var repeated []ledger.Address // signers with several txs, by first position
	for i, d := range ds {
		s := slots[d.signer]
		if len(s) == 1 {
			repeated = append(repeated, d.signer)
		}
		slots[d.signer] = append(s, i)
	}
	type entry struct {
		raw []byte
		d   *decoded
	}
	for _, signer := range repeated {
		pos := slots[signer]
		es := make([]entry, len(pos))
		for j, i := range pos {
			es[j] = entry{txs[i], ds[i]}
		}
		slices.SortStableFunc(es, func(x, y entry) int { return cmp.Compare(x.d.body.Sequence, y.d.body.Sequence) })
		for j, i := range pos {
			txs[i], ds[i] = es[j].raw, es[j].d
		}
	}
}

// ProcessProposal batch-verifies a proposed block's signatures ahead of
// FinalizeBlock, filling the signature cache. Invalid transactions do not
// make the block invalid: FinalizeBlock rejects each with its code, the same
// on every node.
func (a *App) ProcessProposal(txs [][]byte) bool {
	a.verifyBlock(txs)
	return true
}
