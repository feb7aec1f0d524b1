package energy

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/geo"
	"github.com/depin-network/depin/internal/kind"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/ledger/ledgertest"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

const funds = 1_000_000_000_000

// interval is the test's interval length: 900 s; gate 60 s, read window 300 s.
const interval = 900

func testKey(label string) sig.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "energy/"+label)
	return sig.KeyFromSeed(seed)
}

func testAddr(label string) ledger.Address { return ledger.AddressOf(sig.PublicOf(testKey(label))) }

type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// env is a ledger with params, bank, device and the energy market, driven
// the way the app drives it: each message on an overlay flushed only on
// success, the market's end block, then the invariants. Time is in
// seconds; one block per second.
type env struct {
	t      tb
	st     *ledger.MemStore
	rt     *ledger.Router
	now    int64
	events []ledger.Event
	nonce  uint64
}

// meterSpec is a device of the test fleet: a name (its key and its
// owner's, "owner/<name>"), attributes.
type meterSpec struct {
	name  string
	attrs *kenergyv1.Attributes
}

var zoneCell = mustCell(525_200_000, 134_050_000, 9)

func mustCell(latE7, lngE7 int64, res int) uint64 {
	c, err := geo.CellFromLatLng(latE7, lngE7, res)
	if err != nil {
		panic(err)
	}
	return c
}

func solarAttrs(w uint64) *kenergyv1.Attributes {
	return &kenergyv1.Attributes{RatedPowerW: w, BatteryWh: 10_000, MaxChargeW: min(4000, w), GridCell: zoneCell, FeederId: 1, Renewable: true}
}

func loadAttrs() *kenergyv1.Attributes {
	return &kenergyv1.Attributes{RatedPowerW: 10_000, GridCell: zoneCell, FeederId: 1}
}

func newEnv(t tb, meters []meterSpec, funded ...string) *env {
	t.Helper()
	st := ledger.NewMemStore()
	overrides := map[string]uint64{kenergy.IntervalSeconds.Name: interval, GateSeconds.Name: 60, ReadWindow.Name: 300,
		CertificateWh.Name: 1000, ImbalancePrice.Name: 400}
	bals := ledgertest.Balances(testAddr, funds, funded...)
	for _, m := range meters {
		bals = append(bals, ledgertest.Balances(testAddr, funds, "owner/"+m.name)...)
	}
	ledgertest.Genesis(t, st, testAddr("authority"), overrides, bals, Specs(), kenergy.Specs(), bank.Specs(), device.Specs())
	kinds := kind.NewRegistry(kenergy.Kind{})
	maker := sig.PublicOf(testKey("maker"))
	var devs []device.GenesisDevice
	for _, m := range meters {
		devs = append(devs, device.GenesisDevice{PubKey: sig.PublicOf(testKey(m.name)), Kind: kenergy.Name, Maker: ledger.AddressOf(maker),
			Serial: m.name, Owner: testAddr("owner/" + m.name),
			Location: &devicev1.Location{Cell: m.attrs.GridCell, Attributes: kenergy.EncodeAttributes(m.attrs)}})
	}
	if err := device.InitGenesis(st, kinds, []device.GenesisMaker{{Name: "Meters", PubKey: maker, Kinds: []string{kenergy.Name}}}, devs); err != nil {
		t.Fatalf("device genesis: %v", err)
	}
	rt := ledger.NewRouter()
	Register(rt)
	return &env{t: t, st: st, rt: rt, now: 1000 * interval}
}

func (e *env) deliverRaw(signer ledger.Address, typ string, raw []byte) *ledger.Error {
	ev, err := ledgertest.Deliver(e.t, e.rt, ledger.Context{Store: e.st, ChainID: "energy-test", Height: e.now, Time: e.now * 1e9, Signer: signer}, typ, raw)
	e.events = append(e.events, ev...)
	return err
}

func (e *env) deliver(signer, typ string, m proto.Message) *ledger.Error {
	e.t.Helper()
	raw, err := proto.Marshal(m)
	if err != nil {
		e.t.Fatalf("encode: %v", err)
	}
	return e.deliverRaw(testAddr(signer), typ, raw)
}

func (e *env) must(signer, typ string, m proto.Message) {
	e.t.Helper()
	if err := e.deliver(signer, typ, m); err != nil {
		e.t.Fatalf("t=%d: %s by %s: %v", e.now, typ, signer, err)
	}
}

// ask and bid place orders by a device's owner.
func (e *env) order(side energyv1.Side, dev string, iv, wh, price uint64) *ledger.Error {
	d := testAddr(dev)
	if side == energyv1.Side_SIDE_ASK {
		return e.deliver("owner/"+dev, TypeAsk, &energyv1.MsgAsk{Device: d[:], Interval: iv, Wh: wh, Price: price})
	}
	return e.deliver("owner/"+dev, TypeBid, &energyv1.MsgBid{Device: d[:], Interval: iv, Wh: wh, Price: price})
}

// signedRead returns a device-signed read report.
func (e *env) signedRead(dev string, r *kenergyv1.Read) []byte {
	e.nonce++
	rep := &reportv1.Report{PubKey: sig.PublicOf(testKey(dev)), Nonce: e.nonce, Timestamp: e.now * 1e9, Kind: kenergy.Name,
		Type: kenergy.TypeRead, Body: kenergy.EncodeRead(r)}
	raw, _ := proto.MarshalOptions{Deterministic: true}.Marshal(rep)
	sr, _ := proto.Marshal(&reportv1.SignedReport{Report: raw, Signature: sig.Sign(testKey(dev), segment.Domain, raw)})
	return sr
}

// read commits a read of a device, submitted by its owner.
func (e *env) read(dev string, r *kenergyv1.Read) *ledger.Error {
	return e.deliver("owner/"+dev, TypeRead, &energyv1.MsgRead{Report: e.signedRead(dev, r)})
}

// advance runs an empty block at time t (seconds); the next block is at
// t+1.
func (e *env) advance(t int64) {
	e.t.Helper()
	e.now = max(e.now, t)
	e.endBlock()
}

// start returns the Unix second interval iv starts at.
func start(iv uint64) int64 { return int64(iv * interval) }

func (e *env) endBlock() {
	e.t.Helper()
	e.events = append(e.events, ledgertest.EndBlock(e.t, ledger.Context{Store: e.st, ChainID: "energy-test", Height: e.now, Time: e.now * 1e9}, EndBlock)...)
	if err := Invariants(e.st); err != nil {
		e.t.Fatalf("t=%d: %v", e.now, err)
	}
	sum, err := bank.SumBalances(e.st)
	if err != nil {
		e.t.Fatalf("%v", err)
	}
	if s := bank.GetSupply(e.st); s.Total != sum {
		e.t.Fatalf("t=%d: balances %d, supply %d", e.now, sum, s.Total)
	}
	e.now++
}

func (e *env) zone() uint64 {
	z, _ := kenergy.Zone(zoneCell, kenergy.ZoneResolution.Default)
	return z
}

// formatLines renders lines one per line, accounts by label.
func formatLines(lines []*energyv1.Line, names map[ledger.Address]string) string {
	var b strings.Builder
	for _, l := range lines {
		dev := ""
		if len(l.Device) > 0 {
			dev = names[addrOf(l.Device)]
		}
		fmt.Fprintf(&b, "  %-3d %-18s %-10s order=%-3d wh=%-6d amount=%-8d %s\n", l.Seq, l.Kind, dev, l.Order, l.Wh, l.Amount, l.Reason)
	}
	return b.String()
}
