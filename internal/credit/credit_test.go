package credit

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
)

func addr(n byte) ledger.Address { return ledger.Address{n} }

func setup(t *testing.T) *ledger.MemStore {
	t.Helper()
	st := ledger.NewMemStore()
	if err := params.NewRegistry(Specs(), bank.Specs()).InitGenesis(st, addr(9), nil); err != nil {
		t.Fatal(err)
	}
	if err := bank.InitGenesis(st, "upin", 6, []bank.GenesisBalance{{Address: addr(1), Amount: 1_000_000}}); err != nil {
		t.Fatal(err)
	}
	return st
}

func buy(st ledger.Store, signer ledger.Address, m *creditv1.MsgBuy) *ledger.Error {
	raw, _ := proto.Marshal(m)
	return handleBuy(&ledger.Context{Store: st, Signer: signer}, raw)
}

func TestBuySpendAndInvariants(t *testing.T) {
	st := setup(t)
	b := addr(2)
	if e := buy(st, addr(1), &creditv1.MsgBuy{Beneficiary: b[:], Credits: 500}); e != nil {
		t.Fatal(e)
	}
	if got := bank.Balance(st, addr(1)); got != 1_000_000-500*PriceUpin.Default {
		t.Fatalf("buyer balance %d", got)
	}
	if Balance(st, b) != 500 || Balance(st, addr(1)) != 0 {
		t.Fatalf("credits went to the wrong account")
	}
	if e := Spend(st, b, 501); e == nil || e.Code != CodeInsufficientCredits {
		t.Fatalf("overspend: %v", e)
	}
	if e := Spend(st, b, 200); e != nil {
		t.Fatal(e)
	}
	tot := GetTotals(st)
	if tot.Outstanding != 300 || tot.Spent != 200 || tot.Bought != 500 || tot.BurnedUpin != 5_000 || bank.GetSupply(st).Burned != 5_000 {
		t.Fatalf("totals %+v", tot)
	}
	if err := Invariants(st); err != nil {
		t.Fatal(err)
	}
	if e := buy(st, addr(3), &creditv1.MsgBuy{Credits: 1}); e == nil || e.Code != ledger.CodeInsufficientFunds {
		t.Fatalf("buy without funds: %v", e)
	}
	if e := buy(st, addr(1), &creditv1.MsgBuy{Beneficiary: []byte{1, 2}, Credits: 1}); e == nil || e.Code != ledger.CodeInvalidAddress {
		t.Fatalf("bad beneficiary: %v", e)
	}
	raw, err := ExportGenesis(st)
	if err != nil {
		t.Fatal(err)
	}
	again := setup(t)
	if err := InitGenesis(again, raw); err != nil {
		t.Fatal(err)
	}
	if Balance(again, b) != 300 || GetTotals(again).Spent != 200 {
		t.Fatal("genesis export does not round-trip")
	}
}
