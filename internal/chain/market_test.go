package chain_test

import (
	"encoding/json"
	"testing"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

const marketChain = "depin-market-e2e"

// marketNode runs the real chain in memory with signed transactions and the
// invariants checked after every block.
type marketNode struct {
	t    *testing.T
	a    *app.App
	seqs map[string]uint64
}

func newMarketNode(t *testing.T, params map[string]uint64) *marketNode {
	t.Helper()
	a := chain.New(app.NewMemBackend())
	var bals []app.GenesisBalance
	for _, n := range []string{"authority", "alice", "bob", "prov", "oracle"} {
		bals = append(bals, app.GenesisBalance{Address: addrFor(n).String(), Amount: 1_000_000_000_000})
	}
	rg, _ := json.Marshal(chain.RewardGenesis{
		Oracles: []chain.GenesisOracle{{Address: addrFor("oracle").String(), Weight: 1}},
		Pools: []chain.GenesisPool{
			{Name: "coverage", Bps: 6_000, Recipient: "devices", Kind: "coverage"},
			{Name: "usage", Bps: 2_000, Recipient: "usage"},
			{Name: "oracles", Bps: 700, Recipient: "oracles"},
			{Name: "treasury", Bps: 1_300, Recipient: "treasury"},
		},
	})
	gen, _ := json.Marshal(app.Genesis{Denom: "upin", Decimals: 6, Authority: addrFor("authority").String(), Balances: bals,
		Params: params, Modules: map[string]json.RawMessage{"reward": rg}})
	if _, err := a.InitChain(marketChain, gen); err != nil {
		t.Fatal(err)
	}
	return &marketNode{t: t, a: a, seqs: map[string]uint64{}}
}

func (n *marketNode) tx(signer string, msgs ...msg) []byte {
	raw := buildTx(keyFor(signer), txOpts{chainID: marketChain, seq: n.seqs[signer], fee: 1_000}, msgs...)
	n.seqs[signer]++
	return raw
}

// block runs a block; every transaction must succeed.
func (n *marketNode) block(txs ...[]byte) *app.BlockResult {
	n.t.Helper()
	res := finalize(n.t, n.a, txs)
	for i, r := range res.Txs {
		if r.Code != ledger.CodeOK {
			n.t.Fatalf("tx %d: %s: %s", i, r.Code, r.Log)
		}
	}
	return res
}

func (n *marketNode) height() int64 { h, _ := n.a.LastCommit(); return h }

// The market's take goes to the reward module's treasury.
func TestMarketTreasuryIsTheRewardTreasury(t *testing.T) {
	if market.Treasury != reward.Treasury {
		t.Fatalf("market treasury %s, reward treasury %s", market.Treasury, reward.Treasury)
	}
}

func TestMarketLeaseRunsDryWithNoTransaction(t *testing.T) {
	n := newMarketNode(t, nil)
	prov := addrFor("prov")
	n.block(n.tx("prov", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "https://prov.example"})}),
		n.tx("alice", msg{market.TypeCreateOrder, mustMarshal(&marketv1.MsgCreateOrder{Kind: "compute", Quantity: 2, MaxPrice: 2_500, Duration: 10_000, Deposit: 500_000})}))
	n.block(n.tx("prov", msg{market.TypeBid, mustMarshal(&marketv1.MsgBid{Order: 1, Price: 2_500, Collateral: 500_000})}))
	n.block(n.tx("alice", msg{market.TypeAccept, mustMarshal(&marketv1.MsgAccept{Order: 1, Provider: prov[:]})}))
	start := n.height() // 5,000 upin a block: the deposit pays 100 blocks
	var closedAt int64
	for n.height() < start+105 {
		res := n.block()
		for _, ev := range res.Events {
			if ev.Type == "market.lease_closed" {
				closedAt = n.height()
			}
		}
	}
	l, _ := market.GetLease(n.a.Committed(), 1)
	if closedAt != start+100 || l.CloseReason != market.ReasonInsufficientFunds || l.Refunded != 0 || l.Paid+l.Take != 500_000 {
		t.Fatalf("closed at %d (want %d): %+v", closedAt, start+100, l)
	}
	var lv market.LeaseView
	queryJSON(t, n.a, "/market/leases/1", &lv)
	if lv.State != "closed" || lv.CloseReason != "insufficient_funds" || lv.Paid+lv.Take != 500_000 || lv.Owner != addrFor("alice").String() {
		t.Fatalf("lease query %+v", lv)
	}
	var page market.LeasesPage
	queryJSON(t, n.a, "/market/leases?provider="+prov.String()+"&state=closed", &page)
	if len(page.Leases) != 1 {
		t.Fatalf("leases of the provider: %+v", page)
	}
	if _, code, _ := query.Handle(n.a.Committed(), n.a, "/market/leases/9"); code != uint32(ledger.QueryNotFound) {
		t.Fatalf("unknown lease: code %d", code)
	}
}

