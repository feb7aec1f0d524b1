package explorer

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/storage"
)

// TestServicePagesRender renders the storage, energy, compute and relay
// templates over filled pages (the handler tests' chain has one deal, one
// job, one relay and no energy clearing, and leaves most fields zero), so
// that every field a template names exists and shows.
func TestServicePagesRender(t *testing.T) {
	s, err := New(Config{}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	const a, b = "pin1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "pin1zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	deal := storage.DealView{ID: 7, Owner: a, Provider: b, CID: "bafk-test-cid", Shard: 2, ShardSize: 4096, State: "active",
		ProofsPassed: 11, Collateral: 5_000_000, CollateralLeft: 4_000_000, CreatedHeight: 9}
	rep := storage.ReputationView{Provider: b, Status: "vetted", ScorePPM: 990_000, Deals: 1, ActiveDeals: 1, Outcomes: 12}
	ev := []indexer.EventRow{{Height: 9, Type: "storage.deal", Attrs: [][2]string{{"deal", "7"}}}}
	job := compute.JobView{ID: 3, Owner: a, Type: "sha256-chain", Tasks: 4, State: "open", Price: 1_000, Deposit: 12_000, Balance: 8_000}
	ch := relay.ChannelView{Consumer: a, Relay: b, Price: 250, Bytes: 1 << 20, Paid: 250, Balance: 750, OpenedHeight: 5}
	for _, tc := range []struct {
		tmpl string
		data any
		want []string
	}{
		{"storage", StoragePage{Deals: []storage.DealView{deal}, Files: []StorageFile{{CID: deal.CID, Shards: 1, Deals: 1, Bytes: 4096}},
			Providers: []storage.ReputationView{rep}, Events: ev}, []string{"/storage/deals/7", "/storage/files/bafk-test-cid", "/storage/providers/" + b, "990000 ppm", "11 / 0 / 0", "4 PIN"}},
		{"storage_deal", StorageDealPage{Deal: deal}, []string{"Storage deal 7", "shard 2 (4096 bytes", "11 passed", "4 PIN left of 5 PIN"}},
		{"storage_file", StorageFilePage{CID: deal.CID, Deals: []storage.DealView{deal}}, []string{"/storage/deals/7", "active"}},
		{"storage_provider", StorageProviderPage{Reputation: rep, Deals: []storage.DealView{deal}}, []string{"990000 ppm over 12 outcomes", "/storage/deals/7"}},
		{"energy", EnergyPage{Clearings: []energy.ClearingView{{Zone: "851f", Interval: 42, Price: 120_000, TradedWh: 900, Asks: 2, Bids: 3, Cleared: true, Height: 50}}},
			[]string{"/energy/clearings/851f/42", "0.12 PIN", "cleared at 50"}},
		{"energy_clearing", EnergyClearingPage{Clearing: energy.ClearingDetail{
			ClearingView: energy.ClearingView{Zone: "851f", Interval: 42, Price: 120_000, TradedWh: 900, Asks: 1, Bids: 1, Cleared: true, Height: 50, Settled: true},
			Orders:       []energy.OrderView{{ID: 4, Side: "ask", Owner: a, Device: b, Wh: 900, Price: 100_000, MatchedWh: 900, State: "settled"}},
			Trades:       []energy.TradeView{{Seq: 1, Ask: 4, Bid: 5, Wh: 900, Price: 120_000, DeliveredWh: 850}},
			Reads:        []energy.ReadView{{Device: b, Complete: true, ExportedWh: 850, SocWh: 3_000}},
			Lines:        []energy.LineView{{Seq: 1, Account: a, Order: 4, Kind: "pay", Wh: 850, Amount: 102_000, Reason: "delivered"}}}},
			[]string{"zone <span class=\"mono\">851f</span>, interval 42", "settled", "0.12 PIN per kWh", "900 Wh between 1 asks and 1 bids",
				"/devices/" + b, "<td>850</td>", "0.102 PIN", "delivered"}},
		{"compute", ComputePage{Jobs: []compute.JobView{job}, Providers: []compute.ProviderView{{Address: b, Bond: 9_000_000, Work: 5}}, Verifiers: []string{a}},
			[]string{"/compute/jobs/3", "sha256-chain", "9 PIN", a}},
		{"compute_job", ComputeJobPage{Job: job, Tasks: []any{1, 2}}, []string{"Compute job 3", "0.008 PIN left of 0.012 PIN", "2 tasks"}},
		{"relay", RelayPage{Relays: []relay.RelayView{{Address: b, HostURI: "http://127.0.0.1:9", Bytes: 1 << 20}}, Channels: []relay.ChannelView{ch}},
			[]string{"/relay/relays/" + b, "http://127.0.0.1:9", "1048576"}},
		{"relay_relay", RelayRelayPage{Relay: relay.RelayView{Address: b, Earned: 250}, Channels: []relay.ChannelView{ch}}, []string{"0.00025 PIN earned", "/accounts/" + a}},
	} {
		var buf bytes.Buffer
		if err := s.pages[tc.tmpl].Execute(&buf, view{Title: tc.tmpl, Path: "/x", Data: tc.data}); err != nil {
			t.Errorf("%s: %v", tc.tmpl, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s: the page does not show %q", tc.tmpl, w)
			}
		}
	}
}
