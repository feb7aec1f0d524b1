package relay

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/ledger/ledgertest"
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
	ledgertest.Genesis(t, st, testAddr("authority"), nil, ledgertest.Balances(testAddr, funds, funded...),
		Specs(), market.Specs(), credit.Specs(), bank.Specs(), reward.Specs())
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
	_, failed := ledgertest.Deliver(e.t, e.rt, ledger.Context{Store: e.st, ChainID: testChain, Height: e.height, Signer: testAddr(label)}, typ, raw)
	return failed
}

func (e *env) must(label, typ string, m proto.Message) {
	e.t.Helper()
	if err := e.deliver(label, typ, m); err != nil {
		e.t.Fatalf("%s by %s: %v", typ, label, err)
	}
}

func (e *env) endBlock() {
	e.t.Helper()
	ledgertest.EndBlock(e.t, ledger.Context{Store: e.st, ChainID: testChain, Height: e.height}, EndBlock)
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
	return &relayv1.Receipt{ChainId: testChain, Consumer: c[:], Relay: r[:], Bytes: n, Generation: 1}
}

func receiptGen(consumer, relay string, n, gen uint64) *relayv1.Receipt {
	r := receipt(consumer, relay, n)
	r.Generation = gen
	return r
}

// net is what a relay keeps of amount after the market's take.
func net(st ledger.Store, amount uint64) uint64 {
	take, _ := ledger.MulDiv(amount, params.Get(st, market.TakeRateBps), 10_000)
	return amount - take
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
	if c.Bytes != 5*MiB+MiB/2 || c.Paid != 5*price+price/2 || bank.Balance(e.st, r1) != funds+net(e.st, 3*price)+net(e.st, 2*price+price/2) ||
		c.Take != c.Paid-net(e.st, 3*price)-net(e.st, 2*price+price/2) || c.Take == 0 {
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
		{"wrong generation", "r1", SignReceipt(testKey("alice"), receiptGen("alice", "r1", 6*MiB, 2)), CodeWrongGeneration},
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
	// A reopened channel keeps its bytes (the old receipts stay spent) and
	// starts a new generation.
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: price, Deposit: 10 * price})
	if err := e.deliver("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receiptGen("alice", "r1", 10*MiB, 2)))); err == nil || err.Code != CodeReceiptReplayed {
		t.Errorf("old bytes on a reopened channel: got %v", err)
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

// TestSelfChannel: a consumer cannot open a channel with itself as the
// relay, nor below relay.min_price_per_mib; both change nothing.
func TestSelfChannel(t *testing.T) {
	e := newEnv(t, "r1", "alice")
	e.relay("r1")
	r1 := testAddr("r1")
	for _, c := range []struct {
		name, signer string
		price        uint64
		want         ledger.Code
	}{
		{"self channel", "r1", price, CodeSelfChannel},
		{"self channel at the lowest price", "r1", 1, CodeSelfChannel},
		{"below the minimum price", "alice", params.Get(e.st, MinPrice) - 1, CodePriceTooLow},
	} {
		before := snapshot(e.st)
		err := e.deliver(c.signer, TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: c.price, Deposit: 1_000_000})
		if err == nil || err.Code != c.want {
			t.Errorf("%s: got %v, want code %d", c.name, err, c.want)
		}
		if !bytes.Equal(before, snapshot(e.st)) {
			t.Errorf("%s: a refused open changed state", c.name)
		}
	}
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: params.Get(e.st, MinPrice), Deposit: 1_000_000})
}

