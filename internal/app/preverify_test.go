package app

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

// TestPreVerify: PreVerify remembers exactly the signatures that verify,
// skips what does not decode, leaves a lone signature to CheckTx, and the
// CheckTx calls that follow give the answers they give without it.
func TestPreVerify(t *testing.T) {
	build := func() [][]byte {
		txs := [][]byte{
			sendTx(t, 1, 0, testAddr(2), 5),
			sendTx(t, 1, 1, testAddr(2), 5),
			sendTx(t, 3, 0, testAddr(2), 5),
			{0xff, 0x01}, // does not decode
			sendTx(t, 4, 0, testAddr(2), 5),
		}
		txs[2][len(txs[2])-1] ^= 0x40 // forge the signature's last byte
		return txs
	}
	plain, pre := newTestApp(t), newTestApp(t)
	txs := build()
	pre.PreVerify(txs)
	for i, raw := range txs {
		d, e := decode(raw)
		if e != nil {
			continue
		}
		if got, want := pre.sigs.has(d.hash), i != 2; got != want {
			t.Errorf("tx %d: cached %v after PreVerify, want %v", i, got, want)
		}
	}
	for i, raw := range txs {
		got, want := pre.CheckTx(raw), plain.CheckTx(raw)
		if got.Code != want.Code || got.Log != want.Log || got.Hash != want.Hash {
			t.Errorf("tx %d: CheckTx after PreVerify gave %d %q, without %d %q", i, got.Code, got.Log, want.Code, want.Log)
		}
	}
	if got := pre.CheckTx(txs[2]).Code; got != ledger.CodeBadSignature {
		t.Errorf("forged tx: got code %d, want %d", got, ledger.CodeBadSignature)
	}

	lone := newTestApp(t)
	one := sendTx(t, 5, 0, testAddr(2), 5)
	lone.PreVerify([][]byte{one, txs[3]})
	if d, _ := decode(one); lone.sigs.has(d.hash) {
		t.Error("a lone signature was verified by PreVerify; want it left to CheckTx's batches")
	}
}
