package explorer_test

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/storage"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
)

// getJSON fetches an /api page and decodes it; the status must be 200.
func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	code, body := get(t, url)
	if code != 200 {
		t.Fatalf("GET %s: status %d: %.200s", url, code, body)
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// The storage pages read a deal the chain made (order, bid, accept,
// create deal) from the chain's own state: the list, the deal, its file
// and its provider, in HTML and JSON.
func TestStoragePagesOnChainState(t *testing.T) {
	f := newFixture(t, 5)
	owner, prov := f.Chain.Account(1).String(), f.Chain.Account(5).String()
	m := f.Deal.Manifest
	cid := storage.FormatCID(m.CID())
	id := strconv.FormatUint(f.Deal.ID, 10)
	want := func(d storage.DealView) {
		t.Helper()
		if d.ID != f.Deal.ID || d.Owner != owner || d.Provider != prov || d.CID != cid || d.Shard != 0 || d.ShardSize != m.ShardSize() ||
			d.LeafSize != m.LeafSize || d.State != "pending" || d.CreatedHeight == 0 {
			t.Errorf("deal %+v, want id %d of %s with %s, %s shard 0 of %d bytes, pending", d, f.Deal.ID, owner, prov, cid, m.ShardSize())
		}
	}

	var list explorer.StoragePage
	getJSON(t, f.URL+"/api/storage", &list)
	if len(list.Deals) != 1 || list.StateError != "" {
		t.Fatalf("storage page: %+v", list)
	}
	want(list.Deals[0])
	if len(list.Files) != 1 || list.Files[0] != (explorer.StorageFile{CID: cid, Shards: 1, Deals: 1, Bytes: m.ShardSize()}) {
		t.Errorf("files %+v", list.Files)
	}
	if len(list.Providers) != 1 || list.Providers[0].Provider != prov || list.Providers[0].Deals != 1 || list.Providers[0].OpenDeals != 1 {
		t.Errorf("providers %+v", list.Providers)
	}
	if !hasEvent(list.Events, "storage.deal") {
		t.Errorf("no storage.deal event among %+v", list.Events)
	}

	var dp explorer.StorageDealPage
	getJSON(t, f.URL+"/api/storage/deals/"+id, &dp)
	want(dp.Deal)
	var fp explorer.StorageFilePage
	getJSON(t, f.URL+"/api/storage/files/"+cid, &fp)
	if fp.CID != cid || len(fp.Deals) != 1 {
		t.Fatalf("file page %+v", fp)
	}
	want(fp.Deals[0])
	var pp explorer.StorageProviderPage
	getJSON(t, f.URL+"/api/storage/providers/"+prov, &pp)
	if pp.Reputation.Provider != prov || pp.Reputation.Deals != 1 || len(pp.Deals) != 1 {
		t.Fatalf("provider page %+v", pp)
	}
	want(pp.Deals[0])

	for path, wants := range map[string][]string{
		"/storage":                   {cid, prov, "/storage/deals/" + id},
		"/storage/deals/" + id:       {"Storage deal " + id, cid, owner, prov, "pending", strconv.FormatUint(m.ShardSize(), 10) + " bytes"},
		"/storage/files/" + cid:      {cid, prov, "/storage/deals/" + id},
		"/storage/providers/" + prov: {prov, "/storage/deals/" + id, cid},
	} {
		code, body := get(t, f.URL+path)
		if code != 200 {
			t.Errorf("GET %s: status %d", path, code)
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q", path, w)
			}
		}
	}
}

// The compute pages read the job account 2 submitted from the chain's
// state.
func TestComputePagesOnChainState(t *testing.T) {
	f := newFixture(t, 5)
	owner := f.Chain.Account(2).String()
	var list explorer.ComputePage
	getJSON(t, f.URL+"/api/compute", &list)
	if len(list.Jobs) != 1 || list.Jobs[0].Owner != owner || list.Jobs[0].Tasks != 2 || len(list.Providers) != 1 ||
		list.Providers[0].Address != f.Chain.Account(5).String() || len(list.Verifiers) != 1 || list.Verifiers[0] != f.Chain.Account(4).String() {
		t.Fatalf("compute page %+v", list)
	}
	id := strconv.FormatUint(list.Jobs[0].ID, 10)
	var jp explorer.ComputeJobPage
	getJSON(t, f.URL+"/api/compute/jobs/"+id, &jp)
	if jp.Job != list.Jobs[0] || len(jp.Tasks) != 2 {
		t.Fatalf("job page %+v, want job %+v with 2 tasks", jp, list.Jobs[0])
	}
	code, body := get(t, f.URL+"/compute/jobs/"+id)
	if code != 200 || !strings.Contains(body, "Compute job "+id) || !strings.Contains(body, owner) || !strings.Contains(body, "2 tasks") {
		t.Errorf("GET /compute/jobs/%s: status %d: %.300s", id, code, body)
	}
}

