package app

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// TestKeylessSpendRefused is issue 8 item 5's attack on a ledger: funds are
// sent to the address of a small-order public key, then a transaction
// "signed" by that key with R = identity and S = 0 (valid under plain
// ZIP-215 for every message) tries to spend them. CheckTx and the block both
// refuse it with bad_signature and no balance moves.
func TestKeylessSpendRefused(t *testing.T) {
	a := newTestApp(t)
	keyless := make([]byte, 32)
	keyless[0] = 1 // the identity point: order 1, no secret
	victim := ledger.AddressOf(keyless)
	runBlock(t, a, sendTx(t, 1, 0, victim, 5_000_000))
	if got := bank.Balance(a.Committed(), victim); got != 5_000_000 {
		t.Fatalf("setup: keyless address holds %d, want 5000000", got)
	}

	thief := testAddr(9)
	m, _ := proto.Marshal(&bankv1.MsgSend{To: thief[:], Amount: 4_000_000})
	body, err := proto.Marshal(&txv1.TxBody{ChainId: testChain, Sequence: 0, Fee: 1000, Msgs: []*txv1.Msg{{Type: "bank/send", Value: m}}})
	if err != nil {
		t.Fatal(err)
	}
	forged := make([]byte, 64)
	forged[0] = 1 // R = identity, S = 0
	raw, err := proto.Marshal(&txv1.Tx{Body: body, PubKey: keyless, Signature: forged})
	if err != nil {
		t.Fatal(err)
	}

	before := bank.Balance(a.Committed(), thief)
	if r := a.CheckTx(raw); r.Code != ledger.CodeBadSignature {
		t.Errorf("CheckTx: got %v %q, want bad_signature", r.Code, r.Log)
	}
	res := runBlock(t, a, raw)
	if got := res.Txs[0].Code; got != ledger.CodeBadSignature {
		t.Errorf("in a block: got %v %q, want bad_signature", got, res.Txs[0].Log)
	}
	st := a.Committed()
	if got := bank.Balance(st, victim); got != 5_000_000 {
		t.Errorf("keyless address: got %d, want 5000000 unchanged", got)
	}
	if got := bank.Balance(st, thief); got != before {
		t.Errorf("thief: got %d, want %d unchanged", got, before)
	}
}
