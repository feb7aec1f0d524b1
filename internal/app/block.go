package app

import (
	"fmt"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// Block is what consensus decided: a height, a time, transactions, and what
// the engine says about the block (proposer, last-commit votes, evidence).
type Block struct {
	Height int64
	// Time is the block time in Unix nanoseconds.
	Time int64
	Txs  [][]byte
	// Proposer, Votes and Evidence are handed to every module's BeginBlock
	// (ledger.BlockInfo).
	Proposer ledger.Address
	Votes    []ledger.Vote
	Evidence []ledger.Misbehavior
}

// Info returns the block's begin-block input.
func (b *Block) Info() ledger.BlockInfo {
	return ledger.BlockInfo{Height: b.Height, Time: b.Time, Proposer: b.Proposer, Votes: b.Votes, Evidence: b.Evidence}
}

// Result is the outcome of one transaction.
type Result struct {
	Code   ledger.Code    `json:"code"`
	Log    string         `json:"log,omitempty"`
	Events []ledger.Event `json:"events,omitempty"`
	Hash   Hash           `json:"-"`
	// Paid reports that the tx passed the ante step: it paid its fee and
	// used its sequence, whatever its code (the fee rule). Its only event
	// when it failed is the "tx" event.
	Paid bool `json:"-"`
}

// BlockResult is the outcome of a block.
type BlockResult struct {
	Txs []Result
	// Events are the begin- and end-block events, in that order.
	Events []ledger.Event
	// ValidatorUpdates change the consensus validator set (in module
	// order, each public key at most once).
	ValidatorUpdates []ledger.ValidatorUpdate
	AppHash          []byte
}

func fail(e *ledger.Error) Result { return Result{Code: e.Code, Log: e.Msg} }

// FinalizeBlock executes a block on the staged state and returns the results
// and the new app hash. Nothing is persisted until Commit.
func (a *App) FinalizeBlock(b Block) (*BlockResult, error) {
	if a.finalized {
		return nil, fmt.Errorf("app: finalize block %d before committing %d", b.Height, a.height+1)
	}
	if b.Height != a.height+1 {
		return nil, fmt.Errorf("app: finalize block %d after height %d", b.Height, a.height)
	}
	blk := ledger.NewOverlay(a.staged)
	a.delivered = a.delivered[:0]
	ctx := &ledger.Context{Store: blk, ChainID: a.chainID, Height: b.Height, Time: b.Time}
	info := b.Info()
	for _, m := range a.modules {
		if m.BeginBlock == nil {
			continue
		}
		if e := m.BeginBlock(ctx, info); e != nil {
			return nil, fmt.Errorf("app: begin block %d: module %s: %s", b.Height, m.Name, e)
		}
	}
	txs := a.verifyBlock(b.Txs)
	res := &BlockResult{Txs: make([]Result, len(b.Txs))}
	// One overlay for a transaction and one for its messages serve the
	// whole block: each is flushed or discarded after every transaction.
	tx := ledger.NewOverlay(blk)
	msgs := ledger.NewOverlay(tx)
	for i, raw := range b.Txs {
		res.Txs[i] = a.deliver(tx, msgs, b, raw, txs[i])
	}
	for _, m := range a.modules {
		if m.EndBlock == nil {
			continue
		}
		if e := m.EndBlock(ctx); e != nil {
			return nil, fmt.Errorf("app: end block %d: module %s: %s", b.Height, m.Name, e)
		}
	}
	updates, err := a.validatorUpdates(ctx)
	if err != nil {
		return nil, err
	}
	res.ValidatorUpdates = updates
	res.Events = ctx.Events()
	writes := blk.Writes()
	if a.staged.Len() == 0 {
		a.stagedWrites = writes
	}
	blk.Flush()
	a.appHash = nextAppHash(a.appHash, b.Height, writes)
	a.height = b.Height
	a.finalized = true
	a.finalizeTime = b.Time
	res.AppHash = a.appHash
	return res, nil
}

// validatorUpdates collects the modules' validator updates. An update the
// engine would refuse (a key that is not 32 bytes, a negative power, a key
// twice) is a broken module: the block fails rather than halting CometBFT
// with an error it cannot explain.
func (a *App) validatorUpdates(ctx *ledger.Context) ([]ledger.ValidatorUpdate, error) {
	var out []ledger.ValidatorUpdate
	seen := make(map[string]bool)
	for _, m := range a.modules {
		if m.ValidatorUpdates == nil {
			continue
		}
		ups, e := m.ValidatorUpdates(ctx)
		if e != nil {
			return nil, fmt.Errorf("app: end block %d: module %s: validator updates: %s", ctx.Height, m.Name, e)
		}
		for _, u := range ups {
			if len(u.PubKey) != sig.PubKeyLen || u.Power < 0 || seen[string(u.PubKey)] {
				return nil, fmt.Errorf("app: end block %d: module %s: invalid validator update (key %x, power %d, or the key twice)",
					ctx.Height, m.Name, u.PubKey, u.Power)
			}
			seen[string(u.PubKey)] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// checked is a block transaction after decoding and signature checks.
type checked struct {
	d        *decoded
	err      *ledger.Error // decode error, if any
	verified bool          // the signature is known good
}

// maxProposed bounds App.proposed, so that the proposals of many rounds at
// one height cannot grow it without bound: past it, transactions are
// decoded again when needed.
const maxProposed = 1 << 16

// decodeProposed decodes a transaction of a proposal or a block, once per
// height: a transaction decoded for PrepareProposal or ProcessProposal is
// not decoded again for FinalizeBlock. Decoding reads no state, so the
// result depends on the bytes alone; nothing changes a decoded
// transaction. Consensus connection only.
func (a *App) decodeProposed(raw []byte) (*decoded, *ledger.Error) {
	if d, ok := a.proposed[string(raw)]; ok {
		return d, nil
	}
	d, e := decode(raw)
	if e == nil && len(a.proposed) < maxProposed {
		if a.proposed == nil {
			a.proposed = make(map[string]*decoded)
		}
		a.proposed[string(raw)] = d
	}
	return d, e
}

// verifyBlock decodes a block's transactions and batch-verifies the
// signatures not already known good.
func (a *App) verifyBlock(txs [][]byte) []checked {
	out := make([]checked, len(txs))
	bv := sig.NewBatchVerifier()
	var idx []int
	for i, raw := range txs {
		d, err := a.decodeProposed(raw)
		if err != nil {
			out[i].err = err
			continue
		}
		out[i].d = d
		if a.sigs.has(d.hash) {
			out[i].verified = true
			continue
		}
		bv.Add(d.tx.PubKey, sig.DomainTx, d.tx.Body, d.tx.Signature)
		idx = append(idx, i)
	}
	if bv.Len() == 0 {
		return out
	}
	_, each := bv.Verify()
	for j, i := range idx {
		if each[j] {
			out[i].verified = true
			a.sigs.add(out[i].d.hash)
		}
	}
	return out
}

// deliver executes one transaction on the block state. The fee rule
// (docs/fees.md, Cosmos' model): a transaction that passes the ante step
// (chain id, limits, sequence, fee) pays its fee and uses its sequence
// whether or not its messages succeed, because it took block space; its
// messages are all or nothing. A transaction that fails the ante step (or
// does not decode, or is not signed) changes nothing.
//
// tx, an empty overlay of the block's state, and msgs, an empty overlay of
// tx, are left empty again.
func (a *App) deliver(tx, msgs *ledger.Overlay, b Block, raw []byte, c checked) Result {
	if c.err != nil {
		return Result{Code: c.err.Code, Log: c.err.Msg, Hash: HashTx(raw)}
	}
	d := c.d
	if !c.verified {
		return Result{Code: ledger.CodeBadSignature, Log: "signature does not verify for the signer's key", Hash: d.hash}
	}
	r, paid := a.execute(tx, msgs, d, raw, b.Height, b.Time)
	r.Hash, r.Paid = d.hash, paid
	if paid {
		tx.Flush()
	} else {
		tx.Discard()
	}
	a.delivered = append(a.delivered, deliveredTx{signer: d.signer, seq: d.body.Sequence, paid: paid})
	return r
}

// execute runs the ante step of a decoded, verified transaction on st,
// then its messages on msgs, an empty overlay of st, flushed into st only
// if all succeed and emptied either way. paid reports that the ante step
// passed: the caller keeps st (the fee and the sequence) even when the
// result is a failure.
func (a *App) execute(st ledger.Store, msgs *ledger.Overlay, d *decoded, raw []byte, height, time int64) (r Result, paid bool) {
	if e := a.ante(st, d, raw, true); e != nil {
		return fail(e), false
	}
	ctx := &ledger.Context{Store: msgs, ChainID: a.chainID, Height: height, Time: time, Signer: d.signer}
	e := a.runMsgs(ctx, d)
	if e != nil {
		ctx.ResetEvents()
		msgs.Discard()
	} else {
		msgs.Flush()
	}
	ctx.Emit("tx", ledger.Attr{Key: "signer", Value: ctx.SignerString()},
		ledger.Attr{Key: "fee", Value: strconv.FormatUint(d.body.Fee, 10)},
		ledger.Attr{Key: "sequence", Value: strconv.FormatUint(d.body.Sequence, 10)})
	if e != nil {
		return Result{Code: e.Code, Log: e.Msg, Events: ctx.Events()}, true
	}
	return Result{Code: ledger.CodeOK, Events: ctx.Events()}, true
}

// runMsgs runs a transaction's messages in order and stops at the first
// failure, naming the message.
func (a *App) runMsgs(ctx *ledger.Context, d *decoded) *ledger.Error {
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

// ante checks chain id, limits, sequence (if checkSeq) and fee, then takes
// the fee and bumps the sequence on st.
func (a *App) ante(st ledger.Store, d *decoded, raw []byte, checkSeq bool) *ledger.Error {
	if d.body.ChainId != a.chainID {
		return ledger.Errorf(ledger.CodeWrongChainID, "tx is for chain %q, this is %q", d.body.ChainId, a.chainID)
	}
	if e := checkLimits(st, raw, d); e != nil {
		return e
	}
	if checkSeq {
		seq := Sequence(st, d.signer)
		if d.body.Sequence < seq {
			return ledger.Errorf(ledger.CodeSequenceUsed, "sequence %d already used, account %s is at %d", d.body.Sequence, d.signer, seq)
		}
		if d.body.Sequence > seq {
			return ledger.Errorf(ledger.CodeSequenceSkipped, "sequence %d skips ahead, account %s is at %d", d.body.Sequence, d.signer, seq)
		}
	}
	if a.fee != nil {
		if e := a.fee(st, d.signer, d.body.Fee); e != nil {
			return e
		}
	}
	setSequence(st, d.signer, d.body.Sequence+1)
	return nil
}

// Commit persists the finalized block (and genesis, at the first block).
func (a *App) Commit() error {
	if !a.finalized {
		return fmt.Errorf("app: commit without a finalized block")
	}
	writes := a.stagedWrites
	if writes == nil {
		writes = a.staged.Writes()
	}
	if err := a.db.Commit(a.height, a.appHash, writes); err != nil {
		return err
	}
	a.staged = ledger.NewOverlay(a.db)
	a.stagedWrites = nil
	a.finalized = false
	clear(a.proposed)
	a.blockTime.Store(a.finalizeTime)
	a.releaseAfterBlock()
	return nil
}
