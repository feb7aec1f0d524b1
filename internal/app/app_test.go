package app

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
)

func TestSendAndRejections(t *testing.T) {
	a := newTestApp(t)
	to := testAddr(5)
	good := sendTx(t, 1, 0, to, 500)
	if r := a.CheckTx(good); r.Code != ledger.CodeOK {
		t.Fatalf("check: got %v %s, want ok", r.Code, r.Log)
	}
	res := runBlock(t, a, good, good, sendTx(t, 1, 5, to, 1), sendTx(t, 2, 0, to, 2_000_000_000), []byte{0xff, 0x01})
	want := []ledger.Code{ledger.CodeOK, ledger.CodeSequenceUsed, ledger.CodeSequenceSkipped, ledger.CodeInsufficientFunds, ledger.CodeMalformed}
	for i, w := range want {
		if got := res.Txs[i].Code; got != w {
			t.Errorf("tx %d: got %v (%s), want %v", i, got, res.Txs[i].Log, w)
		}
	}
	st := a.Committed()
	if got := bank.Balance(st, to); got != 1_000_000_500 {
		t.Errorf("recipient: got %d, want 1000000500", got)
	}
	// The failed send passed the ante step: it pays its fee and uses its
	// sequence (the fee rule); its message changed nothing.
	if got := bank.Balance(st, testAddr(2)); got != 1_000_000_000-1000 {
		t.Errorf("failed sender: got %d, want 999999000 (the fee paid)", got)
	}
	if got := Sequence(st, testAddr(2)); got != 1 {
		t.Errorf("failed sender sequence: got %d, want 1", got)
	}
	if got := bank.Balance(st, bank.FeeCollector); got != 2000 {
		t.Errorf("fee collector: got %d, want 2000 (the good and the failed send)", got)
	}
	if r := a.CheckTx(good); r.Code != ledger.CodeSequenceUsed {
		t.Errorf("replay after commit: got %v, want sequence_used", r.Code)
	}
}
