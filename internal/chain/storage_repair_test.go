package chain_test

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
)

// TestStorageRepairByAnyParty: alice's shard loses its provider; bob, a
// third party without alice's key, places the same shard with another
// provider on a lease of his own and names the closed deal: the new deal
// is alice's and alice's repair fund reserves bob's deposit (capped at
// price × quantity × the failed lease's blocks left) plus the repair
// reward; when the new provider acknowledges, the chain moves the lease to
// alice and pays bob. Bad repairs are refused with their codes.
func TestStorageRepairByAnyParty(t *testing.T) {
	f := newStorageFixture(t)
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	f.expect("prov", ledger.CodeOK, market.TypeCloseLease, mustMarshal(&marketv1.MsgCloseLease{Lease: 1}))
	for f.deal().State == storagev1.DealState_DEAL_STATE_ACTIVE {
		f.block()
	}
	alice, bob := addrFor("alice"), addrFor("bob")
	fund := func(v uint64) []byte { return mustMarshal(&storagev1.MsgSetRepairFund{Amount: v}) }
	f.expect("alice", ledger.CodeOK, storage.TypeSetRepairFund, fund(500_000))
	f.expect("alice", storage.CodeFundUnchanged, storage.TypeSetRepairFund, fund(500_000))
	f.expect("alice", ledger.CodeInsufficientFunds, storage.TypeSetRepairFund, fund(1<<62))
	if got := storage.Repairs(f.a.Committed()); len(got) != 1 || got[0].Deal != 1 || got[0].Fund != 500_000 {
		t.Fatalf("repairs: got %+v, want deal 1 with a fund of 500000", got)
	}

	// bob's lease with another provider (authority's).
	const deposit = 1_000_000
	auth := addrFor("authority")
	f.block(f.tx("authority", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:3"})}),
		f.tx("bob", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 1_000, Deposit: deposit})}))
	f.block(f.tx("authority", msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: 2, Price: 10, Collateral: 500_000})}))
	f.block(f.tx("bob", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: 2, Provider: auth[:]})}))
	repair := func(mod func(*storagev1.MsgCreateDeal)) []byte {
		m := f.createDeal()
		m.Lease, m.RepairOf = 2, 1
		if mod != nil {
			mod(m)
		}
		return mustMarshal(m)
	}
	f.expect("bob", storage.CodeUnknownDeal, storage.TypeCreateDeal, repair(func(m *storagev1.MsgCreateDeal) { m.RepairOf = 99 }))
	f.expect("bob", storage.CodeRepairMismatch, storage.TypeCreateDeal, repair(func(m *storagev1.MsgCreateDeal) { m.Shard = 1 }))
	f.expect("alice", ledger.CodeOK, storage.TypeSetRepairFund, fund(5_000))
	f.expect("bob", storage.CodeRepairUnfunded, storage.TypeCreateDeal, repair(nil)) // 5000 < reward
	f.expect("alice", ledger.CodeOK, storage.TypeSetRepairFund, fund(2_000_000))
	before := bank.Balance(f.a.Committed(), bob)
	old, _ := market.GetLease(f.a.Committed(), 1)
	res := f.expect("bob", ledger.CodeOK, storage.TypeCreateDeal, repair(nil))
	if !hasEvent(res, "storage.repair", "repair_of", "1") || hasEvent(res, "market.lease_transferred", "lease", "2") {
		t.Fatalf("a repair without its event, or paid before the acknowledgement: %+v", res.Txs[0].Events)
	}
	st := f.a.Committed()
	pay := min(deposit, 10*uint64(old.EndHeight-f.height())) + storage.RepairReward.Default
	if got := storage.Fund(st, alice); got != 2_000_000-pay {
		t.Errorf("alice's repair fund: got %d, want %d reserved out of 2000000", got, pay)
	}
	if got := before - bank.Balance(st, bob); got != 1_000 { // the tx fee
		t.Errorf("bob's balance moved by -%d at create-deal, want only the 1000 fee", got)
	}
	if l, _ := market.GetLease(st, 2); string(l.Owner) != string(bob[:]) {
		t.Fatalf("the repair lease is not bob's before the acknowledgement: %+v", l)
	}
	if err := storage.Invariants(st); err != nil {
		t.Fatal(err)
	}
	res = f.expect("authority", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 2}))
	if !hasEvent(res, "storage.repair_paid", "deal", "2") || !hasEvent(res, "market.lease_transferred", "lease", "2") {
		t.Fatalf("an acknowledged repair without its payment: %+v", res.Txs[0].Events)
	}
	st = f.a.Committed()
	if got := bank.Balance(st, bob) - before; got+1_000 != pay {
		t.Errorf("bob got %d for the repair (after a 1000 fee), want %d", got, pay-1_000)
	}
	if got := storage.Fund(st, alice); got != 2_000_000-pay {
		t.Errorf("alice's repair fund: got %d, want %d", got, 2_000_000-pay)
	}
	d, _ := storage.GetDeal(st, 2)
	l, _ := market.GetLease(st, 2)
	if string(d.Owner) != string(alice[:]) || string(l.Owner) != string(alice[:]) || string(l.Depositors[0].Address) != string(alice[:]) {
		t.Fatalf("the repair deal %+v and its lease %+v are not alice's", d, l)
	}
	if err := storage.Invariants(st); err != nil {
		t.Fatal(err)
	}
	if got := storage.Repairs(st); len(got) != 0 {
		t.Fatalf("repairs after the repair: %+v", got)
	}
	// The shard has an open deal again: nothing more to repair.
	f.block(f.tx("bob", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 1_000, Deposit: deposit})}))
	f.block(f.tx("prov", msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: 3, Price: 10, Collateral: 500_000})}))
	prov := addrFor("prov")
	f.block(f.tx("bob", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: 3, Provider: prov[:]})}))
	f.expect("bob", storage.CodeNotRepairable, storage.TypeCreateDeal, repair(func(m *storagev1.MsgCreateDeal) { m.Lease = 3 }))
}

