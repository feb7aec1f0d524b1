package ingest

import (
	"bytes"
	"testing"

	"github.com/depin-network/depin/internal/sig"
)

// TestVerifyBatchAgreesWithSig checks the cached-key batch path against
// internal/sig's single verification on valid and invalid signatures.
func TestVerifyBatchAgreesWithSig(t *testing.T) {
	f := newFleet(4)
	msg := []byte("report bytes")
	good := sig.Sign(f.keys[0], Domain, msg)
	tampered := bytes.Clone(good)
	tampered[10] ^= 1
	notAPoint := bytes.Repeat([]byte{0xff}, 32)
	tests := []struct {
		name string
		pub  []byte
		msg  []byte
		sig  []byte
	}{
		{"valid", f.pub(0), msg, good},
		{"tampered signature", f.pub(0), msg, tampered},
		{"other key", f.pub(1), msg, good},
		{"other message", f.pub(0), []byte("other"), good},
		{"other domain", f.pub(0), msg, sig.Sign(f.keys[0], sig.DomainTx, msg)},
		{"key not a point", notAPoint, msg, good},
		{"valid again, cached key", f.pub(0), msg, good},
	}
	c := newKeyCache(2)
	var pubs, msgs, sigs [][]byte
	for _, tc := range tests {
		pubs, msgs, sigs = append(pubs, tc.pub), append(msgs, tc.msg), append(sigs, tc.sig)
	}
	for round := range 2 { // the second round runs on cached keys
		got := c.verifyBatch(pubs, msgs, sigs)
		for i, tc := range tests {
			if want := sig.Verify(tc.pub, Domain, tc.msg, tc.sig); got[i] != want {
				t.Errorf("round %d, %s: got %v, want %v (sig.Verify)", round, tc.name, got[i], want)
			}
		}
	}
	if len(c.m) > 2 {
		t.Errorf("got %d cached keys, want at most 2", len(c.m))
	}
}
