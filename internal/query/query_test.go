package query_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind/coverage"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
)

func TestAccountAndSupply(t *testing.T) {
	f := newFixture(t, 5, 2)
	var acc query.Account
	if code, msg := f.get("/accounts/"+f.alice.String(), &acc); code != query.CodeOK {
		t.Fatalf("account: got %v (%s), want ok", code, msg)
	}
	// alice: 5 onboardings and 5 assertions that changed cell, 10 txs.
	wantBal := uint64(funds - 10*txFee - 5*onboard - 5*assertFee)
	if acc.Balance != wantBal || acc.Sequence != 10 || acc.Denom != "upin" || acc.Address != f.alice.String() {
		t.Errorf("account: got %+v, want balance %d, sequence 10, denom upin", acc, wantBal)
	}
	var fresh query.Account
	stranger := clientAddrOf("stranger")
	if code, msg := f.get("/accounts/"+stranger, &fresh); code != query.CodeOK || fresh.Balance != 0 || fresh.Sequence != 0 {
		t.Errorf("unfunded account: got %v (%s) %+v, want ok with balance 0 and sequence 0", code, msg, fresh)
	}
	var s query.Supply
	if code, msg := f.get("/supply", &s); code != query.CodeOK {
		t.Fatalf("supply: got %v (%s)", code, msg)
	}
	wantBurned := uint64(7*onboard + 5*assertFee)
	if s.Minted != 3*funds || s.Burned != wantBurned || s.Total != 3*funds-wantBurned || s.Denom != "upin" || s.Decimals != 6 {
		t.Errorf("supply: got %+v, want minted %d burned %d", s, 3*funds, wantBurned)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t, 1, 0)
	tests := []struct {
		path string
		want query.Code
		msg  string // a substring of the message
	}{
		{"/", query.CodeUnknownPath, "unknown query path"},
		{"", query.CodeUnknownPath, "unknown query path"},
		{"/nope", query.CodeUnknownPath, "unknown query path"},
		{"/accounts", query.CodeUnknownPath, ""},
		{"/accounts/pin1xyz", query.CodeBadRequest, "invalid address"},
		{"/devices/" + f.bob.String(), query.CodeNotFound, "no device"},
		{"/devices/zz", query.CodeBadRequest, "device"},
		{"/devices/" + f.bob.String() + "/locations", query.CodeNotFound, "no device"},
		{"/devices?kind=Toaster", query.CodeBadRequest, "kind"},
		{"/devices?owner=nobody", query.CodeBadRequest, "owner"},
		{"/devices?cell=zz", query.CodeBadRequest, "not a hex H3 index"},
		{"/devices?cell=1", query.CodeBadRequest, "not a valid H3 cell"},
		{"/devices?limit=0", query.CodeBadRequest, "limit"},
		{"/devices?limit=1001", query.CodeBadRequest, "limit"},
		{"/devices?limit=ten", query.CodeBadRequest, "limit"},
		{"/devices?page_key=xyz", query.CodeBadRequest, "page_key"},
		{"/devices?page_key=" + strings.Repeat("00", 65), query.CodeBadRequest, "page_key"},
		{"/devices?active=maybe", query.CodeBadRequest, "active"},
		{"/devices?%zz", query.CodeBadRequest, "malformed"},
		{"/makers/" + f.alice.String(), query.CodeNotFound, "no maker"},
		{"/makers?limit=-1", query.CodeBadRequest, "limit"},
		{"/txs/" + strings.Repeat("ab", 32), query.CodeUnknownPath, "txs"},
		{"/" + strings.Repeat("a", 5000), query.CodeBadRequest, "at most"},
	}
	for _, tt := range tests {
		code, msg := f.get(tt.path, nil)
		if code != tt.want {
			t.Errorf("%q: got %v (%s), want %v", tt.path, code, msg, tt.want)
		}
		if !strings.Contains(msg, tt.msg) {
			t.Errorf("%q: got message %q, want it to contain %q", tt.path, msg, tt.msg)
		}
	}
}

func TestDevice(t *testing.T) {
	f := newFixture(t, 5, 2)
	id := f.aliceDev[3]
	pub := sig.PublicOf(devKey("alice", 3))
	for _, p := range []string{"/devices/" + id.String(), "/devices/" + hex.EncodeToString(pub)} {
		var d query.Device
		if code, msg := f.get(p, &d); code != query.CodeOK {
			t.Fatalf("%s: got %v (%s)", p, code, msg)
		}
		if d.ID != id.String() || d.PubKey != hex.EncodeToString(pub) || d.Kind != "coverage" || d.Owner != f.alice.String() ||
			d.Maker != f.maker.String() || d.Serial != "SN-alice-003" || !d.Active || d.Assertions != 2 {
			t.Errorf("%s: got %+v", p, d)
		}
		if d.Location == nil || d.Location.Cell != device.CellString(cellPorto) || d.Location.Resolution != 12 ||
			d.Location.Attributes != hex.EncodeToString(coverage.EncodeAttributes(30, 10, coverage.RegionEU868)) || d.Location.Height == 0 {
			t.Errorf("%s: got location %+v, want porto res 12 gain 30 elevation 10 in EU868", p, d.Location)
		}
	}
	var locs query.LocationList
	if code, msg := f.get("/devices/"+id.String()+"/locations", &locs); code != query.CodeOK {
		t.Fatalf("locations: got %v (%s)", code, msg)
	}
	var cells []string
	for _, l := range locs.Locations {
		cells = append(cells, l.Cell)
	}
	want := []string{device.CellString(cellLisbon), device.CellString(cellPorto)}
	if !slices.Equal(cells, want) || locs.Device != id.String() || locs.NextPageKey != "" {
		t.Errorf("locations: got %v (device %s, next %q), want %v", cells, locs.Device, locs.NextPageKey, want)
	}
	if locs.Locations[0].Height >= locs.Locations[1].Height {
		t.Errorf("locations: got heights %d then %d, want ascending", locs.Locations[0].Height, locs.Locations[1].Height)
	}
}

