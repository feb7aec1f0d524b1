package ingest

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/sig"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Domain is the signature domain of device reports: a device signs
// sig.SignBytes(Domain, encoded Report).
const Domain = "depin/report/v1"

// Field limits of a report.
const (
	// LocalEntropyLen is the beacon's local entropy size
	// (helium/proto beacon/src/entropy.rs LOCAL_ENTROPY_SIZE = 4).
	LocalEntropyLen = 4
	// MaxPayloadLen bounds beacon and witness payloads: a LoRa frame is at
	// most 255 bytes (Helium beacons are 51, BEACON_PAYLOAD_SIZE).
	MaxPayloadLen = 255
	// MaxRegionLen bounds the region name.
	MaxRegionLen = 16
	hashLen      = 32
)

// rejection is the outcome of a report that is not accepted.
type rejection struct {
	status ingestv1.Status
	msg    string
}

func reject(st ingestv1.Status, format string, args ...any) *rejection {
	return &rejection{status: st, msg: fmt.Sprintf(format, args...)}
}

// DecodeReport decodes and checks the structure of a signed report: sizes,
// required fields and the body. It does not verify the signature.
func DecodeReport(sr *reportv1.SignedReport, maxBytes int) (*reportv1.Report, error) {
	rep, r := decode(sr, maxBytes)
	if r != nil {
		return nil, fmt.Errorf("ingest: decode report: %s: %s", r.status, r.msg)
	}
	return rep, nil
}

func decode(sr *reportv1.SignedReport, maxBytes int) (*reportv1.Report, *rejection) {
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
		return nil, reject(ingestv1.Status_STATUS_MALFORMED, "report does not decode: %v", err)
	}
	if r := checkReport(rep); r != nil {
		return nil, r
	}
	return rep, nil
}

func checkReport(r *reportv1.Report) *rejection {
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
	switch b := r.GetBody().(type) {
	case *reportv1.Report_Beacon:
		return checkBeacon(b.Beacon)
	case *reportv1.Report_Witness:
		return checkWitness(r.GetPubKey(), b.Witness)
	case *reportv1.Report_Heartbeat:
		if b.Heartbeat.GetCell() == 0 {
			return bad("heartbeat cell is missing")
		}
		return nil
	default:
		return bad("report has no body")
	}
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

func checkBeacon(b *reportv1.Beacon) *rejection {
	bad := func(format string, args ...any) *rejection {
		return reject(ingestv1.Status_STATUS_MALFORMED, format, args...)
	}
	switch {
	case len(b.GetLocalEntropy()) != LocalEntropyLen:
		return bad("beacon local_entropy is %d bytes, want %d", len(b.GetLocalEntropy()), LocalEntropyLen)
	case len(b.GetPayload()) == 0 || len(b.GetPayload()) > MaxPayloadLen:
		return bad("beacon payload is %d bytes, want 1 to %d", len(b.GetPayload()), MaxPayloadLen)
	case b.GetFrequency() == 0:
		return bad("beacon frequency is missing")
	case b.GetRegion() == "" || len(b.GetRegion()) > MaxRegionLen:
		return bad("beacon region must be 1 to %d bytes", MaxRegionLen)
	}
	return nil
}

func checkWitness(self []byte, w *reportv1.Witness) *rejection {
	bad := func(format string, args ...any) *rejection {
		return reject(ingestv1.Status_STATUS_MALFORMED, format, args...)
	}
	switch {
	case len(w.GetBeaconer()) != 32:
		return bad("witness beaconer is %d bytes, want 32", len(w.GetBeaconer()))
	case bytes.Equal(w.GetBeaconer(), self):
		return bad("a device cannot witness its own beacon")
	case len(w.GetPayload()) == 0 || len(w.GetPayload()) > MaxPayloadLen:
		return bad("witness payload is %d bytes, want 1 to %d", len(w.GetPayload()), MaxPayloadLen)
	case w.GetFrequency() == 0:
		return bad("witness frequency is missing")
	}
	return checkBlockRef("witness beacon_entropy", w.GetBeaconEntropy())
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
