package app

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Regression tests of issue 8 items 4 and 6 (RELIABILITY.md): each fails on
// the code the issue was filed against.

// appWithBalances starts an app where account i holds balances[i].
func appWithBalances(t *testing.T, balances ...uint64) *App {
	t.Helper()
	g := Genesis{Denom: "upin", Decimals: 6, Authority: testAddr(0).String()}
	for i, b := range balances {
		g.Balances = append(g.Balances, GenesisBalance{Address: testAddr(i).String(), Amount: b})
	}
	raw, _ := json.Marshal(g)
	a := New(NewMemBackend(), BankModule())
	if _, err := a.InitChain(testChain, raw); err != nil {
		t.Fatal(err)
	}
	runBlock(t, a)
	return a
}

// A transaction whose message fails inside a block still pays its fee and
// uses its sequence: it took block space.
func TestFailedTxPaysFee(t *testing.T) {
	a := appWithBalances(t, 1_000_000, 1_000_000)
	st := a.Committed()
	before := bank.Balance(st, testAddr(1))
	fail := sendTx(t, 1, 0, testAddr(0), 5_000_000) // more than the balance
	res := runBlock(t, a, fail)
	r := res.Txs[0]
	if r.Code != ledger.CodeInsufficientFunds {
		t.Fatalf("code %v (%s), want insufficient_funds", r.Code, r.Log)
	}
	st = a.Committed()
	if got := bank.Balance(st, testAddr(1)); got != before-1000 {
		t.Errorf("sender holds %d, want %d: the fee is charged although the message failed", got, before-1000)
	}
	if got := bank.Balance(st, bank.FeeCollector); got != 1000 {
		t.Errorf("fee collector holds %d, want 1000", got)
	}
	if got := Sequence(st, testAddr(1)); got != 1 {
		t.Errorf("sequence %d, want 1", got)
	}
	if len(r.Events) != 1 || r.Events[0].Type != "tx" {
		t.Errorf("events %v, want only the tx (fee) event", r.Events)
	}
}

// The mempool keeps a pending balance per sender: queued fees never exceed
// the committed balance, so a sender cannot queue more block space than it
// can pay for.
func TestQueuedFeesBoundedByBalance(t *testing.T) {
	a := appWithBalances(t, 1_000_000, 2_500)
	to := testAddr(0)
	for seq := uint64(0); seq < 2; seq++ {
		if r := a.CheckTx(sendTx(t, 1, seq, to, 1)); r.Code != ledger.CodeOK {
			t.Fatalf("tx %d: %v (%s), want ok", seq, r.Code, r.Log)
		}
	}
	if r := a.CheckTx(sendTx(t, 1, 2, to, 1)); r.Code != ledger.CodeInsufficientFunds {
		t.Fatalf("third tx: %v (%s), want insufficient_funds (3000 upin of fees queued against 2500)", r.Code, r.Log)
	}
}

// A reservation is released when its transaction fails in a block: a
// sender whose queued tx failed the ante step cannot jump past it (the
// rest of its queue would fail as gaps without paying).
func TestReservationReleasedWhenTxFails(t *testing.T) {
	a := appWithBalances(t, 1_000_000, 3_000)
	to := testAddr(0)
	drain := sendTx(t, 1, 0, to, 2_000) // leaves 0 after its fee
	next := sendTx(t, 1, 1, to, 1)
	for _, tx := range [][]byte{drain, next} {
		if r := a.CheckTx(tx); r.Code != ledger.CodeOK {
			t.Fatalf("check: %v (%s)", r.Code, r.Log)
		}
	}
	res := runBlock(t, a, drain, next)
	if res.Txs[0].Code != ledger.CodeOK || res.Txs[1].Code != ledger.CodeInsufficientFunds {
		t.Fatalf("block results %v, %v; want ok then insufficient_funds (no fee left)", res.Txs[0].Code, res.Txs[1].Code)
	}
	if got := Sequence(a.Committed(), testAddr(1)); got != 1 {
		t.Fatalf("sequence %d, want 1: the failed ante step uses none", got)
	}
	if r := a.CheckTx(sendTx(t, 1, 2, to, 1)); r.Code != ledger.CodeSequenceSkipped {
		t.Fatalf("tx 2 after tx 1 failed: %v (%s), want sequence_skipped", r.Code, r.Log)
	}
}

// DryCheckTx (the RPC's check_tx) answers like CheckTx and reserves
// nothing.
func TestDryCheckTxReservesNothing(t *testing.T) {
	a := appWithBalances(t, 1_000_000, 1_000_000)
	to := testAddr(0)
	if r := a.DryCheckTx(sendTx(t, 1, 0, to, 1)); r.Code != ledger.CodeOK {
		t.Fatalf("dry check: %v (%s)", r.Code, r.Log)
	}
	if r := a.CheckTx(sendTx(t, 1, 1, to, 1)); r.Code != ledger.CodeSequenceSkipped {
		t.Fatalf("tx 1 after a dry check of tx 0: %v (%s), want sequence_skipped", r.Code, r.Log)
	}
	if r := a.DryCheckTx(sendTx(t, 1, 1, to, 1)); r.Code != ledger.CodeSequenceSkipped {
		t.Fatalf("dry check of a gap: %v, want sequence_skipped like CheckTx", r.Code)
	}
	// A second transaction for a queued sequence is refused: it would take
	// block space and fail without paying.
	if r := a.CheckTx(sendTx(t, 1, 0, to, 1)); r.Code != ledger.CodeOK {
		t.Fatal(r.Log)
	}
	if r := a.CheckTx(sendTx(t, 1, 0, to, 2)); r.Code != ledger.CodeSequenceUsed {
		t.Fatalf("second tx for sequence 0: %v (%s), want sequence_used", r.Code, r.Log)
	}
}

