package market

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
)

func TestLeaseStreamsAndOwnerCloses(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1", "p2")
	e.provider("p1", "region", "eu")
	e.provider("p2", "region", "us")
	o := e.order("alice", 2, 1_000, 100, 1_000_000)
	e.must("p1", TypeBid, &marketv1.MsgBid{Order: o, Price: 900, Collateral: 500_000})
	e.must("p2", TypeBid, &marketv1.MsgBid{Order: o, Price: 800, Collateral: 600_000})
	e.endBlock()
	p2 := testAddr("p2")
	p1Before := e.balance("p1")
	e.must("alice", TypeAccept, &marketv1.MsgAccept{Order: o, Provider: p2[:]})
	start := e.height
	if got, want := e.balance("p1"), p1Before+500_000; got != want {
		t.Fatalf("losing bidder's balance %d, want %d (collateral refunded)", got, want)
	}
	l := e.lease(1)
	if l.Rate != 1_600 || l.NextDue != start+10 || l.EndHeight != start+100 {
		t.Fatalf("lease rate %d next due %d end %d", l.Rate, l.NextDue, l.EndHeight)
	}
	p2Before := e.balance("p2")
	e.blocks(25) // heights start .. start+24: settled at start+10 and start+20
	l = e.lease(1)
	if l.SettledHeight != start+20 || l.Paid+l.Take != 20*1_600 {
		t.Fatalf("settled %d paid %d take %d, want 20 blocks", l.SettledHeight, l.Paid, l.Take)
	}
	if l.Take != 20*1_600*200/10_000 {
		t.Fatalf("take %d, want 2%% of %d", l.Take, 20*1_600)
	}
	if got := e.balance("p2") - p2Before; got != l.Paid {
		t.Fatalf("provider received %d, lease paid %d", got, l.Paid)
	}
	aliceBefore := e.balance("alice")
	e.must("alice", TypeCloseLease, &marketv1.MsgCloseLease{Lease: 1})
	l = e.lease(1)
	blocks := uint64(e.height - start)
	if l.State != marketv1.LeaseState_LEASE_STATE_CLOSED || l.CloseReason != ReasonOwner {
		t.Fatalf("lease state %v reason %d", l.State, l.CloseReason)
	}
	if l.Paid+l.Take != blocks*1_600 || l.Refunded != 1_000_000-blocks*1_600 {
		t.Fatalf("paid %d take %d refunded %d after %d blocks", l.Paid, l.Take, l.Refunded, blocks)
	}
	if got := e.balance("alice") - aliceBefore; got != l.Refunded {
		t.Fatalf("owner refunded %d, lease says %d", got, l.Refunded)
	}
	if got := e.balance("p2") - p2Before; got != l.Paid+600_000 {
		t.Fatalf("provider got %d, want paid %d + collateral", got, l.Paid)
	}
	e.endBlock()
	if ord, _ := GetOrder(e.st, o); ord.State != marketv1.OrderState_ORDER_STATE_CLOSED {
		t.Fatalf("order state %v after its lease closed", ord.State)
	}
}

func TestLeaseRunsDryInEndBlock(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1")
	e.provider("p1")
	id := e.leaseFor("alice", "p1", 3, 1_000, 1_000, 500_000) // 3,000 upin a block: 166 blocks, 2,000 left
	start := e.height
	e.endBlock()
	for e.height <= start+170 {
		e.endBlock() // no transaction is ever sent
	}
	l := e.lease(id)
	if l.State != marketv1.LeaseState_LEASE_STATE_CLOSED || l.CloseReason != ReasonInsufficientFunds {
		t.Fatalf("lease state %v reason %d, want closed for insufficient funds", l.State, l.CloseReason)
	}
	if l.ClosedHeight != start+166 || l.SettledHeight != start+166 {
		t.Fatalf("closed at %d settled through %d, want %d", l.ClosedHeight, l.SettledHeight, start+166)
	}
	if l.Paid+l.Take != 498_000 || l.Refunded != 2_000 {
		t.Fatalf("paid %d take %d refunded %d", l.Paid, l.Take, l.Refunded)
	}
	closed := e.eventsOf("market.lease_closed")
	if len(closed) != 1 || attrOf(closed[0], "reason") != "insufficient_funds" {
		t.Fatalf("close events %v", closed)
	}
}

