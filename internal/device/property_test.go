package device

import (
	"fmt"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	"pgregory.net/rapid"

	"bytes"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

// propCell is a cell the property test asserts, with whether it is valid
// under the default params.
type propCell struct {
	cell  uint64
	valid bool
}

var propCells = []propCell{
	{cellLisbon12, true}, {cellPorto12, true}, {cellLisbon11, true}, {cellLisbon8, true},
	{cellLisbon7, false}, {cellLisbon13, false}, {cellLisbon12 | 7<<9, false}, {0, false},
}

type propDevice struct {
	owner  ledger.Address
	kind   string
	loc    *devicev1.Location
	active bool
	maker  int
}

// TestRegistryProperties runs random sequences of onboard, assert,
// transfer, decommission and garbage messages against a model. After every
// step the registry's indexes agree with its records and with the model,
// every rejection changed nothing, and the fees burned equal the drop in
// balances.
func TestRegistryProperties(t *testing.T) {
	devKeys := make([]ed25519.PrivateKey, 10)
	for i := range devKeys {
		devKeys[i] = mustPriv(fmt.Sprintf("prop-dev-%d", i))
	}
	owners := []ledger.Address{testAddr("p-o1"), testAddr("p-o2"), testAddr("p-o3")}
	kinds := []string{kCov, kSensor, kStore}
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(rt)
		makers := []ed25519.PrivateKey{e.registerMaker("acme", makerFee, kCov, kSensor), e.registerMaker("globex", 0, kStore)}
		makerFees := []uint64{makerFee, 0}
		var funded uint64
		for _, o := range owners {
			amt := rapid.Uint64Range(0, 4*makerFee).Draw(rt, "funds")
			e.fund(o, amt)
			funded += amt
		}
		devices := map[int]*propDevice{}
		serials := map[string]bool{}
		var burned uint64

		// expect runs a message and checks its outcome against ok.
		expect := func(what string, signer ledger.Address, typ string, raw []byte, ok bool) bool {
			before := snapshot(e.st)
			err := e.run(signer, typ, raw)
			if ok != (err == nil) {
				rt.Fatalf("%s: got error %v, want success %v", what, err, ok)
			}
			if err != nil {
				if d := diffSnapshots(before, snapshot(e.st)); d != "" {
					rt.Fatalf("%s rejected (%v) but changed state: %s", what, err, d)
				}
			}
			return err == nil
		}
		pickDevice := func(rt *rapid.T) (int, ledger.Address) {
			i := rapid.IntRange(0, len(devKeys)-1).Draw(rt, "device")
			return i, ledger.AddressOf(devKeys[i].Public().(ed25519.PublicKey))
		}
		pickSigner := func(rt *rapid.T, i int) ledger.Address {
			if d, ok := devices[i]; ok && rapid.IntRange(0, 4).Draw(rt, "foreign") != 0 {
				return d.owner
			}
			return owners[rapid.IntRange(0, len(owners)-1).Draw(rt, "signer")]
		}
		rt.Repeat(map[string]func(*rapid.T){
			"onboard": func(rt *rapid.T) {
				i, _ := pickDevice(rt)
				mk := rapid.IntRange(0, 1).Draw(rt, "maker")
				kind := kinds[rapid.IntRange(0, 2).Draw(rt, "kind")]
				serial := fmt.Sprintf("S%d", rapid.IntRange(0, 5).Draw(rt, "serial"))
				owner := owners[rapid.IntRange(0, len(owners)-1).Draw(rt, "owner")]
				typ, raw := Onboard(makers[mk], devKeys[i], kind, serial, testChain, owner)
				_, exists := devices[i]
				certified := (mk == 0) == (kind != kStore)
				ok := !exists && !serials[fmt.Sprint(mk, serial)] && certified && bank.Balance(e.st, owner) >= makerFees[mk]
				if expect("onboard", owner, typ, raw, ok) {
					devices[i] = &propDevice{owner: owner, kind: kind, active: true, maker: mk}
					serials[fmt.Sprint(mk, serial)] = true
					burned += makerFees[mk]
				}
			},
			"assert": func(rt *rapid.T) {
				i, id := pickDevice(rt)
				signer := pickSigner(rt, i)
				c := propCells[rapid.IntRange(0, len(propCells)-1).Draw(rt, "cell")]
				gain := int32(rapid.IntRange(-1, 160).Draw(rt, "gain"))
				if rapid.Bool().Draw(rt, "zero gain") {
					gain = 0
				}
				attrs := covAttrs(gain, 0)
				if gain == 0 {
					attrs = nil
				}
				typ, raw := AssertLocationMsg(id, c.cell, attrs)
				d, exists := devices[i]
				ok := exists && d.owner == signer && d.active && c.valid
				fee := AssertFee.Default
				if ok {
					ok = gain == 0 || (d.kind == kCov && gain > 0 && gain <= 150)
					if d.loc != nil && d.loc.Cell == c.cell {
						fee = 0
						ok = ok && !bytes.Equal(d.loc.Attributes, attrs)
					}
					ok = ok && bank.Balance(e.st, signer) >= fee
				}
				if expect("assert", signer, typ, raw, ok) {
					d.loc = &devicev1.Location{Cell: c.cell, Attributes: attrs}
					burned += fee
				}
			},
			"transfer": func(rt *rapid.T) {
				i, id := pickDevice(rt)
				signer := pickSigner(rt, i)
				to := owners[rapid.IntRange(0, len(owners)-1).Draw(rt, "to")]
				typ, raw := TransferMsg(id, to)
				d, exists := devices[i]
				if expect("transfer", signer, typ, raw, exists && d.owner == signer && d.active && to != signer) {
					d.owner = to
				}
			},
			"decommission": func(rt *rapid.T) {
				i, id := pickDevice(rt)
				signer := pickSigner(rt, i)
				typ, raw := DecommissionMsg(id)
				d, exists := devices[i]
				if expect("decommission", signer, typ, raw, exists && d.owner == signer && d.active) {
					d.active = false
				}
			},
			"garbage": func(rt *rapid.T) {
				typ := []string{TypeRegisterMaker, TypeOnboard, TypeAssertLocation, TypeTransfer, TypeDecommission}[rapid.IntRange(0, 4).Draw(rt, "type")]
				raw := rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(rt, "bytes")
				before := snapshot(e.st)
				if err := e.run(owners[0], typ, raw); err != nil {
					if d := diffSnapshots(before, snapshot(e.st)); d != "" {
						rt.Fatalf("garbage %s rejected but changed state: %s", typ, d)
					}
				}
			},
			"": func(rt *rapid.T) {
				if err := Invariants(e.st); err != nil {
					rt.Fatalf("%v", err)
				}
				for i, d := range devices {
					id := ledger.AddressOf(devKeys[i].Public().(ed25519.PublicKey))
					got := e.device(id)
					if !eqBytes(got.Owner, d.owner[:]) || IsActive(got) != d.active || (got.Location == nil) != (d.loc == nil) ||
						(d.loc != nil && (got.Location.Cell != d.loc.Cell || !bytes.Equal(got.Location.Attributes, d.loc.Attributes))) {
						rt.Fatalf("device %d: got %v, want owner %s active %v location %v", i, got, d.owner, d.active, d.loc)
					}
				}
				for _, o := range owners {
					var model []modelDevice
					for i, d := range devices {
						cell := uint64(0)
						if d.loc != nil {
							cell = d.loc.Cell
						}
						model = append(model, modelDevice{id: ledger.AddressOf(devKeys[i].Public().(ed25519.PublicKey)), owner: d.owner, kind: d.kind, cell: cell, active: d.active})
					}
					for _, f := range []Filter{{Owner: &o}, {Owner: &o, Kind: kCov}, {Cell: ptr(cellLisbon12)}, {Kind: kSensor}} {
						got, want := listAll(rt, e.st, f, 2), modelIDs(model, f)
						if fmt.Sprint(got) != fmt.Sprint(want) {
							rt.Fatalf("filter %+v: got %v, want %v", f, got, want)
						}
					}
				}
				sum, err := bank.SumBalances(e.st)
				if err != nil {
					rt.Fatalf("%v", err)
				}
				if s := bank.GetSupply(e.st); s.Burned != burned || funded-sum != burned {
					rt.Fatalf("got burned %d and balances dropped by %d, want both %d", s.Burned, funded-sum, burned)
				}
			},
		})
	})
}