// A node that does not answer (its RPC port is closed) makes the detail
// pages a 502 with a clear message, never a 500; the list pages still
// answer with their events and say the node did not answer. A malformed
// id is still the user's 400.
func TestNodeDownIs502(t *testing.T) {
	f := newFixture(t, 5)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	node, err := client.New("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, f.DB, node)
	prov := f.Chain.Account(5).String()
	cid := storage.FormatCID(f.Deal.Manifest.CID())
	for _, p := range []string{"/storage/deals/1", "/storage/files/" + cid, "/storage/providers/" + prov, "/compute/jobs/1", "/relay/relays/" + prov,
		"/energy/clearings/851f/42"} {
		code, body := get(t, url+p)
		if code != 502 || !strings.Contains(body, "the node did not answer") {
			t.Errorf("GET %s: status %d, want 502 saying the node did not answer: %.200s", p, code, body)
		}
		code, body = get(t, url+"/api"+p)
		var e struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}
		if code != 502 || json.Unmarshal([]byte(body), &e) != nil || e.Status != 502 || !strings.Contains(e.Error, "the node did not answer") {
			t.Errorf("GET /api%s: status %d: %.200s", p, code, body)
		}
		if strings.Contains(body, addr) {
			t.Errorf("GET /api%s shows the node's address: %s", p, body)
		}
	}
	for _, p := range []string{"/storage", "/compute", "/relay", "/market", "/governance"} {
		var page struct {
			StateError string            `json:"state_error"`
			Events     []json.RawMessage `json:"events"`
		}
		getJSON(t, url+"/api"+p, &page)
		if !strings.Contains(page.StateError, "the node did not answer") {
			t.Errorf("GET /api%s: state_error %q", p, page.StateError)
		}
	}
	var st explorer.StoragePage
	getJSON(t, url+"/api/storage", &st)
	if len(st.Deals) != 0 || !hasEvent(st.Events, "storage.deal") {
		t.Errorf("storage page without a node: %+v", st)
	}
	if code, _ := get(t, url+"/storage/deals/x"); code != 400 {
		t.Errorf("GET /storage/deals/x without a node: status %d, want 400", code)
	}
}

func hasEvent(evs []indexer.EventRow, typ string) bool {
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// The energy pages read an open clearing the chain booked: two energy
// meters (a solar one and a load, onboarded and located with their
// attributes) ask and bid for a coming interval; the energy page lists
// the clearing and its page shows both orders.
func TestEnergyPagesOnChainState(t *testing.T) {
	c, err := indexertest.New(3, 10)
	if err != nil {
		t.Fatal(err)
	}
	cell := indexertest.CityCell(0)
	solar := kenergy.EncodeAttributes(&kenergyv1.Attributes{RatedPowerW: 5_000, BatteryWh: 10_000, MaxChargeW: 4_000, GridCell: cell, FeederId: 1, Renewable: true})
	load := kenergy.EncodeAttributes(&kenergyv1.Attributes{RatedPowerW: 10_000, GridCell: cell, FeederId: 1})
	for _, txs := range [][][]byte{
		{c.OnboardKind(1, 0, kenergy.Name), c.OnboardKind(2, 1, kenergy.Name)},
		{c.LocateWith(1, 0, cell, solar), c.LocateWith(2, 1, cell, load)},
	} {
		if _, err := c.Commit(false, txs...); err != nil {
			t.Fatal(err)
		}
	}
	iv := uint64(c.Time()/1e9)/kenergy.IntervalSeconds.Default + 2
	seller, buyer := indexertest.Device(0), indexertest.Device(1)
	if _, err := c.Commit(false, c.Msg(1, energy.TypeAsk, &energyv1.MsgAsk{Device: seller[:], Interval: iv, Wh: 500, Price: 100_000}),
		c.Msg(2, energy.TypeBid, &energyv1.MsgBid{Device: buyer[:], Interval: iv, Wh: 400, Price: 150_000})); err != nil {
		t.Fatal(err)
	}
	url := serve(t, indexChain(t, c, nil), c)
	z, _ := kenergy.Zone(cell, kenergy.ZoneResolution.Default)
	zone := energy.ZoneString(z)

	var list explorer.EnergyPage
	getJSON(t, url+"/api/energy", &list)
	if len(list.Clearings) != 1 || list.Clearings[0] != (energy.ClearingView{Zone: zone, Interval: iv, Asks: 1, Bids: 1}) {
		t.Fatalf("energy page %+v, want one open clearing of zone %s interval %d", list, zone, iv)
	}
	path := fmt.Sprintf("/energy/clearings/%s/%d", zone, iv)
	var cp explorer.EnergyClearingPage
	getJSON(t, url+"/api"+path, &cp)
	o := cp.Clearing.Orders
	if cp.Clearing.Zone != zone || len(o) != 2 || o[0].Side != "ask" || o[0].Device != seller.String() || o[0].Owner != c.Account(1).String() ||
		o[0].Wh != 500 || o[1].Side != "bid" || o[1].Device != buyer.String() || o[1].Price != 150_000 || len(cp.Clearing.Trades) != 0 {
		t.Fatalf("clearing page %+v", cp)
	}
	code, body := get(t, url+path)
	for _, w := range []string{"interval " + strconv.FormatUint(iv, 10), "open", "/devices/" + seller.String(), "/devices/" + buyer.String(), "no trades", "not settled yet"} {
		if code != 200 || !strings.Contains(body, w) {
			t.Errorf("GET %s: status %d, no %q", path, code, w)
		}
	}
	if code, body := get(t, url+"/energy"); code != 200 || !strings.Contains(body, `href="`+path+`"`) {
		t.Errorf("GET /energy: status %d, no link to %s: %.300s", code, path, body)
	}
}
