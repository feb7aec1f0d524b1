package client

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// ErrTimeout is wrapped by WaitTx when a transaction is not indexed in time.
var ErrTimeout = errors.New("timed out")

// ErrTxNotFound is wrapped by Tx when the node's index has no transaction
// with that hash (not committed yet, or unknown).
var ErrTxNotFound = errors.New("tx not found")

// ErrBadTxHash is wrapped by Tx and WaitTx when a hash is not 32 bytes of
// hex.
var ErrBadTxHash = errors.New("bad tx hash")

// DefaultWaitTimeout bounds how long SignAndSend waits for the commit.
const DefaultWaitTimeout = 30 * time.Second

// CheckResult is the node's CheckTx answer to a broadcast.
type CheckResult struct {
	Code ledger.Code
	Log  string
	// Hash is the transaction hash in upper-case hex.
	Hash string
}

// Broadcast sends a signed transaction with broadcast_tx_sync and returns
// the CheckTx result. A non-zero code is not an error here: the caller
// decides (SignAndSend turns it into a *TxError).
func (c *Client) Broadcast(ctx context.Context, tx []byte) (CheckResult, error) {
	var r struct {
		Code uint32 `json:"code"`
		Log  string `json:"log"`
		Hash string `json:"hash"`
	}
	if err := c.call(ctx, "broadcast_tx_sync", map[string]string{"tx": base64.StdEncoding.EncodeToString(tx)}, &r); err != nil {
		return CheckResult{}, fmt.Errorf("client: broadcast: %w", err)
	}
	h := app.HashTx(tx)
	want := strings.ToUpper(hex.EncodeToString(h[:]))
	if r.Hash != "" && !strings.EqualFold(r.Hash, want) {
		return CheckResult{}, fmt.Errorf("client: broadcast: node reports hash %s, want %s", r.Hash, want)
	}
	return CheckResult{Code: ledger.Code(r.Code), Log: r.Log, Hash: want}, nil
}

// Tx asks the node's CometBFT kv indexer (/tx?hash=) for a committed
// transaction (hash in hex). An unknown hash is an error wrapping
// ErrTxNotFound.
func (c *Client) Tx(ctx context.Context, hash string) (query.Tx, error) {
	h, qe := query.ParseTxHash(hash)
	if qe != nil {
		return query.Tx{}, fmt.Errorf("client: tx: %s: %w", qe.Msg, ErrBadTxHash)
	}
	var r struct {
		Hash     string `json:"hash"`
		Height   int64  `json:"height,string"`
		Index    int    `json:"index"`
		TxResult struct {
			Code   uint32 `json:"code"`
			Log    string `json:"log"`
			Events []struct {
				Type  string `json:"type"`
				Attrs []struct {
					Key   string `json:"key"`
					Value string `json:"value"`
				} `json:"attributes"`
			} `json:"events"`
		} `json:"tx_result"`
	}
	err := c.get(ctx, "/tx", url.Values{"hash": {"0x" + hex.EncodeToString(h)}}, &r)
	var re *rpcError
	if errors.As(err, &re) && strings.HasSuffix(re.Data, ") not found") {
		return query.Tx{}, fmt.Errorf("client: tx %X: %w", h, ErrTxNotFound)
	}
	if err != nil {
		return query.Tx{}, fmt.Errorf("client: tx %X: %w", h, err)
	}
	res := r.TxResult
	t := query.Tx{Hash: strings.ToUpper(r.Hash), Height: r.Height, Index: r.Index, Code: res.Code, Status: ledger.Code(res.Code).String(), Log: res.Log}
	for _, e := range res.Events {
		ev := query.Event{Type: e.Type, Attrs: make([]query.Attr, len(e.Attrs))}
		for i, a := range e.Attrs {
			ev.Attrs[i] = query.Attr{Key: a.Key, Value: a.Value}
		}
		t.Events = append(t.Events, ev)
	}
	return t, nil
}

