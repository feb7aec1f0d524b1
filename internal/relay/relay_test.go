package relay

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

const (
	testChain = "depin-relay-test"
	funds     = 1_000_000_000_000
)

func testKey(label string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "relay/"+label)
	return sig.KeyFromSeed(seed)
}

func testAddr(label string) ledger.Address { return ledger.AddressOf(sig.PublicOf(testKey(label))) }

type env struct {
	t      *testing.T
	st     *ledger.MemStore
	rt     *ledger.Router
	height int64
}

func newEnv(t *testing.T, funded ...string) *env {
	st := ledger.NewMemStore()
	reg := params.NewRegistry(Specs(), market.Specs(), credit.Specs(), bank.Specs(), reward.Specs())
	if err := reg.InitGenesis(st, testAddr("authority"), nil); err != nil {
		t.Fatal(err)
	}
	var bals []bank.GenesisBalance
	for _, f := range funded {
		bals = append(bals, bank.GenesisBalance{Address: testAddr(f), Amount: funds})
	}
	if err := bank.InitGenesis(st, "upin", 6, bals); err != nil {
		t.Fatal(err)
	}
	rt := ledger.NewRouter()
	market.Register(rt)
	Register(rt)
	return &env{t: t, st: st, rt: rt, height: 1}
}

func (e *env) deliver(label, typ string, m proto.Message) *ledger.Error {
	raw, err := proto.Marshal(m)
	if err != nil {
		e.t.Fatal(err)
	}
	h, _ := e.rt.Handler(typ)
	ov := ledger.NewOverlay(e.st)
	ctx := &ledger.Context{Store: ov, ChainID: testChain, Height: e.height, Signer: testAddr(label)}
	if err := h(ctx, raw); err != nil {
		return err
	}
	ov.Flush()
	return nil
}

func (e *env) must(label, typ string, m proto.Message) {
	e.t.Helper()
	if err := e.deliver(label, typ, m); err != nil {
		e.t.Fatalf("%s by %s: %v", typ, label, err)
	}
}

func (e *env) endBlock() {
	e.t.Helper()
	ov := ledger.NewOverlay(e.st)
	ctx := &ledger.Context{Store: ov, ChainID: testChain, Height: e.height}
	if err := EndBlock(ctx); err != nil {
		e.t.Fatal(err)
	}
	ov.Flush()
	if err := Invariants(e.st); err != nil {
		e.t.Fatal(err)
	}
	e.height++
}

func (e *env) relay(label string) {
	e.must(label, market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "http://" + label})
	e.must(label, TypeRegister, &relayv1.MsgRegister{HostUri: "http://" + label})
}

func receipt(consumer, relay string, n uint64) *relayv1.Receipt {
	c, r := testAddr(consumer), testAddr(relay)
	return &relayv1.Receipt{ChainId: testChain, Consumer: c[:], Relay: r[:], Bytes: n}
}

func claim(sr *relayv1.SignedReceipt) *relayv1.MsgClaim { return &relayv1.MsgClaim{Receipt: sr} }

func snapshot(st *ledger.MemStore) []byte {
	var out []byte
	st.Iterate(nil, nil, func(k, v []byte) bool {
		out = append(append(out, k...), v...)
		return true
	})
	return out
}

const price = 1_000 // upin per MiB

// TestReceipts: cumulative receipts pay only the new bytes; forged,
// replayed, non-monotonic, over-limit, wrong-relay and wrong-chain
// receipts are refused with their code and change nothing.
func TestReceipts(t *testing.T) {
	e := newEnv(t, "alice", "r1", "r2")
	e.relay("r1")
	e.relay("r2")
	r1 := testAddr("r1")
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: price, Deposit: 10 * price})
	e.must("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r1", 3*MiB))))
	e.must("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r1", 5*MiB+MiB/2))))
	c, _ := GetChannel(e.st, testAddr("alice"), r1)
	if c.Bytes != 5*MiB+MiB/2 || c.Paid != 5*price+price/2 || bank.Balance(e.st, r1) != funds+c.Paid {
		t.Fatalf("channel: %d bytes, %d paid", c.Bytes, c.Paid)
	}
	forged := SignReceipt(testKey("r1"), receipt("alice", "r1", 6*MiB)) // the relay signs for alice
	tampered := SignReceipt(testKey("alice"), receipt("alice", "r1", 6*MiB))
	tampered.Receipt = ledger.Encode(receipt("alice", "r1", 9*MiB))
	other := receipt("alice", "r1", 7*MiB)
	other.ChainId = "another-chain"
	for _, c := range []struct {
		name, relay string
		sr          *relayv1.SignedReceipt
		want        ledger.Code
	}{
		{"forged key", "r1", forged, CodeForgedReceipt},
		{"tampered bytes", "r1", tampered, CodeForgedReceipt},
		{"replayed", "r1", SignReceipt(testKey("alice"), receipt("alice", "r1", 5*MiB+MiB/2)), CodeReceiptReplayed},
		{"not monotonic", "r1", SignReceipt(testKey("alice"), receipt("alice", "r1", 4*MiB)), CodeNotMonotonic},
		{"over limit", "r1", SignReceipt(testKey("alice"), receipt("alice", "r1", 11*MiB)), CodeOverLimit},
		{"claimed by another relay", "r2", SignReceipt(testKey("alice"), receipt("alice", "r1", 6*MiB)), CodeReceiptRelay},
		{"no channel", "r2", SignReceipt(testKey("alice"), receipt("alice", "r2", 6*MiB)), CodeUnknownChannel},
		{"wrong chain", "r1", SignReceipt(testKey("alice"), other), CodeWrongChain},
		{"not a relay", "alice", SignReceipt(testKey("alice"), receipt("alice", "alice", 6*MiB)), CodeUnknownRelay},
	} {
		before := snapshot(e.st)
		err := e.deliver(c.relay, TypeClaim, claim(c.sr))
		if err == nil || err.Code != c.want {
			t.Errorf("%s: got %v, want code %d", c.name, err, c.want)
		}
		if !bytes.Equal(before, snapshot(e.st)) {
			t.Errorf("%s: a refused claim changed state", c.name)
		}
	}
	// Up to the limit exactly is fine; closing refunds the rest after the
	// grace, during which the relay may still claim.
	e.must("alice", TypeClose, &relayv1.MsgClose{Relay: r1[:]})
	e.must("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r1", 10*MiB))))
	for i := 0; i < int(params.Get(e.st, CloseGrace))+1; i++ {
		e.endBlock()
	}
	c, _ = GetChannel(e.st, testAddr("alice"), r1)
	if c.Balance != 0 || c.Paid != 10*price || c.Refunded != 0 {
		t.Errorf("closed channel: balance %d paid %d refunded %d", c.Balance, c.Paid, c.Refunded)
	}
	if err := e.deliver("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r1", 10*MiB+1)))); err == nil || err.Code != CodeUnknownChannel {
		t.Errorf("claim on a closed channel: got %v", err)
	}
	// A reopened channel keeps its bytes: the old receipts stay spent.
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: price, Deposit: 10 * price})
	if err := e.deliver("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r1", 10*MiB)))); err == nil || err.Code != CodeReceiptReplayed {
		t.Errorf("old receipt on a reopened channel: got %v", err)
	}
	if epochBytes := EpochBytes(e.st, reward.CurrentEpoch(e.st).Number, r1); epochBytes != 10*MiB {
		t.Errorf("epoch bytes %d, want %d", epochBytes, 10*MiB)
	}
}

