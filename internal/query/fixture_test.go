package query_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

const (
	testChain = "depin-query-test"
	funds     = 1_000_000_000
	txFee     = 1000 // clienttest.Chain.Exec pays this per tx
	onboard   = 5_000_000
	assertFee = 1_000_000 // device.assert_fee default
	// H3 cells from h3-go LatLngToCell (see internal/device fixture_test.go):
	// Lisbon and Porto at resolution 12.
	cellLisbon uint64 = 0x8c3933676d081ff
	cellPorto  uint64 = 0x8c39220f082edff
)

// fixture is a chain with one maker, alice's coverage devices (the first
// three at Lisbon, the fourth asserted twice: Lisbon then Porto) and bob's
// sensor devices.
type fixture struct {
	t        testing.TB
	chain    *clienttest.Chain
	alice    ledger.Address
	bob      ledger.Address
	maker    ledger.Address
	aliceDev []ledger.Address
	bobDev   []ledger.Address
}

func devKey(owner string, i int) sig.PrivateKey {
	return clienttest.Key(fmt.Sprintf("dev-%s-%d", owner, i))
}

func newFixture(t testing.TB, aliceDevices, bobDevices int) *fixture {
	t.Helper()
	c, err := clienttest.NewChain(testChain, clienttest.Genesis("authority", funds, "alice", "bob"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, chain: c, alice: clienttest.Addr("alice"), bob: clienttest.Addr("bob"), maker: clienttest.Addr("maker")}
	f.exec("authority", clienttest.Msg(device.RegisterMakerMsg("Acme Radio", sig.PublicOf(clienttest.Key("maker")),
		[]string{"coverage", "sensor"}, onboard)))
	for i := 0; i < aliceDevices; i++ {
		f.onboard("alice", i, "coverage")
	}
	for i := 0; i < bobDevices; i++ {
		f.onboard("bob", i, "sensor")
	}
	for i := 0; i < aliceDevices && i < 4; i++ {
		f.exec("alice", clienttest.Msg(device.AssertLocationMsg(f.aliceDev[i], cellLisbon, coverage.EncodeAttributes(30, 10, coverage.RegionEU868))))
	}
	if aliceDevices >= 4 {
		f.exec("alice", clienttest.Msg(device.AssertLocationMsg(f.aliceDev[3], cellPorto, coverage.EncodeAttributes(30, 10, coverage.RegionEU868))))
	}
	return f
}

func (f *fixture) exec(label string, msgs ...*txv1.Msg) app.Result {
	f.t.Helper()
	r, err := f.chain.Exec(label, msgs...)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.Code != ledger.CodeOK {
		f.t.Fatalf("%s: %s: got code %v (%s), want ok", label, msgs[0].Type, r.Code, r.Log)
	}
	return r
}

func (f *fixture) onboard(owner string, i int, kind string) app.Result {
	f.t.Helper()
	dk := devKey(owner, i)
	r := f.exec(owner, clienttest.Msg(device.Onboard(clienttest.Key("maker"), dk, kind,
		fmt.Sprintf("SN-%s-%03d", owner, i), testChain, clienttest.Addr(owner))))
	id := ledger.AddressOf(sig.PublicOf(dk))
	if owner == "alice" {
		f.aliceDev = append(f.aliceDev, id)
	} else {
		f.bobDev = append(f.bobDev, id)
	}
	return r
}

// get runs a query and decodes a successful answer into out; it returns
// the code and message.
func (f *fixture) get(path string, out any) (query.Code, string) {
	f.t.Helper()
	a := f.chain.App()
	body, code, msg := query.Handle(a.Committed(), a, path)
	if code == 0 && out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			f.t.Fatalf("%s: decode %s: %v", path, body, err)
		}
	}
	if code != 0 && body != nil {
		f.t.Errorf("%s: got body %s with code %d, want none", path, body, code)
	}
	return query.Code(code), msg
}

func clientAddr(b []byte) string {
	a, _ := ledger.AddressFromBytes(b)
	return a.String()
}

func clientKey(label string) sig.PrivateKey { return clienttest.Key(label) }

func clientAddrOf(label string) string { return clienttest.Addr(label).String() }

func clientMsgDecommission(id ledger.Address) *txv1.Msg {
	return clienttest.Msg(device.DecommissionMsg(id))
}
