package agent

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

func testBuilder(t testing.TB, seed byte) *Builder {
	t.Helper()
	s, err := OpenNonceStore(filepath.Join(t.TempDir(), "state.json"), 0, fixedNow(time.Unix(1_700_000_000, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return NewBuilder(testKey(t, seed), s, fixedNow(time.Unix(1_700_000_100, 0)))
}

func testEntropy(h int64) Entropy {
	var e Entropy
	e.Block.Height = h
	for i := range e.Block.Hash {
		e.Block.Hash[i] = byte(h) + byte(i)
	}
	e.Window = 180
	return e
}

// heartbeat builds a coverage heartbeat with the generic Build.
func heartbeat(t testing.TB, b *Builder, ent Entropy, uptime uint64) *reportv1.SignedReport {
	t.Helper()
	sr, err := b.Build(ent, "coverage", "heartbeat", &coveragev1.Heartbeat{Cell: 0x8c1f1d4a8c8a9ff, Uptime: uptime})
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

// TestBuild checks the envelope Build signs: the kind, type and body as
// given, the entropy, the key, increasing nonces and the builder's clock.
func TestBuild(t *testing.T) {
	b := testBuilder(t, 1)
	ent := testEntropy(42)
	var last uint64
	for i := range 3 {
		sr := heartbeat(t, b, ent, uint64(i))
		rep, err := VerifyReport(sr)
		if err != nil {
			t.Fatal(err)
		}
		var hb coveragev1.Heartbeat
		if rep.GetKind() != "coverage" || rep.GetType() != "heartbeat" || proto.Unmarshal(rep.GetBody(), &hb) != nil || hb.GetUptime() != uint64(i) {
			t.Fatalf("got %s/%s body %x, want a coverage heartbeat with uptime %d", rep.GetKind(), rep.GetType(), rep.GetBody(), i)
		}
		if rep.GetNonce() <= last || rep.GetTimestamp() != 1_700_000_100e9 || rep.GetEntropy().GetHeight() != 42 || string(rep.GetPubKey()) != string(b.Key().PubKey()) {
			t.Errorf("report %d: got nonce %d (after %d), timestamp %d, entropy %d", i, rep.GetNonce(), last, rep.GetTimestamp(), rep.GetEntropy().GetHeight())
		}
		last = rep.GetNonce()
		sr.Signature[0] ^= 1
		if _, err := VerifyReport(sr); !errors.Is(err, ErrBadSignature) {
			t.Errorf("tampered signature: got %v, want ErrBadSignature", err)
		}
	}
}
