package app

import (
	"testing"

	"google.golang.org/protobuf/proto"
)

// TestPredecodedHandOver: PreVerify keeps the decoding of every
// transaction that decodes, exactly decode's; CheckTx takes its
// transaction's entry out and answers as it does without one; the next
// PreVerify drops what the previous batch left.
func TestPredecodedHandOver(t *testing.T) {
	txs := [][]byte{
		sendTx(t, 1, 0, testAddr(2), 5),
		sendTx(t, 3, 0, testAddr(2), 5),
		{0xff, 0x01}, // does not decode
	}
	a, plain := newTestApp(t), newTestApp(t)
	a.PreVerify(txs)
	if got, want := len(a.predecoded.m), 2; got != want {
		t.Fatalf("kept %d decodings, want %d", got, want)
	}
	for i, raw := range txs[:2] {
		want, _ := decode(raw)
		got := a.predecoded.m[string(raw)]
		if got == nil || got.hash != want.hash || got.signer != want.signer ||
			!proto.Equal(got.tx, want.tx) || !proto.Equal(got.body, want.body) {
			t.Fatalf("tx %d: kept decoding differs from decode's", i)
		}
	}
	r, want := a.CheckTx(txs[0]), plain.CheckTx(txs[0])
	if r.Code != want.Code || r.Log != want.Log || r.Hash != want.Hash {
		t.Fatalf("CheckTx with a kept decoding: got %d %q, want %d %q", r.Code, r.Log, want.Code, want.Log)
	}
	if _, ok := a.predecoded.m[string(txs[0])]; ok {
		t.Fatal("CheckTx left its transaction's decoding behind")
	}
	a.PreVerify(txs[2:])
	if n := len(a.predecoded.m); n != 0 {
		t.Fatalf("a new batch kept %d decodings of the previous one, want 0", n)
	}
	r, want = a.CheckTx(txs[1]), plain.CheckTx(txs[1])
	if r.Code != want.Code || r.Log != want.Log || r.Hash != want.Hash {
		t.Fatalf("CheckTx without a kept decoding: got %d %q, want %d %q", r.Code, r.Log, want.Code, want.Log)
	}
}
