package market

import (
	"testing"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

func TestReceiptsPayAndFeedUsage(t *testing.T) {
	e := newEnv(t, nil, "alice", "bob", "p1", "p2")
	e.provider("p1")
	e.provider("p2")
	before := e.balance("alice")
	e.buy("alice", 1_000)
	if got := before - e.balance("alice"); got != 10_000 {
		t.Fatalf("1,000 credits burned %d upin, want 10,000", got)
	}
	if bank.GetSupply(e.st).Burned != 10_000 || credit.GetTotals(e.st).BurnedUpin != 10_000 {
		t.Fatalf("burn not tracked: %+v %+v", bank.GetSupply(e.st), credit.GetTotals(e.st))
	}
	e.endBlock()
	e.must("p1", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{
		e.receipt("alice", "p1", 0, 300, 1), e.receipt("alice", "p1", 0, 500, 2), e.receipt("bob", "p1", 0, 5, 1),
	}})
	e.must("p2", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{e.receipt("alice", "p2", 0, 100, 1)}})
	if got := credit.Balance(e.st, testAddr("alice")); got != 100 {
		t.Fatalf("alice has %d credits left, want 100", got)
	}
	var unpaid int
	for _, ev := range e.eventsOf("market.receipt") {
		if attrOf(ev, "status") == "unpaid" {
			unpaid++
			if attrOf(ev, "reason") != "insufficient_credits" || attrOf(ev, "payer") != testAddr("bob").String() {
				t.Fatalf("unpaid receipt event %v", ev)
			}
		}
	}
	if unpaid != 1 {
		t.Fatalf("%d unpaid receipts, want bob's one", unpaid)
	}
	usage, total := EpochUsage(e.st, 0)
	if total != 900 || len(usage) != 2 {
		t.Fatalf("usage %v total %d", usage, total)
	}
	// A pool of 9,000 upin, cap 20 upin a credit: p1 gets 8,000, p2 1,000.
	pays, unused := UsageSplit(e.st, 0, 9_000)
	for _, p := range pays {
		want := map[ledger.Address]uint64{testAddr("p1"): 8_000, testAddr("p2"): 1_000}[p.Provider]
		if p.Credits != want {
			t.Errorf("%s gets %d, want %d", p.Provider, p.Credits, want)
		}
	}
	if unused != 0 {
		t.Errorf("unused %d", unused)
	}
	// A pool of 1,000,000: the cap holds each at 20 a credit, 18,000 in all.
	if got := UsageEarned(e.st, 0, 1_000_000); got != 18_000 {
		t.Fatalf("usage earns %d of a large pool, want 18,000", got)
	}
	ctx := &ledger.Context{Store: e.st, ChainID: testChain, Height: e.height}
	p1Before, supply := e.balance("p1"), bank.GetSupply(e.st).Total
	if err := PayUsage(ctx, 0, 1_000_000); err != nil {
		t.Fatal(err)
	}
	if got := e.balance("p1") - p1Before; got != 16_000 {
		t.Fatalf("p1 paid %d from the usage pool, want 16,000", got)
	}
	if got := bank.GetSupply(e.st).Total - supply; got != 1_000_000 {
		t.Fatalf("usage pool minted %d, want exactly the pool", got)
	}
	if _, total := EpochUsage(e.st, 0); total != 0 {
		t.Fatalf("usage of a paid epoch left: %d", total)
	}
	e.checkInvariants()
}

func TestRemintIsCapped(t *testing.T) {
	e := newEnv(t, map[string]uint64{"credit.remint_cap_upin": 3_000}, "alice")
	e.buy("alice", 1_000) // 10,000 upin burned
	if got := credit.Remint(e.st); got != 3_000 {
		t.Fatalf("re-mint %d, want the cap 3,000", got)
	}
	if got := credit.Remint(e.st); got != 0 {
		t.Fatalf("second re-mint %d, want 0", got)
	}
	e.buy("alice", 100) // 1,000 burned: half re-minted
	if got := credit.Remint(e.st); got != 500 {
		t.Fatalf("re-mint %d, want 500", got)
	}
}

// A full batch is verified at once and every receipt is paid in order.
func TestReceiptBatch(t *testing.T) {
	e := newEnv(t, nil, "alice", "bob", "p1")
	e.provider("p1")
	e.buy("alice", 10_000)
	e.buy("bob", 10_000)
	e.endBlock()
	var batch []*marketv1.SignedReceipt
	for i := range uint64(MaxReceipts.Default) {
		payer := []string{"alice", "bob"}[i%2]
		batch = append(batch, e.receipt(payer, "p1", 0, 3, i/2+1))
	}
	e.must("p1", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: batch})
	if got := Earned(e.st, testAddr("p1")); got != 3*MaxReceipts.Default {
		t.Fatalf("provider earned %d credits, want %d", got, 3*MaxReceipts.Default)
	}
	if LastNonce(e.st, testAddr("alice"), testAddr("p1")) != MaxReceipts.Default/2 {
		t.Fatal("nonces not recorded in order")
	}
	over := append(batch, e.receipt("alice", "p1", 0, 3, 1_000))
	if err := e.deliver("p1", TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: over}); err == nil || err.Code != ledger.CodeTooLarge {
		t.Fatalf("a batch above market.max_receipts: %v", err)
	}
	e.endBlock()
}
