package chain_test

import (
	"testing"

	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// TestStorageRefusesSelfDeals: a consumer who accepted its own bid holds a
// lease with itself, but the storage module records no deal on it
// (self_deal), so its proofs can never earn the availability pool.
func TestStorageRefusesSelfDeals(t *testing.T) {
	f := newStorageFixture(t)
	alice := addrFor("alice")
	f.block(f.tx("alice", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:2"})}),
		f.tx("alice", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: storage.Kind, Quantity: 1, MaxPrice: 10, Duration: 1_000, Deposit: 1_000_000})}))
	f.block(f.tx("alice", msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: 2, Price: 10, Collateral: 500_000})}))
	f.block(f.tx("alice", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: 2, Provider: alice[:]})}))
	l, ok := market.GetLease(f.a.Committed(), 2)
	if !ok || string(l.Owner) != string(l.Provider) {
		t.Fatalf("want a lease of alice with herself, got %+v", l)
	}
	f.leaseN = 2
	f.expect("alice", storage.CodeSelfDeal, storage.TypeCreateDeal, mustMarshal(f.createDeal()))
	if _, ok := storage.GetDeal(f.a.Committed(), 2); ok {
		t.Fatal("a self deal was recorded")
	}
}