func TestDeviceFilters(t *testing.T) {
	f := newFixture(t, 5, 2)
	ids := func(path string) []string {
		t.Helper()
		var l query.DeviceList
		if code, msg := f.get(path, &l); code != query.CodeOK {
			t.Fatalf("%s: got %v (%s)", path, code, msg)
		}
		var out []string
		for _, d := range l.Devices {
			out = append(out, d.ID)
		}
		slices.Sort(out)
		return out
	}
	addrs := func(as ...[]byte) []string {
		var out []string
		for _, a := range as {
			out = append(out, clientAddr(a))
		}
		slices.Sort(out)
		return out
	}
	a, b := f.aliceDev, f.bobDev
	tests := []struct {
		path string
		want []string
	}{
		{"/devices", addrs(a[0][:], a[1][:], a[2][:], a[3][:], a[4][:], b[0][:], b[1][:])},
		{"/devices?owner=" + f.bob.String(), addrs(b[0][:], b[1][:])},
		{"/devices?kind=sensor", addrs(b[0][:], b[1][:])},
		{"/devices?kind=coverage&owner=" + f.bob.String(), nil},
		{"/devices?cell=" + device.CellString(cellLisbon), addrs(a[0][:], a[1][:], a[2][:])},
		{"/devices?cell=0x" + device.CellString(cellPorto), addrs(a[3][:])},
		{"/devices?cell=" + device.CellString(cellPorto) + "&kind=sensor", nil},
	}
	for _, tt := range tests {
		if got := ids(tt.path); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.path, got, tt.want)
		}
	}
	// A decommissioned device stays listed by owner but leaves the map.
	f.exec("alice", clientMsgDecommission(a[0]))
	if got := ids("/devices?cell=" + device.CellString(cellLisbon)); !slices.Equal(got, addrs(a[1][:], a[2][:])) {
		t.Errorf("after decommission, cell: got %v", got)
	}
	if got := ids("/devices?owner=" + f.alice.String()); len(got) != 5 {
		t.Errorf("after decommission, owner: got %d devices, want 5", len(got))
	}
	if got := ids("/devices?active=true&owner=" + f.alice.String()); len(got) != 4 {
		t.Errorf("after decommission, active owner: got %d devices, want 4", len(got))
	}
}

func TestMakersParamsTx(t *testing.T) {
	f := newFixture(t, 1, 0)
	var ml query.MakerList
	if code, msg := f.get("/makers", &ml); code != query.CodeOK {
		t.Fatalf("makers: got %v (%s)", code, msg)
	}
	if len(ml.Makers) != 1 {
		t.Fatalf("makers: got %d, want 1", len(ml.Makers))
	}
	m := ml.Makers[0]
	if m.ID != f.maker.String() || m.Name != "Acme Radio" || !slices.Equal(m.Kinds, []string{"coverage", "sensor"}) ||
		m.OnboardFee != onboard || m.Devices != 1 || m.PubKey != hex.EncodeToString(sig.PublicOf(clientKey("maker"))) {
		t.Errorf("maker: got %+v", m)
	}
	var one query.Maker
	if code, _ := f.get("/makers/"+f.maker.String(), &one); code != query.CodeOK || one.Name != m.Name {
		t.Errorf("maker by id: got %v %+v", code, one)
	}
	var ps query.Params
	if code, msg := f.get("/params", &ps); code != query.CodeOK {
		t.Fatalf("params: got %v (%s)", code, msg)
	}
	if v, ok := ps.Value(bank.MinFee.Name); !ok || v != bank.MinFee.Default {
		t.Errorf("params: got bank.min_fee %d %v, want %d", v, ok, bank.MinFee.Default)
	}
	if v, ok := ps.Value(device.AssertFee.Name); !ok || v != assertFee {
		t.Errorf("params: got device.assert_fee %d %v, want %d", v, ok, assertFee)
	}
	if ps.Authority != clientAddrOf("authority") {
		t.Errorf("params: got authority %s, want %s", ps.Authority, clientAddrOf("authority"))
	}
	if !slices.IsSortedFunc(ps.Params, func(a, b query.Param) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("params: not sorted by name")
	}
}