func ticket(consumer, relay string, nonce, face, winProb uint64, rand []byte) *relayv1.Ticket {
	c, r := testAddr(consumer), testAddr(relay)
	h := RandHash(rand)
	return &relayv1.Ticket{ChainId: testChain, Consumer: c[:], Relay: r[:], FaceValue: face, WinProb: winProb, Nonce: nonce, RecipientRandHash: h[:]}
}

func TestTickets(t *testing.T) {
	e := newEnv(t, "alice", "r1")
	e.relay("r1")
	r1 := testAddr("r1")
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: price, Deposit: 1_000_000})
	const winProb = 1 << 62 // 1/4
	face, _ := FaceValue(100, winProb)
	if face != 400 {
		t.Fatalf("face value: got %d, want 400", face)
	}
	var won, lost *relayv1.SignedTicket
	var wonRand, lostRand []byte
	for n := uint64(1); won == nil || lost == nil; n++ {
		rand := []byte{byte(n), byte(n >> 8), 7}
		st := SignTicket(testKey("alice"), ticket("alice", "r1", n, face, winProb, rand))
		if Wins(st.Signature, rand, winProb) {
			if won == nil {
				won, wonRand = st, rand
			}
		} else if lost == nil {
			lost, lostRand = st, rand
		}
	}
	if err := e.deliver("r1", TypeRedeem, &relayv1.MsgRedeem{Ticket: lost, RecipientRand: lostRand}); err == nil || err.Code != CodeTicketLost {
		t.Errorf("losing ticket: got %v", err)
	}
	if err := e.deliver("r1", TypeRedeem, &relayv1.MsgRedeem{Ticket: won, RecipientRand: []byte("other")}); err == nil || err.Code != CodeBadRand {
		t.Errorf("wrong rand: got %v", err)
	}
	forged := SignTicket(testKey("r1"), ticket("alice", "r1", 1000, face, winProb, wonRand))
	if err := e.deliver("r1", TypeRedeem, &relayv1.MsgRedeem{Ticket: forged, RecipientRand: wonRand}); err == nil || err.Code != CodeForgedTicket {
		t.Errorf("forged ticket: got %v", err)
	}
	e.must("r1", TypeRedeem, &relayv1.MsgRedeem{Ticket: won, RecipientRand: wonRand})
	if err := e.deliver("r1", TypeRedeem, &relayv1.MsgRedeem{Ticket: won, RecipientRand: wonRand}); err == nil || err.Code != CodeTicketReplayed {
		t.Errorf("replayed ticket: got %v", err)
	}
	c, _ := GetChannel(e.st, testAddr("alice"), r1)
	if c.Paid != face {
		t.Errorf("paid %d, want %d", c.Paid, face)
	}
}

func TestFaceValue(t *testing.T) {
	for _, c := range []struct{ price, winProb, want uint64 }{
		{100, 1 << 63, 200}, {1, 1 << 56, 256}, {3, 3 << 60, 16}, {1, ^uint64(0), 2},
	} {
		if got, ok := FaceValue(c.price, c.winProb); !ok || got != c.want {
			t.Errorf("FaceValue(%d, %d) = %d, %v, want %d", c.price, c.winProb, got, ok, c.want)
		}
	}
	if _, ok := FaceValue(1<<63, 1<<62); ok {
		t.Error("an overflowing face value was accepted")
	}
}
