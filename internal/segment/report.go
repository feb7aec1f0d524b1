package segment

import (
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

// Rejection says why a signed report is refused: the status ingest answers
// with and a message in depin's own words.
type Rejection struct {
	Status ingestv1.Status
	Msg    string
}

// Error implements error.
func (r *Rejection) Error() string { return fmt.Sprintf("%s: %s", r.Status, r.Msg) }

func malformed(format string, args ...any) *Rejection {
	return &Rejection{Status: ingestv1.Status_STATUS_MALFORMED, Msg: fmt.Sprintf(format, args...)}
}

// DecodeReport decodes and checks the structure of a signed report: sizes,
// the envelope's required fields and the body, by its kind in kinds. It
// does not verify the signature.
func DecodeReport(kinds *kind.Registry, sr *reportv1.SignedReport, maxBytes int) (*reportv1.Report, *Rejection) {
	if sr == nil {
		return nil, malformed("empty report")
	}
	if n := len(sr.GetReport()) + len(sr.GetSignature()); n > maxBytes {
		return nil, &Rejection{Status: ingestv1.Status_STATUS_TOO_LARGE, Msg: fmt.Sprintf("report is %d bytes, limit %d", n, maxBytes)}
	}
	if len(sr.GetSignature()) != sig.SignatureLen {
		return nil, malformed("signature is %d bytes, want %d", len(sr.GetSignature()), sig.SignatureLen)
	}
	rep := new(reportv1.Report)
	if err := proto.Unmarshal(sr.GetReport(), rep); err != nil {
		// The library's error text changes between builds: say it in our words.
		return nil, malformed("report bytes do not decode as a depin report")
	}
	if r := checkReport(kinds, rep); r != nil {
		return nil, r
	}
	return rep, nil
}

func checkReport(kinds *kind.Registry, r *reportv1.Report) *Rejection {
	if len(r.GetPubKey()) != sig.PubKeyLen {
		return malformed("pub_key is %d bytes, want %d", len(r.GetPubKey()), sig.PubKeyLen)
	}
	if r.GetNonce() == 0 {
		return malformed("nonce must be positive")
	}
	if r.GetTimestamp() <= 0 {
		return malformed("timestamp must be positive unix nanoseconds")
	}
	if rj := checkBlockRef("entropy", r.GetEntropy()); rj != nil {
		return rj
	}
	if r.GetKind() == "" || r.GetType() == "" {
		return malformed("report has no kind or type")
	}
	if err := kinds.CheckReport(r.GetKind(), r.GetType(), r.GetBody(), r.GetPubKey()); err != nil {
		return malformed("%s", strings.TrimSuffix(err.Error(), ": "+kind.ErrInvalid.Error()))
	}
	return nil
}

func checkBlockRef(name string, b *reportv1.BlockRef) *Rejection {
	switch {
	case b == nil:
		return malformed("%s is missing", name)
	case b.GetHeight() <= 0:
		return malformed("%s height must be positive", name)
	case len(b.GetHash()) != hashLen:
		return malformed("%s hash is %d bytes, want %d", name, len(b.GetHash()), hashLen)
	}
	return nil
}