func queryJSON(t *testing.T, a *app.App, path string, v any) {
	t.Helper()
	body, code, msg := query.Handle(a.Committed(), a, path)
	if code != 0 {
		t.Fatalf("%s: code %d: %s", path, code, msg)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v: %s", path, err, body)
	}
}

func TestMarketUsagePoolPaysProviders(t *testing.T) {
	n := newMarketNode(t, map[string]uint64{"epoch.blocks": 10, "reward.segment_grace_blocks": 0})
	n.block(n.tx("prov", msg{market.TypeCreateProvider, mustMarshal(&marketv1.MsgCreateProvider{HostUri: "https://prov.example"})}),
		n.tx("alice", msg{credit.TypeBuy, mustMarshal(&creditv1.MsgBuy{Credits: 1_000})}))
	alice, prov := addrFor("alice"), addrFor("prov")
	r := market.SignReceipt(keyFor("alice"), &marketv1.Receipt{ChainId: marketChain, Payer: alice[:], Provider: prov[:], Kind: "relay",
		PeriodStart: 1, PeriodEnd: 2, Units: 1 << 20, Credits: 400, Nonce: 1})
	n.block(n.tx("prov", msg{market.TypeSubmitReceipts, mustMarshal(&marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{r}})}))
	for n.height() < 11 {
		n.block()
	}
	st := n.a.Committed()
	ep, _ := reward.GetEpoch(st, 0)
	// 10,000 upin burned, half re-minted; the usage pool's slice of
	// 1,000,005,000 is 200,001,000 upin, of which usage earns 400 × 20.
	if ep.Emission != 1_000_000_000+5_000 {
		t.Fatalf("epoch 0 emission %d, want the schedule plus the re-mint", ep.Emission)
	}
	pools := reward.PoolsFromProto(ep.Pools)
	if pools[1].Name != "usage" || pools[1].Bps != 1 || pools[0].Bps != 7_999 {
		t.Fatalf("bootstrapping pools %+v", pools)
	}
	before, supply := bank.Balance(st, prov), bank.GetSupply(st).Total
	zero := make([]byte, 32)
	n.block(n.tx("oracle", msg{reward.TypeSubmitRoot, mustMarshal(&rewardv1.MsgSubmitRoot{Epoch: 0, Root: zero, InputsHash: zero, StateHash: zero,
		Pools: []*rewardv1.PoolPaid{{Name: "coverage", Paid: 0}}})}))
	st = n.a.Committed()
	if got := bank.Balance(st, prov) - before; got != 8_000 {
		t.Fatalf("provider earned %d from the usage pool, want 8,000", got)
	}
	var cv credit.View
	queryJSON(t, n.a, "/credits/"+alice.String(), &cv)
	if cv.Credits != 600 || cv.Spent != 400 || cv.BurnedUpin != 10_000 || cv.RemintedUpin != 5_000 {
		t.Fatalf("credits query %+v", cv)
	}
	if got := bank.GetSupply(st).Total - supply; got != ep.Emission {
		t.Fatalf("settlement minted %d, want exactly the emission %d", got, ep.Emission)
	}
}
