package device

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/sig"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

const (
	testChain  = "depin-test-1"
	makerFee   = 5_000_000
	ownerFunds = 100_000_000
)

// Cells from h3-go LatLngToCell (checked valid in TestFixtureCells):
// Lisbon (38.7223, -9.1393) and Porto (41.1579, -8.6291) at res 12, 11, 8,
// and Lisbon at res 7 (below the default minimum) and 13 (above the max).
const (
	cellLisbon12 uint64 = 0x8c3933676d081ff
	cellPorto12  uint64 = 0x8c39220f082edff
	cellLisbon11 uint64 = 0x8b3933676d08fff
	cellLisbon8  uint64 = 0x883933676dfffff
	cellLisbon7  uint64 = 0x873933676ffffff
	cellLisbon13 uint64 = 0x8d3933676d080ff
)

// testKey derives a fixed ed25519 key from a label.
func testKey(label string) (ed25519.PublicKey, ed25519.PrivateKey) {
	seed := make([]byte, 32)
	copy(seed, label)
	priv := sig.KeyFromSeed(seed)
	return priv.Public().(ed25519.PublicKey), priv
}

func testAddr(label string) ledger.Address {
	pub, _ := testKey(label)
	return ledger.AddressOf(pub)
}

// env is a ledger with the params, bank and device modules, driven the way
// the app drives it: each message on an overlay, flushed only on success.
type env struct {
	t         tb
	st        *ledger.MemStore
	rt        *ledger.Router
	authority ledger.Address
	height    int64
	events    []ledger.Event
}

// tb is the part of testing.TB (and rapid.T) the helpers use.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

func newEnv(t tb) *env {
	t.Helper()
	st := ledger.NewMemStore()
	reg := params.NewRegistry(Specs(), bank.Specs(), coverage.Kind{}.Specs())
	authority := testAddr("authority")
	if err := reg.InitGenesis(st, authority, nil); err != nil {
		t.Fatalf("params genesis: %v", err)
	}
	if err := bank.InitGenesis(st, "upin", 6, nil); err != nil {
		t.Fatalf("bank genesis: %v", err)
	}
	rt := ledger.NewRouter()
	reg.Register(rt)
	bank.Register(rt)
	Register(testKinds{})(rt)
	return &env{t: t, st: st, rt: rt, authority: authority, height: 1}
}

// testKinds are the kinds the tests register: coverage as the chain has
// it, and four kinds with no attributes.
type testKinds struct{}

func (testKinds) Has(name string) bool {
	switch name {
	case coverage.Name, "storage", "sensor", "energy", "compute":
		return true
	}
	return false
}

func (testKinds) CheckAttributes(st ledger.Store, name string, attrs []byte) error {
	if name == coverage.Name {
		return coverage.Kind{}.CheckAttributes(kind.ParamsOf(st, coverage.Kind{}), attrs)
	}
	if len(attrs) > 0 {
		return fmt.Errorf("%s devices have no attributes", name)
	}
	return nil
}

// covAttrs are a coverage device's attributes in region EU868; none for
// gain and elevation 0.
func covAttrs(gain, elevation int32) []byte {
	if gain == 0 && elevation == 0 {
		return nil
	}
	return coverage.EncodeAttributes(gain, elevation, coverage.RegionEU868)
}

// gainOf is the antenna gain in a coverage location's attributes.
func gainOf(l *devicev1.Location) int32 {
	a, err := coverage.DecodeAttributes(l.Attributes)
	if err != nil {
		return -1
	}
	return a.GetGain()
}

// recStore counts the writes a handler makes.
type recStore struct {
	ledger.Store
	writes int
}

func (r *recStore) Set(k, v []byte) { r.writes++; r.Store.Set(k, v) }
func (r *recStore) Delete(k []byte) { r.writes++; r.Store.Delete(k) }

// run executes one message as the app does. On a rejection it also checks
// that the handler wrote nothing and emitted nothing.
func (e *env) run(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	e.t.Helper()
	h, ok := e.rt.Handler(typ)
	if !ok {
		e.t.Fatalf("no handler for %q", typ)
	}
	ov := ledger.NewOverlay(e.st)
	rec := &recStore{Store: ov}
	ctx := &ledger.Context{Store: rec, ChainID: testChain, Height: e.height, Signer: signer}
	err := h(ctx, raw)
	e.height++
	if err != nil {
		if rec.writes != 0 {
			e.t.Errorf("%s rejected (%v) after %d writes, want 0", typ, err, rec.writes)
		}
		if n := len(ctx.Events()); n != 0 {
			e.t.Errorf("%s rejected (%v) after emitting %d events, want 0", typ, err, n)
		}
		ov.Discard()
		return err
	}
	ov.Flush()
	e.events = append(e.events, ctx.Events()...)
	return nil
}

