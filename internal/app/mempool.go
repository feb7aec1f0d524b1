package app

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
)

// Mempool admission. CheckTx decides whether a transaction may enter the
// mempool and reserves its sequence; DryCheckTx gives the same answer and
// changes nothing (the RPC's check_tx). Both decode, verify the signature
// (remembering success), and check chain id, limits, fee and sequence
// against committed state. A sequence may be the account's committed
// sequence or follow one reserved by a transaction this node admitted, so
// that a client can queue several transactions per block; below is a
// replay, above is a gap, and a sequence reserved by another transaction
// is taken. At the committed sequence the whole transaction runs on a
// throw-away view of committed state, so that a message that would fail is
// rejected here with the same code FinalizeBlock would give.
//
// The fee rule makes every transaction in a block pay (docs/fees.md), so
// the mempool bounds what a sender may queue: the fees of its reserved
// transactions plus the new one must not exceed its committed balance
// (the fee module's FeeBalance). Reservations are released when their
// transactions leave the mempool in a block (whatever their result) and
// when a failure in a block breaks the sender's chain of sequences (the
// rest would fail as gaps). A reservation held for ReservationBlocks
// blocks may be taken over by another transaction for the same sequence
// (the engine may have dropped the first without a block), so a sender is
// never locked out.
//
// CheckTx is safe to call from many goroutines at once (the node's mempool
// connection checks on one goroutine, beside the RPC's DryCheckTx and
// consensus). Decoding, the signature check and the checks
// against committed state run unlocked: their results depend on the
// transaction and committed state only. Judging and reserving the sequence
// and the fee run under one lock (the one Commit takes to release
// reservations), so that concurrent calls give the results of some serial
// order of the same calls. CometBFT holds its mempool lock across Commit,
// so no check overlaps a commit there; should one, the check rereads the
// sender's committed sequence under the lock and, if the block moved it,
// checks again. CheckTx returns no events: the engine discards them.
func (a *App) CheckTx(raw []byte) Result { return a.checkTx(raw, true) }

// DryCheckTx answers as CheckTx would and reserves nothing.
func (a *App) DryCheckTx(raw []byte) Result { return a.checkTx(raw, false) }

// ReservationBlocks is how many blocks a mempool reservation holds its
// sequence against another transaction.
const ReservationBlocks = 100

// queue is what the mempool holds of one sender: a slot per reserved
// sequence.
type queue map[uint64]slot

type slot struct {
	hash   Hash
	fee    uint64
	height int64 // last committed height when the slot was reserved
}

// deliveredTx is what Commit needs of a block transaction to release its
// reservation.
type deliveredTx struct {
	signer ledger.Address
	seq    uint64
	paid   bool // the ante step passed: the sequence was used
}

func (a *App) checkTx(raw []byte, reserve bool) Result {
	d, e := a.decodeChecked(raw)
	if e != nil {
		return Result{Code: e.Code, Log: e.Msg, Hash: HashTx(raw)}
	}
	if !a.sigs.has(d.hash) {
		if !a.batcher.verify(d) {
			return Result{Code: ledger.CodeBadSignature, Log: "signature does not verify for the signer's key", Hash: d.hash}
		}
		a.sigs.add(d.hash)
	}
	committed := Sequence(a.db, d.signer)
	r := a.reserve(d, raw, committed, a.checkState(d, raw, committed), reserve)
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

// reserve judges a verified transaction's sequence and fee against the
// sender's committed state and its reservations, then reports e, the
// outcome of checkState at committed, and on success (if commit) reserves
// the sequence and the fee, all under a.mu. The order of the checks is
// that of execute: a replay or a gap is reported before anything e says.
func (a *App) reserve(d *decoded, raw []byte, committed uint64, e *ledger.Error, commit bool) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := Sequence(a.db, d.signer); c != committed {
		committed, e = c, a.checkState(d, raw, c) // a block committed meanwhile
	}
	q := a.pending[d.signer]
	seq := d.body.Sequence
	if seq < committed {
		return Result{Code: ledger.CodeSequenceUsed,
			Log: fmt.Sprintf("sequence %d already used, account %s is at %d", seq, d.signer, committed)}
	}
	h, _ := a.db.LastCommit()
	if s, ok := q[seq]; ok {
		if s.hash == d.hash {
			return Result{Code: ledger.CodeOK} // the same transaction again
		}
		if h-s.height < ReservationBlocks {
			return Result{Code: ledger.CodeSequenceUsed,
				Log: fmt.Sprintf("sequence %d of %s is taken by tx %X in the mempool", seq, d.signer, s.hash[:])}
		}
		// A stale reservation: this transaction takes it over below.
	}
	if seq > committed {
		if _, ok := q[seq-1]; !ok {
			next := committed
			for _, ok := q[next]; ok; _, ok = q[next] {
				next++
			}
			return Result{Code: ledger.CodeSequenceSkipped,
				Log: fmt.Sprintf("sequence %d skips ahead, account %s is at %d", seq, d.signer, next)}
		}
	}
	if e != nil {
		return fail(e)
	}
	if a.feeBalance != nil {
		var queued uint64
		//archtest:maprange-ok a sum over the node's own mempool reservations
		for s, r := range q {
			if s != seq {
				queued += r.fee // each fee was within the balance when reserved: no overflow
			}
		}
		bal := a.feeBalance(a.db, d.signer)
		if total, ok := ledger.Add(queued, d.body.Fee); !ok || total > bal {
			return Result{Code: ledger.CodeInsufficientFunds,
				Log: fmt.Sprintf("fees of %d queued txs (%d upin) plus this fee %d exceed the balance %d of %s", len(q), queued, d.body.Fee, bal, d.signer)}
		}
	}
	if commit {
		if q == nil {
			q = make(queue)
			a.pending[d.signer] = q
		}
		q[seq] = slot{hash: d.hash, fee: d.body.Fee, height: h}
	}
	return Result{Code: ledger.CodeOK}
}

// admit runs a transaction at the committed sequence on st as execute
// does (ante checks, then every message, failing with the same codes and
// messages) but builds no transaction event, which CheckTx would discard.
// Its caller has read the committed sequence and found it equal to the
// transaction's, so the ante step does not read it again.
func (a *App) admit(st ledger.Store, d *decoded, raw []byte, height int64) *ledger.Error {
	if e := a.ante(st, d, raw, false); e != nil {
		return e
	}
	ctx := &ledger.Context{Store: st, ChainID: a.chainID, Height: height, Time: a.blockTime.Load(), Signer: d.signer, NoEvents: true}
	return a.runMsgs(ctx, d)
}

// releaseAfterBlock releases the reservations the committed block ended:
// those of its transactions (they left the mempool), those below a
// sender's committed sequence and those beyond a gap (a failure broke the
// chain: they would fail).
func (a *App) releaseAfterBlock() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.delivered {
		if q := a.pending[t.signer]; q != nil {
			delete(q, t.seq)
		}
	}
	a.delivered = a.delivered[:0]
	//archtest:maprange-ok deletes from the node's own mempool reservations, never state
	for addr, q := range a.pending {
		committed := Sequence(a.db, addr)
		next := committed
		for _, ok := q[next]; ok; _, ok = q[next] {
			next++
		}
		//archtest:maprange-ok deletes from one sender's reservations, never state
		for seq := range q {
			if seq < committed || seq >= next {
				delete(q, seq)
			}
		}
		if len(q) == 0 {
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
		d, e := a.decodeProposed(raw)
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
