package device

import (
	"strings"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/depin-network/depin/internal/ledger"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
)

func TestInitGenesis(t *testing.T) {
	e := newEnv(t)
	makerPub, _ := testKey("devmaker")
	maker := ledger.AddressOf(makerPub)
	owner := testAddr("owner")
	d1, _ := testKey("g1")
	d2, _ := testKey("g2")
	err := InitGenesis(e.st, testKinds{},
		[]GenesisMaker{{Name: "Dev Maker", PubKey: makerPub, Kinds: []string{kSensor, kCov}, OnboardFee: 0}},
		[]GenesisDevice{
			{PubKey: d1, Kind: kCov, Maker: maker, Serial: "G-1", Owner: owner, Location: &devicev1.Location{Cell: cellLisbon12, Attributes: covAttrs(30, 5)}},
			{PubKey: d2, Kind: kSensor, Maker: maker, Serial: "G-2", Owner: owner},
		})
	if err != nil {
		t.Fatalf("InitGenesis: %v", err)
	}
	if err := Invariants(e.st); err != nil {
		t.Fatalf("after genesis: %v", err)
	}
	if m, ok := GetMaker(e.st, maker); !ok || m.Devices != 2 {
		t.Fatalf("got maker %v, want dev maker with 2 devices", m)
	}
	got, _ := ListDevices(e.st, Filter{Cell: ptr(cellLisbon12)}, Page{})
	if len(got) != 1 || !eqBytes(got[0].PubKey, d1) || got[0].Assertions != 1 {
		t.Errorf("got %v in lisbon, want g1 with one assertion", ids(got))
	}
	// Genesis devices behave like onboarded ones.
	e.fund(owner, ownerFunds)
	e.mustRun(owner, TypeAssertLocation, assertRaw(ledger.AddressOf(d2), cellPorto12, 0, 0))
}

func TestInitGenesisRejects(t *testing.T) {
	makerPub, _ := testKey("devmaker")
	maker := ledger.AddressOf(makerPub)
	owner := testAddr("owner")
	d1, _ := testKey("g1")
	good := GenesisMaker{Name: "Dev", PubKey: makerPub, Kinds: []string{kCov}}
	dev := func(mut func(*GenesisDevice)) []GenesisDevice {
		g := GenesisDevice{PubKey: d1, Kind: kCov, Maker: maker, Serial: "G-1", Owner: owner}
		mut(&g)
		return []GenesisDevice{g}
	}
	tests := []struct {
		name    string
		makers  []GenesisMaker
		devices []GenesisDevice
		want    string
	}{
		{"duplicate maker", []GenesisMaker{good, good}, nil, "registered already"},
		{"maker without kinds", []GenesisMaker{{Name: "X", PubKey: makerPub}}, nil, "no kinds"},
		{"unknown maker", nil, dev(func(*GenesisDevice) {}), "no maker"},
		{"zero owner", []GenesisMaker{good}, dev(func(g *GenesisDevice) { g.Owner = ledger.Address{} }), "zero address"},
		{"kind not certified", []GenesisMaker{good}, dev(func(g *GenesisDevice) { g.Kind = kSensor }), "may not certify"},
		{"bad cell", []GenesisMaker{good}, dev(func(g *GenesisDevice) { g.Location = &devicev1.Location{Cell: 1} }), "not a valid H3 cell"},
		{"duplicate device", []GenesisMaker{good}, append(dev(func(*GenesisDevice) {}), dev(func(g *GenesisDevice) { g.Serial = "G-2" })...), "onboarded already"},
		{"short key", []GenesisMaker{good}, dev(func(g *GenesisDevice) { g.PubKey = ed25519.PublicKey(d1[:8]) }), "public key"},
	}
	for _, tt := range tests {
		e := newEnv(t)
		err := InitGenesis(e.st, testKinds{}, tt.makers, tt.devices)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
