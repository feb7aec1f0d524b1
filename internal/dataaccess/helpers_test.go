package dataaccess

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/ledger/ledgertest"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

const funds = 1_000_000_000

func testKey(label string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "data/"+label)
	return sig.KeyFromSeed(seed)
}

func testAddr(label string) ledger.Address { return ledger.AddressOf(sig.PublicOf(testKey(label))) }

// env is a ledger with params, bank, device and this module, driven like
// the app: each message on an overlay flushed only on success, end block,
// invariants. Time in seconds, one block per second.
type env struct {
	t   testing.TB
	st  *ledger.MemStore
	rt  *ledger.Router
	now int64
}

func newEnv(t testing.TB) *env {
	st := ledger.NewMemStore()
	ledgertest.Genesis(t, st, testAddr("authority"), nil, ledgertest.Balances(testAddr, funds, "alice", "bob", "owner"),
		Specs(), market.Specs(), bank.Specs(), device.Specs(), sensor.Specs())
	cell, _ := geo.CellFromLatLng(525200000, 134050000, 12)
	maker := sig.PublicOf(testKey("maker"))
	attrs := sensor.EncodeAttributes("WS2000", sensor.ClassStation, []string{"humidity", "temperature"}, nil)
	devs := []device.GenesisDevice{
		{PubKey: sig.PublicOf(testKey("station")), Kind: sensor.Name, Maker: ledger.AddressOf(maker), Serial: "s1", Owner: testAddr("owner"),
			Location: &devicev1.Location{Cell: cell, Attributes: attrs}},
		{PubKey: sig.PublicOf(testKey("unplaced")), Kind: sensor.Name, Maker: ledger.AddressOf(maker), Serial: "s2", Owner: testAddr("owner")},
	}
	if err := device.InitGenesis(st, kind.NewRegistry(sensor.Kind{}), []device.GenesisMaker{{Name: "Stations", PubKey: maker, Kinds: []string{sensor.Name}}}, devs); err != nil {
		t.Fatal(err)
	}
	rt := ledger.NewRouter()
	Register(rt)
	return &env{t: t, st: st, rt: rt, now: 1_800_000_000}
}

func (e *env) deliver(signer, typ string, m proto.Message) *ledger.Error {
	e.t.Helper()
	raw, err := proto.Marshal(m)
	if err != nil {
		e.t.Fatal(err)
	}
	_, failed := ledgertest.Deliver(e.t, e.rt, ledger.Context{Store: e.st, ChainID: "data-test", Height: e.now, Time: e.now * 1e9, Signer: testAddr(signer)}, typ, raw)
	return failed
}

func (e *env) advance(t int64) {
	e.t.Helper()
	e.now = t
	ledgertest.EndBlock(e.t, ledger.Context{Store: e.st, ChainID: "data-test", Height: e.now, Time: e.now * 1e9}, EndBlock)
	if err := Invariants(e.st); err != nil {
		e.t.Fatal(err)
	}
}

// dump returns the module's and the bank's state, to check that a refusal
// changed nothing.
func (e *env) dump() string {
	var s []byte
	ledger.IteratePrefix(e.st, []byte{Prefix}, func(k, v []byte) bool { s = append(append(s, k...), v...); return true })
	ledger.IteratePrefix(e.st, []byte{ledger.PrefixBank}, func(k, v []byte) bool { s = append(append(s, k...), v...); return true })
	return string(s)
}