func (e *env) mustRun(signer ledger.Address, typ string, raw []byte) {
	e.t.Helper()
	if err := e.run(signer, typ, raw); err != nil {
		e.t.Fatalf("%s: %v", typ, err)
	}
	if err := Invariants(e.st); err != nil {
		e.t.Fatalf("after %s: %v", typ, err)
	}
}

// reject runs a message that must fail with code and change nothing.
func (e *env) reject(signer ledger.Address, typ string, raw []byte, code ledger.Code) {
	e.t.Helper()
	before := snapshot(e.st)
	err := e.run(signer, typ, raw)
	if err == nil {
		e.t.Fatalf("%s accepted, want code %s", typ, code)
	}
	if err.Code != code {
		e.t.Fatalf("%s: got code %s (%s), want %s", typ, err.Code, err.Msg, code)
	}
	if err.Msg == "" {
		e.t.Fatalf("%s: code %s has an empty message", typ, err.Code)
	}
	if diff := diffSnapshots(before, snapshot(e.st)); diff != "" {
		e.t.Fatalf("%s rejected with %s but changed state: %s", typ, code, diff)
	}
}

func (e *env) fund(a ledger.Address, amount uint64) {
	e.t.Helper()
	if err := bank.Mint(e.st, a, amount); err != nil {
		e.t.Fatalf("mint: %v", err)
	}
}

func (e *env) setParam(s params.Spec, v uint64) {
	e.t.Helper()
	raw := ledger.Encode(&paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: s.Name, Value: v}}})
	e.mustRun(e.authority, params.TypeSet, raw)
}

// registerMaker registers a maker from a label; it returns the maker's key.
func (e *env) registerMaker(label string, fee uint64, kinds ...string) ed25519.PrivateKey {
	e.t.Helper()
	pub, priv := testKey(label)
	typ, raw := RegisterMakerMsg(label, pub, kinds, fee)
	e.mustRun(e.authority, typ, raw)
	return priv
}

// onboard onboards a device (key from label) to owner; it returns its id.
func (e *env) onboard(makerPriv ed25519.PrivateKey, label, serial string, kind string, owner ledger.Address) ledger.Address {
	e.t.Helper()
	pub, priv := testKey(label)
	typ, raw := Onboard(makerPriv, priv, kind, serial, testChain, owner)
	e.mustRun(owner, typ, raw)
	return ledger.AddressOf(pub)
}

func (e *env) device(id ledger.Address) *devicev1.Device {
	e.t.Helper()
	d, ok := GetDevice(e.st, id)
	if !ok {
		e.t.Fatalf("device %s missing", id)
	}
	return d
}

func snapshot(st ledger.Store) map[string]string {
	m := map[string]string{}
	st.Iterate(nil, nil, func(k, v []byte) bool {
		m[string(k)] = string(v)
		return true
	})
	return m
}

func diffSnapshots(a, b map[string]string) string {
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("deleted %x", k))
		} else if w != v {
			diffs = append(diffs, fmt.Sprintf("changed %x", k))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("added %x", k))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], "...")
	}
	return fmt.Sprint(diffs)[1 : len(fmt.Sprint(diffs))-1]
}

// hasIndex reports whether an index key is present.
func hasIndex(st ledger.Store, key []byte) bool { return st.Get(key) != nil }

func ids(ds []*devicev1.Device) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%x", d.Id)
	}
	return out
}

func eqBytes(a, b []byte) bool { return bytes.Equal(a, b) }

// bankSend builds a bank/send of amount to a sink account.
func bankSend(_ ledger.Address, amount uint64) (string, []byte) {
	sink := testAddr("sink")
	return bank.TypeSend, ledger.Encode(&bankv1.MsgSend{To: sink[:], Amount: amount})
}

func msgTransfer(device, newOwner []byte) *devicev1.MsgTransfer {
	return &devicev1.MsgTransfer{Device: device, NewOwner: newOwner}
}

func msgDecommission(device []byte) *devicev1.MsgDecommission {
	return &devicev1.MsgDecommission{Device: device}
}