func TestLeaseExpires(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1")
	e.provider("p1")
	id := e.leaseFor("alice", "p1", 1, 1_000, 25, 1_000_000)
	start := e.height
	e.blocks(30)
	l := e.lease(id)
	if l.CloseReason != ReasonExpired || l.ClosedHeight != start+25 || l.Paid+l.Take != 25_000 || l.Refunded != 975_000 {
		t.Fatalf("lease %+v", l)
	}
}

func TestDepositsRefundInOrder(t *testing.T) {
	e := newEnv(t, nil, "alice", "bob", "carol", "p1")
	e.provider("p1")
	id := e.leaseFor("alice", "p1", 1, 10_000, 1_000, 500_000) // 50 blocks
	start := e.height
	e.endBlock()
	e.must("bob", TypeDeposit, &marketv1.MsgDeposit{Lease: id, Amount: 300_000})
	e.must("carol", TypeDeposit, &marketv1.MsgDeposit{Lease: id, Amount: 200_000})
	e.must("carol", TypeDeposit, &marketv1.MsgDeposit{Lease: id, Amount: 100_000}) // merges with carol's entry
	if l := e.lease(id); len(l.Depositors) != 3 {
		t.Fatalf("%d depositors, want 3", len(l.Depositors))
	}
	for e.height < start+70 {
		e.endBlock()
	}
	before := map[string]uint64{"alice": e.balance("alice"), "bob": e.balance("bob"), "carol": e.balance("carol")}
	e.must("alice", TypeCloseLease, &marketv1.MsgCloseLease{Lease: id})
	// 70 blocks × 10,000 = 700,000 drawn: alice's 500,000, then 200,000 of bob's.
	want := map[string]uint64{"alice": 0, "bob": 100_000, "carol": 300_000}
	for who, w := range want {
		if got := e.balance(who) - before[who]; got != w {
			t.Errorf("%s refunded %d, want %d", who, got, w)
		}
	}
	e.endBlock()
}

func TestTopUpExtendsARunningDryLease(t *testing.T) {
	e := newEnv(t, map[string]uint64{"market.settle_period_blocks": 100}, "alice", "bob", "p1")
	e.provider("p1")
	id := e.leaseFor("alice", "p1", 1, 10_000, 1_000, 500_000)
	start := e.height
	if l := e.lease(id); l.NextDue != start+50 {
		t.Fatalf("next due %d, want the last affordable block %d", l.NextDue, start+50)
	}
	e.endBlock()
	e.must("bob", TypeDeposit, &marketv1.MsgDeposit{Lease: id, Amount: 1_000_000})
	if l := e.lease(id); l.NextDue != start+100 {
		t.Fatalf("next due %d after the top-up, want %d", l.NextDue, start+100)
	}
	e.blocks(120)
	if l := e.lease(id); l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE || l.SettledHeight != start+100 {
		t.Fatalf("lease state %v settled %d", l.State, l.SettledHeight)
	}
}

func TestProviderClosesWithReason(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1")
	e.provider("p1")
	id := e.leaseFor("alice", "p1", 1, 1_000, 100, 500_000)
	e.blocks(3)
	if err := e.deliver("p1", TypeCloseLease, &marketv1.MsgCloseLease{Lease: id, Reason: ReasonOwner}); err == nil || err.Code != CodeBadCloseReason {
		t.Fatalf("provider closing with an owner reason: %v", err)
	}
	e.must("p1", TypeCloseLease, &marketv1.MsgCloseLease{Lease: id, Reason: ReasonProviderUnstable})
	if l := e.lease(id); l.CloseReason != ReasonProviderUnstable || ReasonName(l.CloseReason) != "provider_unstable" {
		t.Fatalf("reason %d", l.CloseReason)
	}
	e.endBlock()
}

