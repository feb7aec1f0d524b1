package agent

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/sig"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Domain is the signature domain of device reports: a device signs
// sig.SignBytes(Domain, encoded Report). Ingest verifies under the same
// domain (internal/ingest.Domain).
const Domain = "depin/report/v1"

// ErrBadSignature is returned by VerifyReport for a signature that does not
// verify.
var ErrBadSignature = errors.New("bad signature")

// BlockRef names a chain block: the entropy a report answers.
type BlockRef struct {
	Height int64
	Hash   [32]byte
}

// Proto returns the report schema's form of b.
func (b BlockRef) Proto() *reportv1.BlockRef {
	return &reportv1.BlockRef{Height: b.Height, Hash: bytes.Clone(b.Hash[:])}
}

// Entropy is the block reports should answer now and how many blocks behind
// the chain head ingest still accepts.
type Entropy struct {
	Block  BlockRef
	Window int64
}

// Builder builds and signs a device's reports, each with the device's next
// nonce and the device clock as timestamp. It is safe for concurrent use.
type Builder struct {
	key    *Key
	nonces *NonceStore
	now    func() time.Time
}

// NewBuilder returns a builder signing with key and numbering with nonces;
// now is the device clock (time.Now if nil).
func NewBuilder(key *Key, nonces *NonceStore, now func() time.Time) *Builder {
	if now == nil {
		now = time.Now
	}
	return &Builder{key: key, nonces: nonces, now: now}
}

// Key returns the builder's key.
func (b *Builder) Key() *Key { return b.key }

// Build encodes body as a report of a kind and type answering ent.Block,
// and signs it with the device's next nonce.
func (b *Builder) Build(ent Entropy, kind, typ string, body proto.Message) (*reportv1.SignedReport, error) {
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("agent: build %s %s report: %w", kind, typ, err)
	}
	return b.Sign(&reportv1.Report{Entropy: ent.Block.Proto(), Kind: kind, Type: typ, Body: raw})
}

// Sign fills rep's public key, next nonce and timestamp, then encodes and
// signs it. rep is modified.
func (b *Builder) Sign(rep *reportv1.Report) (*reportv1.SignedReport, error) {
	n, err := b.nonces.Next()
	if err != nil {
		return nil, err
	}
	rep.PubKey = b.key.PubKey()
	rep.Nonce = n
	rep.Timestamp = b.now().UnixNano()
	return SignReport(b.key, rep)
}

// SignReport encodes rep as it is and signs the bytes:
// SignedReport{report, Sign(sig.SignBytes(Domain, report))}.
func SignReport(k *Key, rep *reportv1.Report) (*reportv1.SignedReport, error) {
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("agent: sign report: %w", err)
	}
	return &reportv1.SignedReport{Report: body, Signature: k.Sign(Domain, body)}, nil
}

// VerifyReport decodes a signed report and verifies its signature under
// ZIP-215 for the public key it names, as ingest does. It does not check the
// report's other fields.
func VerifyReport(sr *reportv1.SignedReport) (*reportv1.Report, error) {
	rep := new(reportv1.Report)
	if err := proto.Unmarshal(sr.GetReport(), rep); err != nil {
		return nil, fmt.Errorf("agent: verify report: decode: %w", err)
	}
	if !sig.Verify(rep.GetPubKey(), Domain, sr.GetReport(), sr.GetSignature()) {
		return nil, fmt.Errorf("agent: verify report: %w", ErrBadSignature)
	}
	return rep, nil
}
