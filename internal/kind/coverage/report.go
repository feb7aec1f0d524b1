package coverage

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/kind"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
)

// CheckReport implements kind.Kind: the body decodes as its type's message
// and its fields are in range. A witness may not name its own device as
// the beaconer.
func (Kind) CheckReport(typ string, body, pubKey []byte) error {
	_, err := decodeBody(typ, body, pubKey)
	return err
}

func bad(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, kind.ErrInvalid)...)
}

// decodeBody decodes and checks a report body.
func decodeBody(typ string, body, pubKey []byte) (proto.Message, error) {
	switch typ {
	case TypeBeacon:
		b := new(coveragev1.Beacon)
		if proto.Unmarshal(body, b) != nil {
			return nil, bad("beacon body does not decode")
		}
		return b, checkBeacon(b)
	case TypeWitness:
		w := new(coveragev1.Witness)
		if proto.Unmarshal(body, w) != nil {
			return nil, bad("witness body does not decode")
		}
		return w, checkWitness(pubKey, w)
	case TypeHeartbeat:
		h := new(coveragev1.Heartbeat)
		if proto.Unmarshal(body, h) != nil {
			return nil, bad("heartbeat body does not decode")
		}
		if h.GetCell() == 0 {
			return nil, bad("heartbeat cell is missing")
		}
		return h, nil
	}
	return nil, bad("coverage has no report type %q", typ)
}

func checkBeacon(b *coveragev1.Beacon) error {
	switch {
	case len(b.GetLocalEntropy()) != LocalEntropySize:
		return bad("beacon local_entropy is %d bytes, want %d", len(b.GetLocalEntropy()), LocalEntropySize)
	case len(b.GetPayload()) == 0 || len(b.GetPayload()) > MaxPayloadLen:
		return bad("beacon payload is %d bytes, want 1 to %d", len(b.GetPayload()), MaxPayloadLen)
	case b.GetFrequency() == 0:
		return bad("beacon frequency is missing")
	case b.GetRegion() == "" || len(b.GetRegion()) > MaxRegionLen:
		return bad("beacon region must be 1 to %d bytes", MaxRegionLen)
	}
	return nil
}

func checkWitness(self []byte, w *coveragev1.Witness) error {
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
	e := w.GetBeaconEntropy()
	switch {
	case e == nil:
		return bad("witness beacon_entropy is missing")
	case e.GetHeight() <= 0:
		return bad("witness beacon_entropy height must be positive")
	case len(e.GetHash()) != 32:
		return bad("witness beacon_entropy hash is %d bytes, want 32", len(e.GetHash()))
	}
	return nil
}
