package ingest

import (
	"bytes"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Domain is the signature domain of device reports: a device signs
// sig.SignBytes(Domain, encoded Report).
const Domain = "depin/report/v1"

const hashLen = 32

// rejection is the outcome of a report that is not accepted.
type rejection struct {
	status ingestv1.Status
	msg    string
}

func reject(st ingestv1.Status, format string, args ...any) *rejection {
	return &rejection{status: st, msg: fmt.Sprintf(format, args...)}
}

// DecodeReport decodes and checks the structure of a signed report: sizes,
// the envelope's required fields and the body, by its kind in kinds. It
// does not verify the signature.
func DecodeReport(kinds *kind.Registry, sr *reportv1.SignedReport, maxBytes int) (*reportv1.Report, error) {
	rep, r := decode(kinds, sr, maxBytes)
	if r != nil {
		return nil, fmt.Errorf("ingest: decode report: %s: %s", r.status, r.msg)
	}
	return rep, nil
}

func decode(kinds *kind.Registry, sr *reportv1.SignedReport, maxBytes int) (*reportv1.Report, *rejection) {
	if sr == nil {
		return nil, reject(ingestv1.Status_STATUS_MALFORMED, "empty report")
	}
	if n := len(sr.GetReport()) + len(sr.GetSignature()); n > maxBytes {
		return nil, reject(ingestv1.Status_STATUS_TOO_LARGE, "report is %d bytes, limit %d", n, maxBytes)
	}
	if len(sr.GetSignature()) != sig.SignatureLen {
		return nil, reject(ingestv1.Status_STATUS_MALFORMED, "signature is %d bytes, want %d", len(sr.GetSignature()), sig.SignatureLen)
	}
	rep := new(reportv1.Report)
	if err := proto.Unmarshal(sr.GetReport(), rep); err != nil {
		// The library's error text changes between builds: say it in our words.
		return nil, reject(ingestv1.Status_STATUS_MALFORMED, "report bytes do not decode as a depin report")
	}
	if r := checkReport(kinds, rep); r != nil {
		return nil, r
	}
	return rep, nil
}

func checkReport(kinds *kind.Registry, r *reportv1.Report) *rejection {
	bad := func(format string, args ...any) *rejection {
		return reject(ingestv1.Status_STATUS_MALFORMED, format, args...)
	}
	if len(r.GetPubKey()) != sig.PubKeyLen {
		return bad("pub_key is %d bytes, want %d", len(r.GetPubKey()), sig.PubKeyLen)
	}
	if r.GetNonce() == 0 {
		return bad("nonce must be positive")
	}
	if r.GetTimestamp() <= 0 {
		return bad("timestamp must be positive unix nanoseconds")
	}
	if rj := checkBlockRef("entropy", r.GetEntropy()); rj != nil {
		return rj
	}
	if r.GetKind() == "" || r.GetType() == "" {
		return bad("report has no kind or type")
	}
	if err := kinds.CheckReport(r.GetKind(), r.GetType(), r.GetBody(), r.GetPubKey()); err != nil {
		return bad("%s", strings.TrimSuffix(err.Error(), ": "+kind.ErrInvalid.Error()))
	}
	return nil
}

func checkBlockRef(name string, b *reportv1.BlockRef) *rejection {
	switch {
	case b == nil:
		return reject(ingestv1.Status_STATUS_MALFORMED, "%s is missing", name)
	case b.GetHeight() <= 0:
		return reject(ingestv1.Status_STATUS_MALFORMED, "%s height must be positive", name)
	case len(b.GetHash()) != hashLen:
		return reject(ingestv1.Status_STATUS_MALFORMED, "%s hash is %d bytes, want %d", name, len(b.GetHash()), hashLen)
	}
	return nil
}

// checkEntropy checks that ref names a block within window blocks of head.
func checkEntropy(e Entropy, head, window int64, ref *reportv1.BlockRef) *rejection {
	h := ref.GetHeight()
	if h > head {
		return reject(ingestv1.Status_STATUS_UNKNOWN_ENTROPY, "entropy height %d is above the chain head %d", h, head)
	}
	if head-h > window {
		return reject(ingestv1.Status_STATUS_STALE_ENTROPY, "entropy height %d is %d blocks behind the head %d, window %d", h, head-h, head, window)
	}
	want, ok := e.BlockHash(h)
	if !ok {
		return reject(ingestv1.Status_STATUS_UNKNOWN_ENTROPY, "no block hash known at height %d", h)
	}
	if !bytes.Equal(want, ref.GetHash()) {
		return reject(ingestv1.Status_STATUS_UNKNOWN_ENTROPY, "entropy hash is not the hash of block %d", h)
	}
	return nil
}