func TestAuditedRequirements(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1", "p2", "aud1", "aud2")
	e.provider("p1", "gpu", "a100")
	e.provider("p2", "gpu", "a100")
	a1, a2 := testAddr("aud1"), testAddr("aud2")
	for _, a := range []ledger.Address{a1, a2} {
		if err := e.deliverRaw(e.authority, TypeSetAuditor, mustMarshal(t, &marketv1.MsgSetAuditor{Auditor: a[:]})); err != nil {
			t.Fatal(err)
		}
	}
	p1, p2 := testAddr("p1"), testAddr("p2")
	gpu := []*marketv1.Attribute{{Key: "gpu", Value: "a100"}}
	e.must("aud1", TypeAttest, &marketv1.MsgAttest{Provider: p1[:], Attributes: gpu})
	e.must("aud2", TypeAttest, &marketv1.MsgAttest{Provider: p1[:], Attributes: gpu})
	e.must("aud2", TypeAttest, &marketv1.MsgAttest{Provider: p2[:], Attributes: gpu})
	if err := e.deliver("p1", TypeAttest, &marketv1.MsgAttest{Provider: p2[:], Attributes: gpu}); err == nil || err.Code != CodeNotAuditor {
		t.Fatalf("attest by a non-auditor: %v", err)
	}
	e.must("alice", TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: "compute", Quantity: 1, MaxPrice: 10, Duration: 10, Deposit: 500_000,
		Requirements: &marketv1.Requirements{Attributes: gpu, AllOf: [][]byte{a1[:], a2[:]}}})
	e.must("alice", TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: "compute", Quantity: 1, MaxPrice: 10, Duration: 10, Deposit: 500_000,
		Requirements: &marketv1.Requirements{Attributes: gpu, AnyOf: [][]byte{a1[:], a2[:]}}})
	e.must("p1", TypeBid, &marketv1.MsgBid{Order: 1, Price: 10, Collateral: 500_000})
	if err := e.deliver("p2", TypeBid, &marketv1.MsgBid{Order: 1, Price: 10, Collateral: 500_000}); err == nil || err.Code != CodeRequirementsUnmet {
		t.Fatalf("bid without every all_of attestation: %v", err)
	}
	e.must("p2", TypeBid, &marketv1.MsgBid{Order: 2, Price: 10, Collateral: 500_000})
	e.endBlock()
}

// A deposit after the settlement period was shortened never plans the next
// settlement in the past: the lease stays due at or after the block.
func TestDepositAfterShorterPeriod(t *testing.T) {
	e := newEnv(t, map[string]uint64{"market.settle_period_blocks": 50}, "alice", "bob", "p1")
	e.provider("p1")
	id := e.leaseFor("alice", "p1", 1, 10, 1_000, 500_000)
	start := e.height
	e.blocks(30)
	if err := e.deliverRaw(e.authority, "params/set", mustMarshal(t, &paramsv1.MsgSetParams{Changes: []*paramsv1.Change{{Name: SettlePeriod.Name, Value: 5}}})); err != nil {
		t.Fatal(err)
	}
	e.must("bob", TypeDeposit, &marketv1.MsgDeposit{Lease: id, Amount: 1_000})
	if l := e.lease(id); l.NextDue < e.height {
		t.Fatalf("next due %d before the current height %d", l.NextDue, e.height)
	}
	e.blocks(40)
	if l := e.lease(id); l.SettledHeight != start+65 || l.NextDue != start+70 {
		t.Fatalf("settled %d next %d, want %d and %d", l.SettledHeight, l.NextDue, start+65, start+70)
	}
}

// A provider updates its host and attributes; a bid then matches the new
// declaration, and the auditors' attestations stay as they were.
func TestUpdateProvider(t *testing.T) {
	e := newEnv(t, nil, "alice", "p1")
	e.provider("p1", "region", "eu")
	o := e.order("alice", 1, 10, 10, 500_000)
	e.must("alice", TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: "compute", Quantity: 1, MaxPrice: 10, Duration: 10, Deposit: 500_000,
		Requirements: &marketv1.Requirements{Attributes: []*marketv1.Attribute{{Key: "region", Value: "us"}}}})
	if err := e.deliver("p1", TypeBid, &marketv1.MsgBid{Order: o + 1, Price: 10, Collateral: 500_000}); err == nil || err.Code != CodeRequirementsUnmet {
		t.Fatalf("bid before the update: %v", err)
	}
	e.must("p1", TypeUpdateProvider, &marketv1.MsgUpdateProvider{HostUri: "https://p1.example/us", Attributes: []*marketv1.Attribute{{Key: "region", Value: "us"}}})
	e.must("p1", TypeBid, &marketv1.MsgBid{Order: o + 1, Price: 10, Collateral: 500_000})
	if p, _ := GetProvider(e.st, testAddr("p1")); p.HostUri != "https://p1.example/us" || p.CreatedHeight != 1 {
		t.Fatalf("provider %+v", p)
	}
	e.endBlock()
}
