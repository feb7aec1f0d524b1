package tokensim

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/api"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/reward"
)

// TestFromNode serves a simulated chain's JSON API on loopback, starts a
// new scenario from it and checks that it took the node's parameters
// (per-epoch amounts scaled to days), pools, supply and validators, then
// runs it.
func TestFromNode(t *testing.T) {
	s := small(t)
	s.Days = 45
	s.Params["reward.halving_epochs"] = 30
	// A proposal still in its voting period when the run ends.
	s.Events = []Event{{Day: 44, Kind: EventProposal, Title: "pending", Params: map[string]uint64{
		reward.EmissionInitial.Name: 1_000_000, "market.take_rate_bps": 300, "market.settle_period_blocks": 5}}}
	live := run(t, s)
	srv := httptest.NewServer(api.New(api.DefaultConfig(), live.node.app, nil))
	defer srv.Close()

	got := load(t, "testdata/small.toml")
	got.Params["credit.price_upin"] = 99 // must be replaced by the node's
	got.Pools = nil
	if err := FromNode(context.Background(), got, srv.URL, NodeOptions{EpochsPerDay: 2}); err != nil {
		t.Fatal(err)
	}
	st := live.node.state()
	cur := reward.CurrentEpoch(st).Number
	want := reward.EpochEmission(reward.ScheduleOf(st), cur) * 2
	if e := got.Params[reward.EmissionInitial.Name]; e != want {
		t.Fatalf("emission %d a day, want the node's current epoch emission × 2 = %d", e, want)
	}
	if h := got.Params[reward.HalvingEpochs.Name]; h != 15 {
		t.Fatalf("halving every %d days, want 30 epochs at 2 a day = 15", h)
	}
	if p := got.Params["credit.price_upin"]; p != s.Params["credit.price_upin"] {
		t.Fatalf("credit price %d, the node's is %d", p, s.Params["credit.price_upin"])
	}
	if _, ok := got.Params["epoch.blocks"]; ok {
		t.Fatalf("took the node's epoch length, which is the simulation's day")
	}
	if !slices.Equal(got.Pools, s.Pools) {
		t.Fatalf("pools %+v, the node's are %+v", got.Pools, s.Pools)
	}
	if got.Genesis.Validators != s.Genesis.Validators || got.Genesis.Team != 0 {
		t.Fatalf("genesis %+v: want the node's %d validators and no team", got.Genesis, s.Genesis.Validators)
	}
	total := (got.Genesis.Holders + got.Genesis.Treasury + got.Genesis.SelfBond*uint64(got.Genesis.Validators)) * upinPerPIN
	if sup := bank.GetSupply(st).Total; total > sup || sup-total > uint64(2+got.Genesis.Validators)*upinPerPIN {
		t.Fatalf("the new genesis allocates %d upin, the node's supply is %d", total, sup)
	}
	if got.Genesis.Treasury != bank.Balance(st, reward.Treasury)/upinPerPIN || got.Genesis.Treasury == 0 {
		t.Fatalf("treasury %d PIN, the node's is %d upin", got.Genesis.Treasury, bank.Balance(st, reward.Treasury))
	}
	got.Days = 20
	run(t, got)

	// The pending proposal becomes a day-0 event, scaled like the rest.
	withProp := load(t, "testdata/small.toml")
	if err := FromNode(context.Background(), withProp, srv.URL, NodeOptions{EpochsPerDay: 2, Proposal: 1}); err != nil {
		t.Fatal(err)
	}
	e := withProp.Events[len(withProp.Events)-1]
	wantEm := reward.EpochEmission(reward.Schedule{Initial: 1_000_000, HalvingEpochs: 30}, cur) * 2
	if e.Day != 0 || e.Kind != EventProposal || e.Params[reward.EmissionInitial.Name] != wantEm ||
		e.Params["market.take_rate_bps"] != 300 || len(e.Params) != 2 {
		t.Fatalf("proposal event %+v: want day 0, emission %d, take 300 and no block-counted parameter", e, wantEm)
	}
	withProp.Days = 5
	if res := run(t, withProp); len(res.Proposals) != 1 {
		t.Fatalf("the proposal was not submitted in the run: %+v", res.Proposals)
	}
	if err := FromNode(context.Background(), load(t, "testdata/small.toml"), srv.URL, NodeOptions{EpochsPerDay: 2, Proposal: 9}); err == nil {
		t.Fatalf("an unknown proposal gave no error")
	}

	if err := FromNode(context.Background(), load(t, "testdata/small.toml"), srv.URL+"/nothing-here", NodeOptions{}); err == nil {
		t.Fatalf("a wrong URL gave no error")
	}
}
