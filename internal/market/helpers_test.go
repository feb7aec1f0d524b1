package market

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/ledger/ledgertest"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

const (
	testChain = "depin-market-test"
	funds     = 1_000_000_000_000
)

// testKey derives a fixed ed25519 key from a label.
func testKey(label string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "market/"+label)
	return sig.KeyFromSeed(seed)
}

func testAddr(label string) ledger.Address { return ledger.AddressOf(sig.PublicOf(testKey(label))) }

// tb is the part of testing.TB (and rapid.T) the helpers use.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// env is a ledger with the params, bank, credit and market modules, driven
// the way the app drives it: each message on an overlay flushed only on
// success, then the market's end block, then the invariants.
type env struct {
	t         tb
	st        *ledger.MemStore
	rt        *ledger.Router
	authority ledger.Address
	height    int64 // the height of the block being built
	events    []ledger.Event
}

func newEnv(t tb, overrides map[string]uint64, funded ...string) *env {
	t.Helper()
	st := ledger.NewMemStore()
	authority := testAddr("authority")
	reg := ledgertest.Genesis(t, st, authority, overrides, ledgertest.Balances(testAddr, funds, funded...), Specs(), credit.Specs(), bank.Specs(), reward.Specs())
	rt := ledger.NewRouter()
	reg.Register(rt)
	Register(rt)
	credit.Register(rt)
	return &env{t: t, st: st, rt: rt, authority: authority, height: 1}
}

// deliver runs one message signed by label in the current block.
func (e *env) deliver(label, typ string, m proto.Message) *ledger.Error {
	e.t.Helper()
	raw, err := proto.Marshal(m)
	if err != nil {
		e.t.Fatalf("encode: %v", err)
	}
	return e.deliverRaw(testAddr(label), typ, raw)
}

func (e *env) deliverRaw(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	ev, err := ledgertest.Deliver(e.t, e.rt, ledger.Context{Store: e.st, ChainID: testChain, Height: e.height, Time: e.height * 1e9, Signer: signer}, typ, raw)
	e.events = append(e.events, ev...)
	return err
}

// must delivers a message that must succeed.
func (e *env) must(label, typ string, m proto.Message) {
	e.t.Helper()
	if err := e.deliver(label, typ, m); err != nil {
		e.t.Fatalf("height %d: %s by %s: %v", e.height, typ, label, err)
	}
}

// endBlock runs the market's end block for the current height, checks the
// invariants and moves to the next height.
func (e *env) endBlock() {
	e.t.Helper()
	ctx := ledger.Context{Store: e.st, ChainID: testChain, Height: e.height, Time: e.height * 1e9}
	e.events = append(e.events, ledgertest.EndBlock(e.t, ctx, EndBlock)...)
	e.checkInvariants()
	e.height++
}

// blocks ends n blocks with no transactions.
func (e *env) blocks(n int) {
	e.t.Helper()
	for range n {
		e.endBlock()
	}
}

func (e *env) checkInvariants() {
	e.t.Helper()
	sum, err := bank.SumBalances(e.st)
	if err != nil {
		e.t.Fatalf("height %d: %v", e.height, err)
	}
	if s := bank.GetSupply(e.st); s.Total != sum {
		e.t.Fatalf("height %d: balances %d, supply %d", e.height, sum, s.Total)
	}
	if err := Invariants(e.st); err != nil {
		e.t.Fatalf("height %d: %v", e.height, err)
	}
	if err := credit.Invariants(e.st); err != nil {
		e.t.Fatalf("height %d: %v", e.height, err)
	}
}

func (e *env) balance(label string) uint64 { return bank.Balance(e.st, testAddr(label)) }

func (e *env) lease(id uint64) *marketv1.Lease {
	e.t.Helper()
	l, ok := GetLease(e.st, id)
	if !ok {
		e.t.Fatalf("no lease %d", id)
	}
	return l
}

// snapshot renders the whole state, to check that a rejection changed
// nothing.
func (e *env) snapshot() string {
	var b bytes.Buffer
	e.st.Iterate(nil, nil, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return true
	})
	return b.String()
}

// provider registers label as a provider with attributes.
func (e *env) provider(label string, attrs ...string) {
	e.t.Helper()
	m := &marketv1.MsgCreateProvider{HostUri: "https://" + label + ".example"}
	for i := 0; i+1 < len(attrs); i += 2 {
		m.Attributes = append(m.Attributes, &marketv1.Attribute{Key: attrs[i], Value: attrs[i+1]})
	}
	e.must(label, TypeCreateProvider, m)
}

// order opens an order and returns its id.
func (e *env) order(owner string, qty, maxPrice, duration, deposit uint64) uint64 {
	e.t.Helper()
	e.must(owner, TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: "compute", Quantity: qty, MaxPrice: maxPrice, Duration: duration, Deposit: deposit})
	return ledger.ReadU64(e.st.Get(key(tagNextID, []byte{'o'})))
}

// leaseFor runs order → bid → accept and returns the lease id.
func (e *env) leaseFor(owner, prov string, qty, price, duration, deposit uint64) uint64 {
	e.t.Helper()
	o := e.order(owner, qty, price, duration, deposit)
	e.must(prov, TypeBid, &marketv1.MsgBid{Order: o, Price: price, Collateral: 500_000})
	a := testAddr(prov)
	e.must(owner, TypeAccept, &marketv1.MsgAccept{Order: o, Provider: a[:]})
	return ledger.ReadU64(e.st.Get(key(tagNextID, []byte{'l'})))
}

// buy buys credits for label.
func (e *env) buy(label string, credits uint64) {
	e.t.Helper()
	e.must(label, credit.TypeBuy, &creditv1.MsgBuy{Credits: credits})
}

// receipt builds a receipt signed by payer for provider.
func (e *env) receipt(payer, prov string, lease, credits, nonce uint64) *marketv1.SignedReceipt {
	p, q := testAddr(payer), testAddr(prov)
	return SignReceipt(testKey(payer), &marketv1.Receipt{
		ChainId: testChain, Payer: p[:], Provider: q[:], Lease: lease, Kind: "compute",
		PeriodStart: 1, PeriodEnd: e.height, Units: credits * 1000, Credits: credits, Nonce: nonce,
	})
}

// eventsOf returns the events of a type emitted so far.
func (e *env) eventsOf(typ string) []ledger.Event {
	var out []ledger.Event
	for _, ev := range e.events {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func attrOf(ev ledger.Event, k string) string {
	for _, a := range ev.Attrs {
		if a.Key == k {
			return a.Value
		}
	}
	return ""
}

func mustMarshal(t tb, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}