// TestSybilPaysTake: a sybil consumer paying its own relay loses the take on
// every claim and ticket, so the relay pool share it buys costs money; the
// pool is split by upin paid, not bytes claimed.
func TestSybilPaysTake(t *testing.T) {
	e := newEnv(t, "sybil", "r1", "alice", "r2")
	e.relay("r1")
	e.relay("r2")
	r1, r2 := testAddr("r1"), testAddr("r2")
	minPrice := params.Get(e.st, MinPrice)
	// The sybil pair: sybil and r1 have one owner. Honest: alice and r2.
	owner := func() uint64 { return bank.Balance(e.st, testAddr("sybil")) + bank.Balance(e.st, r1) }
	start := owner()
	e.must("sybil", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: minPrice, Deposit: 1_000_000})
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r2[:], Price: price, Deposit: 1_000_000})
	var spent uint64
	for i := uint64(1); i <= 10; i++ {
		e.must("r1", TypeClaim, claim(SignReceipt(testKey("sybil"), receipt("sybil", "r1", i*100*MiB))))
		spent += 100 * minPrice
	}
	e.must("r2", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r2", 10*MiB))))
	// Refund the sybil's rest: its net cost is exactly the take.
	e.must("sybil", TypeClose, &relayv1.MsgClose{Relay: r1[:]})
	for i := 0; i < int(params.Get(e.st, CloseGrace))+1; i++ {
		e.endBlock()
	}
	take := spent - net(e.st, spent)
	if take == 0 || owner() != start-take {
		t.Fatalf("the sybil pair holds %d, want %d - take %d", owner(), start, take)
	}
	c, _ := GetChannel(e.st, testAddr("sybil"), r1)
	if c.Take != take || c.Paid != spent {
		t.Errorf("sybil channel: paid %d take %d, want %d and %d", c.Paid, c.Take, spent, take)
	}
	// The pool is split by upin paid: the sybil's 1000 MiB at the minimum
	// price weigh 1000 × 10 upin against alice's 10 MiB × 1000 upin.
	epoch := reward.CurrentEpoch(e.st).Number
	all, total, _ := EpochAll(e.st, epoch)
	if len(all) != 2 || total != spent+10*price {
		t.Fatalf("epoch work: %+v total %d", all, total)
	}
	b1, b2 := bank.Balance(e.st, r1), bank.Balance(e.st, r2)
	ov := ledger.NewOverlay(e.st)
	const pool = 1_000_000
	if err := PayPool(&ledger.Context{Store: ov, ChainID: testChain, Height: e.height}, epoch, reward.Pool{Name: "relay"}, pool); err != nil {
		t.Fatal(err)
	}
	ov.Flush()
	w1, _ := ledger.MulDiv(pool, spent, total)
	w2, _ := ledger.MulDiv(pool, 10*price, total)
	if bank.Balance(e.st, r1)-b1 != w1 || bank.Balance(e.st, r2)-b2 != w2 {
		t.Errorf("pool: r1 got %d want %d, r2 got %d want %d", bank.Balance(e.st, r1)-b1, w1, bank.Balance(e.st, r2)-b2, w2)
	}
	if all2, _, _ := EpochAll(e.st, epoch); len(all2) != 0 {
		t.Errorf("the paid epoch was not forgotten: %+v", all2)
	}
}

// TestGeneration: a receipt signed before a close and reopen (or a price
// change) cannot be claimed at the channel's new terms.
func TestGeneration(t *testing.T) {
	e := newEnv(t, "alice", "r1")
	e.relay("r1")
	r1 := testAddr("r1")
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: price, Deposit: 10 * price})
	e.must("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receipt("alice", "r1", 2*MiB))))
	unclaimed := SignReceipt(testKey("alice"), receipt("alice", "r1", 5*MiB)) // held back by the relay
	e.must("alice", TypeClose, &relayv1.MsgClose{Relay: r1[:]})
	for i := 0; i < int(params.Get(e.st, CloseGrace))+1; i++ {
		e.endBlock()
	}
	// Reopened at ten times the price: the held-back receipt would pay ten
	// times what alice agreed to.
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: 10 * price, Deposit: 100 * price})
	c, _ := GetChannel(e.st, testAddr("alice"), r1)
	if c.Generation != 2 {
		t.Fatalf("generation %d after a reopen, want 2", c.Generation)
	}
	before := snapshot(e.st)
	if err := e.deliver("r1", TypeClaim, claim(unclaimed)); err == nil || err.Code != CodeWrongGeneration {
		t.Errorf("an old-generation receipt: got %v", err)
	}
	if !bytes.Equal(before, snapshot(e.st)) {
		t.Error("a refused claim changed state")
	}
	e.must("r1", TypeClaim, claim(SignReceipt(testKey("alice"), receiptGen("alice", "r1", 5*MiB, 2))))
	// A top-up at the same price keeps the generation.
	e.must("alice", TypeOpen, &relayv1.MsgOpen{Relay: r1[:], Price: 10 * price, Deposit: 100 * price})
	if c, _ := GetChannel(e.st, testAddr("alice"), r1); c.Generation != 2 || c.Paid != 2*price+30*price {
		t.Errorf("after a top-up: generation %d paid %d", c.Generation, c.Paid)
	}
}
