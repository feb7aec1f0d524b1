package indexer_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
	"github.com/depin-network/depin/internal/ledger"
)

func TestExplanations(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := buildChain(t, 10)
			// The oracle's settlement arrives in a block of its own: a
			// reward.settled event as internal/reward emits it.
			src := c.Source
			head, _ := src.Head(ctx)
			settled := &indexer.Block{Height: head + 1, Time: 1, Hash: "AB", Proposer: "01", Events: []ledger.Event{{Type: "reward.settled", Attrs: []ledger.Attr{
				{Key: "epoch", Value: "1"}, {Key: "root", Value: "ff"}, {Key: "emission", Value: "5000"},
				{Key: "device_total", Value: "4000"}, {Key: "oracles", Value: "1"}, {Key: "treasury", Value: "1000"}, {Key: "disagreeing", Value: "0"},
			}}}}
			if err := src.Append(settled); err != nil {
				t.Fatal(err)
			}
			dev := indexertest.Device(0).String()
			// Bare 64-bit numbers, as oracles wrote them before issue
			// 11: the indexer reads both forms (the explorer's fixture
			// has the strings).
			exps, _ := json.Marshal([]map[string]any{{
				"epoch": 1, "device": dev, "payout": 4000, "cumulative": 4000,
				"reports": []map[string]any{{"id": "aa", "role": "beacon", "reason": "valid"}, {"id": "bb", "role": "witness", "reason": "too_close"}},
			}})
			sum := []byte(`{"epoch":1,"by_reason":[{"role":"beacon","reason":"valid","count":1},{"role":"witness","reason":"too_close","count":1}]}`)
			oracle := &indexer.MemOracle{}
			db := openDB(t, be.url(t))
			ix := indexer.New(indexer.Config{}, db, src, oracle, quiet())
			if _, err := ix.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if err := indexer.ExplainOnce(ctx, ix); err != nil {
				t.Fatal(err)
			}
			if p, _ := db.PendingEpochs(ctx); len(p) != 1 {
				t.Fatalf("pending before the oracle published: %v", p)
			}
			oracle.Publish(1, sum, exps)
			for range 2 { // twice: the second round must change nothing
				if err := indexer.ExplainOnce(ctx, ix); err != nil {
					t.Fatal(err)
				}
				if err := db.WriteExplanations(ctx, 1, sum, exps); err != nil {
					t.Fatal(err)
				}
			}
			d, err := db.Device(ctx, dev)
			if err != nil || d.LastPayout != 4000 || d.TotalPayout != 4000 || d.LastEpoch != 1 {
				t.Fatalf("device after explanations: %+v, %v", d, err)
			}
			r, err := db.Reward(ctx, dev, 1)
			if err != nil || r.Reports != 2 || r.Valid != 1 {
				t.Fatalf("reward: %+v, %v", r, err)
			}
			ep, reasons, err := db.Epoch(ctx, 1)
			if err != nil || !ep.Explained || ep.Emission != 5000 || len(reasons) != 2 {
				t.Fatalf("epoch: %+v %+v, %v", ep, reasons, err)
			}
			st, _ := db.Stats(ctx)
			if st.Minted != 5000 {
				t.Fatalf("minted %d, want 5000", st.Minted)
			}
		})
	}
}