// WaitTx polls the node's tx index (Tx) until the transaction with hash
// (hex) is committed, then returns its record. It gives up after timeout
// with an error wrapping ErrTimeout, or when ctx ends. CometBFT indexes a
// block just after committing it, so a transaction is found a moment
// after its block.
func (c *Client) WaitTx(ctx context.Context, hash string, timeout time.Duration) (query.Tx, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(c.PollInterval)
	defer t.Stop()
	for {
		tx, err := c.Tx(ctx, hash)
		if err == nil {
			return tx, nil
		}
		if !errors.Is(err, ErrTxNotFound) && ctx.Err() == nil {
			return query.Tx{}, fmt.Errorf("client: wait for tx %s: %w", hash, err)
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return query.Tx{}, fmt.Errorf("client: wait for tx %s: not committed within %s: %w", hash, timeout, ErrTimeout)
			}
			return query.Tx{}, fmt.Errorf("client: wait for tx %s: %w", hash, ctx.Err())
		case <-t.C:
		}
	}
}

// TxResult is the outcome of a committed (or rejected) transaction.
type TxResult struct {
	Height int64         `json:"height,string"`
	Hash   string        `json:"hash"`
	Code   uint32        `json:"code"`
	Status string        `json:"status"`
	Log    string        `json:"log,omitempty"`
	Events []query.Event `json:"events,omitempty"`
}

// TxError is a transaction the node rejected before a block ("rejected")
// or that failed inside one ("failed").
type TxError struct {
	Stage  string // "rejected" or "failed"
	Code   ledger.Code
	Status string
	Log    string
	Hash   string
	Height int64
}

func (e *TxError) Error() string {
	return fmt.Sprintf("tx %s: %s (%d): %s", e.Stage, e.Status, uint32(e.Code), e.Log)
}

// Account fetches an account's balance and next sequence.
func (c *Client) Account(ctx context.Context, a ledger.Address) (query.Account, error) {
	var acc query.Account
	err := c.Query(ctx, "/accounts/"+a.String(), &acc)
	return acc, err
}

// Tx describes a transaction for SignAndSend.
type Tx struct {
	Msgs []*txv1.Msg
	// Fee in base units.
	Fee  uint64
	Memo string
	// Timeout bounds the wait for the commit (DefaultWaitTimeout if 0).
	Timeout time.Duration
}

// SignAndSend builds a transaction of msgs signed by priv (chain id from
// the node's status, sequence from the signer's account), broadcasts it and
// waits until it is committed. It returns the result; when the node rejects
// the transaction or it fails in its block the error is a *TxError and the
// result still says what happened.
func (c *Client) SignAndSend(ctx context.Context, priv sig.PrivateKey, tx Tx) (*TxResult, error) {
	if len(tx.Msgs) == 0 {
		return nil, fmt.Errorf("client: send: no messages")
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	signer := ledger.AddressOf(sig.PublicOf(priv))
	acc, err := c.Account(ctx, signer)
	if err != nil {
		return nil, fmt.Errorf("client: send: account of %s: %w", signer, err)
	}
	raw, err := app.BuildTx(priv, &txv1.TxBody{ChainId: st.ChainID, Sequence: acc.Sequence, Fee: tx.Fee, Memo: tx.Memo, Msgs: tx.Msgs})
	if err != nil {
		return nil, fmt.Errorf("client: send: build tx: %w", err)
	}
	chk, err := c.Broadcast(ctx, raw)
	if err != nil {
		return nil, err
	}
	if chk.Code != ledger.CodeOK {
		res := &TxResult{Hash: chk.Hash, Code: uint32(chk.Code), Status: chk.Code.String(), Log: chk.Log}
		return res, &TxError{Stage: "rejected", Code: chk.Code, Status: res.Status, Log: chk.Log, Hash: chk.Hash}
	}
	timeout := tx.Timeout
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	rec, err := c.WaitTx(ctx, chk.Hash, timeout)
	if err != nil {
		return &TxResult{Hash: chk.Hash, Status: "pending"}, err
	}
	res := &TxResult{Height: rec.Height, Hash: rec.Hash, Code: rec.Code, Status: rec.Status, Log: rec.Log, Events: rec.Events}
	if rec.Code != uint32(ledger.CodeOK) {
		return res, &TxError{Stage: "failed", Code: ledger.Code(rec.Code), Status: rec.Status, Log: rec.Log, Hash: rec.Hash, Height: rec.Height}
	}
	return res, nil
}
