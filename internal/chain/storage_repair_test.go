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
// provider on a lease of his own and names the closed deal: the chain
// moves the lease to alice, repays bob his deposit and the repair reward
// from alice's repair fund, and the new deal is alice's. Bad repairs are
// refused with their codes.
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
	f.expect("bob", storage.CodeRepairUnfunded, storage.TypeCreateDeal, repair(nil)) // 500000 < deposit + reward
	f.expect("alice", ledger.CodeOK, storage.TypeSetRepairFund, fund(2_000_000))
	before := bank.Balance(f.a.Committed(), bob)
	res := f.expect("bob", ledger.CodeOK, storage.TypeCreateDeal, repair(nil))
	if !hasEvent(res, "storage.repair", "repair_of", "1") || !hasEvent(res, "market.lease_transferred", "lease", "2") {
		t.Fatalf("a repair without its events: %+v", res.Txs[0].Events)
	}
	st := f.a.Committed()
	pay := deposit + storage.RepairReward.Default
	if got := bank.Balance(st, bob) - before; got+1_000 != pay { // the tx fee
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
