package storage

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// TestVettingCapsOpenDeals: a provider still being vetted may hold at most
// storage.vetting_max_open_deals open (pending or active) deals; closed
// deals do not count; once vetted it has no cap. The cap limits new deals
// only: a provider at its cap still acknowledges its pending ones.
func TestVettingCapsOpenDeals(t *testing.T) {
	st := ledger.NewMemStore()
	if err := params.NewRegistry(Specs()).InitGenesis(st, ledger.ModuleAddress("authority"),
		map[string]uint64{VettingMaxOpenDeals.Name: 2}); err != nil {
		t.Fatal(err)
	}
	p := ledger.ModuleAddress("prov")
	add := func(id uint64, s storagev1.DealState) {
		putDeal(st, &storagev1.Deal{Id: id, Provider: p[:], State: s})
		st.Set(provKey(p, id), []byte{})
	}
	if e := checkRoom(st, p); e != nil {
		t.Fatalf("a new provider with no deals: %v", e)
	}
	add(1, storagev1.DealState_DEAL_STATE_ACTIVE)
	add(2, storagev1.DealState_DEAL_STATE_CLOSED)
	add(3, storagev1.DealState_DEAL_STATE_CLOSED)
	if e := checkRoom(st, p); e != nil {
		t.Fatalf("one open deal and two closed ones, cap 2: %v", e)
	}
	add(4, storagev1.DealState_DEAL_STATE_PENDING)
	if e := checkRoom(st, p); e == nil || e.Code != CodeVettingLimit {
		t.Fatalf("two open deals at cap 2: %v, want code %d", e, CodeVettingLimit)
	}
	if e := checkEligible(st, p); e != nil {
		t.Fatalf("a provider at its vetting cap may not acknowledge its pending deal: %v", e)
	}
	v, qe := queryProvider(&ledger.Query{Store: st, Vars: []string{p.String()}})
	if view := v.(ReputationView); qe != nil || view.OpenDeals != 2 || view.DealCap != 2 || view.Deals != 4 {
		t.Fatalf("provider view while vetting: %+v (%v)", v, qe)
	}
	// Vetted: the cap no longer applies.
	r := reputationOf(st, p, 1)
	r.Status = storagev1.ProviderStatus_PROVIDER_STATUS_VETTED
	putReputation(st, r)
	add(5, storagev1.DealState_DEAL_STATE_ACTIVE)
	if e := checkRoom(st, p); e != nil {
		t.Fatalf("a vetted provider with three open deals: %v", e)
	}
	if v, _ := queryProvider(&ledger.Query{Store: st, Vars: []string{p.String()}}); v.(ReputationView).DealCap != 0 {
		t.Fatalf("a vetted provider has a deal cap: %+v", v)
	}
}