// Only the canonical encoding of the envelope and the body is accepted:
// one transaction, one hash.
func TestNonCanonicalTxRefused(t *testing.T) {
	a := appWithBalances(t, 1_000_000, 1_000_000)
	good := sendTx(t, 1, 0, testAddr(0), 1)
	var tx txv1.Tx
	if err := proto.Unmarshal(good, &tx); err != nil {
		t.Fatal(err)
	}
	// The envelope with its fields in reverse order, and with the public
	// key repeated (the last one wins when decoding).
	var reordered, repeated []byte
	reordered = protowire.AppendTag(reordered, 3, protowire.BytesType)
	reordered = protowire.AppendBytes(reordered, tx.Signature)
	reordered = protowire.AppendTag(reordered, 2, protowire.BytesType)
	reordered = protowire.AppendBytes(reordered, tx.PubKey)
	reordered = protowire.AppendTag(reordered, 1, protowire.BytesType)
	reordered = protowire.AppendBytes(reordered, tx.Body)
	repeated = append(append([]byte(nil), good...), protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), tx.PubKey)...)
	for name, raw := range map[string][]byte{"reordered envelope": reordered, "repeated field": repeated} {
		var back txv1.Tx
		if err := proto.Unmarshal(raw, &back); err != nil || !proto.Equal(&back, &tx) {
			t.Fatalf("%s: does not decode to the same tx", name)
		}
		if r := a.CheckTx(raw); r.Code != ledger.CodeMalformed {
			t.Errorf("%s: CheckTx %v (%s), want malformed", name, r.Code, r.Log)
		}
		if r := runBlock(t, a, raw).Txs[0]; r.Code != ledger.CodeMalformed {
			t.Errorf("%s: in a block %v, want malformed", name, r.Code)
		}
	}
	// A body re-encoded by the signer (fields out of order) is refused too.
	var body txv1.TxBody
	_ = proto.Unmarshal(tx.Body, &body)
	var rb []byte
	rb = protowire.AppendTag(rb, 2, protowire.VarintType) // sequence before chain id
	rb = protowire.AppendVarint(rb, body.Sequence)
	cb, _ := proto.Marshal(&txv1.TxBody{ChainId: body.ChainId})
	rb = append(rb, cb...)
	rest, _ := proto.Marshal(&txv1.TxBody{Fee: body.Fee, Msgs: body.Msgs, Memo: body.Memo})
	rb = append(rb, rest...)
	if r := a.CheckTx(signedBody(t, rb)); r.Code != ledger.CodeMalformed {
		t.Errorf("reordered body: %v (%s), want malformed", r.Code, r.Log)
	}
	if r := a.CheckTx(good); r.Code != ledger.CodeOK {
		t.Errorf("canonical tx: %v (%s), want ok", r.Code, r.Log)
	}
}

// signedBody signs body bytes as sent with account 1's key in a canonical
// envelope.
func signedBody(t *testing.T, body []byte) []byte {
	t.Helper()
	k := testKey(1)
	raw, err := canonicalOpts.Marshal(&txv1.Tx{Body: body, PubKey: sig.PublicOf(k), Signature: sig.Sign(k, sig.DomainTx, body)})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// docs/fees.md states ReservationBlocks; it must match the code.
func TestFeesDocUpToDate(t *testing.T) {
	b, err := os.ReadFile("../../docs/fees.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("`app.ReservationBlocks` (%d blocks)", ReservationBlocks); !strings.Contains(string(b), want) {
		t.Errorf("docs/fees.md does not say %q", want)
	}
}

// A reservation never expires under a queued chain (blocks without the tx
// do not break it), and after ReservationBlocks another tx may take over
// its sequence.
func TestStaleReservationTakenOver(t *testing.T) {
	a := appWithBalances(t, 1_000_000, 1_000_000)
	to := testAddr(0)
	if r := a.CheckTx(sendTx(t, 1, 0, to, 1)); r.Code != ledger.CodeOK {
		t.Fatal(r.Log)
	}
	for range ReservationBlocks - 1 {
		runBlock(t, a)
	}
	if r := a.CheckTx(sendTx(t, 1, 0, to, 2)); r.Code != ledger.CodeSequenceUsed {
		t.Fatalf("before %d blocks: %v (%s), want sequence_used", ReservationBlocks, r.Code, r.Log)
	}
	runBlock(t, a)
	if r := a.CheckTx(sendTx(t, 1, 1, to, 1)); r.Code != ledger.CodeOK {
		t.Fatalf("the queued chain broke after %d empty blocks: %v (%s)", ReservationBlocks, r.Code, r.Log)
	}
	if r := a.CheckTx(sendTx(t, 1, 0, to, 2)); r.Code != ledger.CodeOK {
		t.Fatalf("stale reservation: %v (%s), want ok (taken over)", r.Code, r.Log)
	}
}
