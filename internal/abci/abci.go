package abci

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
)

// QueryFunc answers a query path over committed state with a code, a JSON
// body and a message.
type QueryFunc func(path string) (body []byte, code uint32, log string)

// Adapter is an abcitypes.Application over an app.App.
type Adapter struct {
	abcitypes.BaseApplication
	app   *app.App
	query QueryFunc
}

var _ abcitypes.Application = (*Adapter)(nil)

// New wraps a state machine and a query function.
func New(a *app.App, q QueryFunc) *Adapter { return &Adapter{app: a, query: q} }

// Info reports the last committed height and app hash, so that CometBFT
// replays exactly the blocks the app has not committed.
func (x *Adapter) Info(context.Context, *abcitypes.RequestInfo) (*abcitypes.ResponseInfo, error) {
	h, hash := x.app.LastCommit()
	return &abcitypes.ResponseInfo{Data: "depin", Version: "1", AppVersion: 1, LastBlockHeight: h, LastBlockAppHash: hash}, nil
}

// InitChain writes genesis.
func (x *Adapter) InitChain(_ context.Context, req *abcitypes.RequestInitChain) (*abcitypes.ResponseInitChain, error) {
	hash, err := x.app.InitChain(req.ChainId, req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	return &abcitypes.ResponseInitChain{AppHash: hash}, nil
}

// CheckTx admits a transaction to the mempool or rejects it with its code.
func (x *Adapter) CheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	r := x.app.CheckTx(req.Tx)
	return &abcitypes.ResponseCheckTx{Code: uint32(r.Code), Log: r.Log, Codespace: codespace(r.Code)}, nil
}

// DryCheckTx answers as CheckTx would and reserves nothing: the RPC's
// check_tx, which does not add the transaction to the mempool, must not
// change what the mempool admits next (internal/node routes the mempool
// connection's synchronous CheckTx here).
func (x *Adapter) DryCheckTx(_ context.Context, req *abcitypes.RequestCheckTx) (*abcitypes.ResponseCheckTx, error) {
	r := x.app.DryCheckTx(req.Tx)
	return &abcitypes.ResponseCheckTx{Code: uint32(r.Code), Log: r.Log, Codespace: codespace(r.Code)}, nil
}

// PrepareProposal selects the transactions of a proposed block.
func (x *Adapter) PrepareProposal(_ context.Context, req *abcitypes.RequestPrepareProposal) (*abcitypes.ResponsePrepareProposal, error) {
	return &abcitypes.ResponsePrepareProposal{Txs: x.app.PrepareProposal(req.Txs, req.MaxTxBytes)}, nil
}

// ProcessProposal pre-verifies a proposed block's signatures.
func (x *Adapter) ProcessProposal(_ context.Context, req *abcitypes.RequestProcessProposal) (*abcitypes.ResponseProcessProposal, error) {
	if !x.app.ProcessProposal(req.Txs) {
		return &abcitypes.ResponseProcessProposal{Status: abcitypes.ResponseProcessProposal_REJECT}, nil
	}
	return &abcitypes.ResponseProcessProposal{Status: abcitypes.ResponseProcessProposal_ACCEPT}, nil
}

// FinalizeBlock executes a decided block.
func (x *Adapter) FinalizeBlock(_ context.Context, req *abcitypes.RequestFinalizeBlock) (*abcitypes.ResponseFinalizeBlock, error) {
	res, err := x.app.FinalizeBlock(blockOf(req))
	if err != nil {
		return nil, err
	}
	out := &abcitypes.ResponseFinalizeBlock{TxResults: make([]*abcitypes.ExecTxResult, len(res.Txs)), Events: events(res.Events), AppHash: res.AppHash}
	for i, r := range res.Txs {
		out.TxResults[i] = &abcitypes.ExecTxResult{Code: uint32(r.Code), Log: r.Log, Codespace: codespace(r.Code), Events: events(r.Events)}
	}
	for _, u := range res.ValidatorUpdates {
		out.ValidatorUpdates = append(out.ValidatorUpdates, abcitypes.UpdateValidator(u.PubKey, u.Power, "ed25519"))
	}
	return out, nil
}

// blockOf turns CometBFT's FinalizeBlock request into the app's block: the
// transactions, and the begin-block input of the modules (proposer,
// last-commit votes, misbehaviour). A vote counts as signed unless its
// validator was absent (a vote for nil is a signature too, as in Cosmos'
// x/slashing). An address that is not 20 bytes (no key type depin
// accepts) becomes the zero address.
func blockOf(req *abcitypes.RequestFinalizeBlock) app.Block {
	b := app.Block{Height: req.Height, Time: req.Time.UnixNano(), Txs: req.Txs, Proposer: addr(req.ProposerAddress)}
	for _, v := range req.DecidedLastCommit.Votes {
		b.Votes = append(b.Votes, ledger.Vote{Validator: addr(v.Validator.Address), Power: v.Validator.Power,
			Signed: v.BlockIdFlag != cmtproto.BlockIDFlagAbsent})
	}
	for _, m := range req.Misbehavior {
		b.Evidence = append(b.Evidence, ledger.Misbehavior{Kind: ledger.MisbehaviorKind(m.Type), Validator: addr(m.Validator.Address),
			Power: m.Validator.Power, Height: m.Height, Time: m.Time.UnixNano(), TotalPower: m.TotalVotingPower})
	}
	return b
}

func addr(b []byte) ledger.Address {
	a, _ := ledger.AddressFromBytes(b)
	return a
}

// Commit persists the finalized block.
func (x *Adapter) Commit(context.Context, *abcitypes.RequestCommit) (*abcitypes.ResponseCommit, error) {
	if err := x.app.Commit(); err != nil {
		return nil, fmt.Errorf("abci: commit: %w", err)
	}
	return &abcitypes.ResponseCommit{}, nil
}

// Query answers a read over committed state. Only the latest height is
// served; asking for another is an error.
func (x *Adapter) Query(_ context.Context, req *abcitypes.RequestQuery) (*abcitypes.ResponseQuery, error) {
	h, _ := x.app.LastCommit()
	if req.Height != 0 && req.Height != h {
		return &abcitypes.ResponseQuery{Code: 1, Log: fmt.Sprintf("only the latest height %d can be queried, not %d", h, req.Height), Height: h}, nil
	}
	path := req.Path
	if len(req.Data) > 0 && path == "" {
		path = string(req.Data)
	}
	body, code, log := x.query(path)
	return &abcitypes.ResponseQuery{Code: code, Value: body, Log: log, Height: h}, nil
}

func codespace(c ledger.Code) string {
	if c == ledger.CodeOK {
		return ""
	}
	return "depin"
}

func events(evs []ledger.Event) []abcitypes.Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]abcitypes.Event, len(evs))
	for i, e := range evs {
		attrs := make([]abcitypes.EventAttribute, len(e.Attrs))
		for j, a := range e.Attrs {
			attrs[j] = abcitypes.EventAttribute{Key: a.Key, Value: a.Value, Index: indexedKeys[a.Key]}
		}
		out[i] = abcitypes.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}