// TestStorageRepairDrainRefused reproduces review finding S12: a repairer
// could drain an owner's repair fund by placing the shard with itself as
// the provider at a high price (the fund repaid its whole deposit at
// create-deal), or by never acknowledging and repairing its own failed
// repair deal again for another reward. Each step is refused with its
// code and changes nothing; an unacknowledged repair pays nothing.
func TestStorageRepairDrainRefused(t *testing.T) {
	f := newStorageFixture(t)
	f.expect("alice", ledger.CodeOK, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	f.expect("prov", ledger.CodeOK, storage.TypeAck, mustMarshal(&storagev1.MsgAck{Deal: 1}))
	f.expect("prov", ledger.CodeOK, market.TypeCloseLease, mustMarshal(&marketv1.MsgCloseLease{Lease: 1}))
	for f.deal().State == storagev1.DealState_DEAL_STATE_ACTIVE {
		f.block()
	}
	alice, bob, auth, prov := addrFor("alice"), addrFor("bob"), addrFor("authority"), addrFor("prov")
	const fund = 5_000_000
	f.expect("alice", ledger.CodeOK, storage.TypeSetRepairFund, mustMarshal(&storagev1.MsgSetRepairFund{Amount: fund}))
	f.block(f.tx("bob", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:4"})}),
		f.tx("authority", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:3"})}))
	// lease opens an order of bob's at maxPrice, bid on by bidder at price,
	// accepted: its id.
	order := uint64(1)
	lease := func(bidder string, to ledger.Address, price uint64) uint64 {
		order++
		f.block(f.tx("bob", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 1_000, Duration: 1_000, Deposit: 1_000_000})}))
		f.block(f.tx(bidder, msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: order, Price: price, Collateral: 500_000})}))
		f.block(f.tx("bob", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: order, Provider: to[:]})}))
		l, ok := market.GetLease(f.a.Committed(), order) // one lease per order here
		if !ok || l.State != marketv1.LeaseState_LEASE_STATE_ACTIVE || string(l.Provider) != string(to[:]) {
			t.Fatalf("order %d: no active lease with %s: %+v", order, to, l)
		}
		return l.Id
	}
	repair := func(lease, of uint64) []byte {
		m := f.createDeal()
		m.Lease, m.RepairOf = lease, of
		return mustMarshal(m)
	}
	unchanged := func(what string) {
		t.Helper()
		if got := storage.Fund(f.a.Committed(), alice); got != fund {
			t.Fatalf("%s: alice's repair fund %d, want %d", what, got, fund)
		}
		if err := storage.Invariants(f.a.Committed()); err != nil {
			t.Fatal(err)
		}
	}
	// Price loop: bob as his own provider, 100 times the failed price.
	f.expect("bob", storage.CodeRepairProvider, storage.TypeCreateDeal, repair(lease("bob", bob, 1_000), 1))
	unchanged("bob as his own provider")
	// Another provider, 100 times the failed price.
	f.expect("bob", storage.CodeRepairTerms, storage.TypeCreateDeal, repair(lease("authority", auth, 1_000), 1))
	unchanged("a dearer lease")
	// The provider that failed.
	f.expect("bob", storage.CodeRepairProvider, storage.TypeCreateDeal, repair(lease("prov", prov, 10), 1))
	unchanged("the failed provider")
	// Reward loop: a fair repair lease whose provider never acknowledges
	// (bob's refused leases closed first, so his balance shows only this).
	for l := uint64(2); l <= order; l++ {
		f.expect("bob", ledger.CodeOK, market.TypeCloseLease, mustMarshal(&marketv1.MsgCloseLease{Lease: l}))
	}
	before := bank.Balance(f.a.Committed(), bob)
	id := lease("authority", auth, 10)
	f.expect("bob", ledger.CodeOK, storage.TypeCreateDeal, repair(id, 1))
	if got := storage.Fund(f.a.Committed(), alice); got >= fund {
		t.Fatalf("nothing reserved for the pending repair: fund %d", got)
	}
	for {
		d, _ := storage.GetDeal(f.a.Committed(), id)
		if d.State == storagev1.DealState_DEAL_STATE_CLOSED {
			if d.CloseReason != storage.CloseNotAcknowledged {
				t.Fatalf("repair deal closed %s, want not acknowledged", storage.CloseReasonName(d.CloseReason))
			}
			break
		}
		f.block()
	}
	unchanged("an unacknowledged repair")
	if got := bank.Balance(f.a.Committed(), bob); got > before {
		t.Fatalf("bob gained %d from an unacknowledged repair", got-before)
	}
	// bob cannot repair his own failed repair deal again.
	f.expect("bob", storage.CodeRepairOwnDeal, storage.TypeCreateDeal, repair(lease("authority", auth, 10), id))
	unchanged("bob repairing his own repair")
}
