package ingest

import (
	"bytes"
	"fmt"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/segment"
	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Domain is the signature domain of device reports (segment.Domain).
const Domain = segment.Domain

// rejection is the outcome of a report that is not accepted.
type rejection struct {
	status ingestv1.Status
	msg    string
}

func reject(st ingestv1.Status, format string, args ...any) *rejection {
	return &rejection{status: st, msg: fmt.Sprintf(format, args...)}
}

// decode decodes and checks a signed report's structure and body
// (segment.DecodeReport).
func decode(kinds *kind.Registry, sr *reportv1.SignedReport, maxBytes int) (*reportv1.Report, *rejection) {
	rep, rj := segment.DecodeReport(kinds, sr, maxBytes)
	if rj != nil {
		return nil, &rejection{status: rj.Status, msg: rj.Msg}
	}
	return rep, nil
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
