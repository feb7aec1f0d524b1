package app

import (
	"bytes"
	"crypto/sha256"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Parameters of transaction handling.
var (
	MaxTxBytes = params.Spec{Name: "tx.max_bytes", Default: 64 << 10, Min: 1 << 10, Max: 1 << 20, Unit: "bytes",
		Doc: "largest encoded transaction accepted"}
	MaxMsgs = params.Spec{Name: "tx.max_msgs", Default: 64, Min: 1, Max: 1024, Unit: "messages",
		Doc: "most messages in one transaction"}
	MaxMemo = params.Spec{Name: "tx.max_memo", Default: 256, Min: 0, Max: 4096, Unit: "bytes",
		Doc: "longest memo"}
)

// Specs lists the transaction parameters.
func Specs() []params.Spec { return []params.Spec{MaxTxBytes, MaxMsgs, MaxMemo} }

// HardMaxTxBytes bounds decoding before any parameter is read.
const HardMaxTxBytes = 1 << 20

// Hash is the SHA-256 of a transaction's bytes, its id.
type Hash = [32]byte

// HashTx returns a transaction's id.
func HashTx(raw []byte) Hash { return sha256.Sum256(raw) }

// decoded is a transaction after decoding, before any state is read.
type decoded struct {
	hash   Hash
	tx     *txv1.Tx
	body   *txv1.TxBody
	signer ledger.Address
}

// decode parses a transaction and checks its shape. It reads no state and
// verifies no signature.
func decode(raw []byte) (*decoded, *ledger.Error) {
	if len(raw) > HardMaxTxBytes {
		return nil, ledger.Errorf(ledger.CodeTooLarge, "tx is %d bytes, at most %d", len(raw), HardMaxTxBytes)
	}
	if len(raw) == 0 {
		return nil, ledger.Errorf(ledger.CodeMalformed, "empty tx")
	}
	var tx txv1.Tx
	if e := ledger.Unmarshal("tx", raw, &tx); e != nil {
		return nil, e
	}
	if len(tx.PubKey) != sig.PubKeyLen {
		return nil, ledger.Errorf(ledger.CodeMalformed, "public key is %d bytes, want %d", len(tx.PubKey), sig.PubKeyLen)
	}
	if len(tx.Signature) != sig.SignatureLen {
		return nil, ledger.Errorf(ledger.CodeMalformed, "signature is %d bytes, want %d", len(tx.Signature), sig.SignatureLen)
	}
	if !canonical(raw, &tx) {
		return nil, ledger.Errorf(ledger.CodeMalformed, "tx is not in its canonical encoding (fields in number order, each once, no defaults)")
	}
	var body txv1.TxBody
	if e := ledger.Unmarshal("tx body", tx.Body, &body); e != nil {
		return nil, e
	}
	if !canonical(tx.Body, &body) {
		return nil, ledger.Errorf(ledger.CodeMalformed, "tx body is not in its canonical encoding (fields in number order, each once, no defaults)")
	}
	if len(body.Msgs) == 0 {
		return nil, ledger.Errorf(ledger.CodeMalformed, "tx has no messages")
	}
	return &decoded{hash: HashTx(raw), tx: &tx, body: &body, signer: ledger.AddressOf(tx.PubKey)}, nil
}

// canonicalOpts encodes the one canonical form of a message: fields in
// field-number order, each once, default values left out (the
// deterministic encoding of the Go protobuf library, which has no maps or
// unknown fields to vary here).
var canonicalOpts = proto.MarshalOptions{Deterministic: true}

// canonical reports whether raw is the canonical encoding of m, its
// decoding. Accepting only that form makes a transaction's hash (the hash
// of its bytes) one per transaction: a relayer cannot re-encode the
// envelope (reorder or repeat fields) to put the same signed body in the
// mempool and the chain under another hash, and a signer has one body per
// meaning (DESIGN §5).
func canonical(raw []byte, m proto.Message) bool {
	b, err := canonicalOpts.Marshal(m)
	return err == nil && bytes.Equal(b, raw)
}

// verify checks the transaction's signature.
func (d *decoded) verify() bool {
	return sig.Verify(d.tx.PubKey, sig.DomainTx, d.tx.Body, d.tx.Signature)
}

// checkLimits applies the parameterised size limits.
func checkLimits(st ledger.Store, raw []byte, d *decoded) *ledger.Error {
	if max := params.Get(st, MaxTxBytes); uint64(len(raw)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "tx is %d bytes, at most %d", len(raw), max)
	}
	if max := params.Get(st, MaxMsgs); uint64(len(d.body.Msgs)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "tx has %d messages, at most %d", len(d.body.Msgs), max)
	}
	if max := params.Get(st, MaxMemo); uint64(len(d.body.Memo)) > max {
		return ledger.Errorf(ledger.CodeTooLarge, "memo is %d bytes, at most %d", len(d.body.Memo), max)
	}
	return nil
}

// BuildTx encodes and signs a transaction: the client side of decode.
// Both the body and the envelope are encoded canonically, as decode
// requires.
func BuildTx(priv sig.PrivateKey, body *txv1.TxBody) ([]byte, error) {
	bz, err := canonicalOpts.Marshal(body)
	if err != nil {
		return nil, err
	}
	tx := &txv1.Tx{Body: bz, PubKey: sig.PublicOf(priv), Signature: sig.Sign(priv, sig.DomainTx, bz)}
	return canonicalOpts.Marshal(tx)
}
