package explorer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/indexer/indexertest"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/storage/content"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
)

// fixture is an indexed chain served by the explorer on loopback.
type fixture struct {
	URL     string
	DB      *indexer.DB
	Chain   *indexertest.Chain
	Devices int
	TxHash  string
	// Deal is account 1's storage deal with account 5.
	Deal storedFile
}

// newFixture builds a real chain with devices around Berlin and transfers,
// indexes it, adds a settled epoch with the oracle's explanations (the
// JSON shape internal/oracle publishes) and serves the explorer.
func newFixture(t testing.TB, devices int) *fixture {
	t.Helper()
	ctx := context.Background()
	c, err := indexertest.New(6, 10)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < devices; {
		var txs [][]byte
		for k := 0; k < 20 && n+k < devices; k++ {
			txs = append(txs, c.Onboard((n+k)%6, n+k))
		}
		if _, err := c.Commit(false, txs...); err != nil {
			t.Fatal(err)
		}
		txs = txs[:0]
		for k := 0; k < 20 && n < devices; k++ {
			txs = append(txs, c.Locate(n%6, n, indexertest.CityCell(n)))
			n++
		}
		if _, err := c.Commit(false, txs...); err != nil {
			t.Fatal(err)
		}
	}
	// Account 5 is a market provider, a relay and a compute provider.
	if _, err := c.Commit(false, c.Msg(5, market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "http://127.0.0.1:1/relay"})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commit(false, c.Msg(5, relay.TypeRegister, &relayv1.MsgRegister{HostUri: "http://127.0.0.1:1/relay"}),
		c.Msg(5, compute.TypeRegister, &computev1.MsgRegister{Bond: 2_000_000})); err != nil {
		t.Fatal(err)
	}
	// Account 1 stores a file with account 5 (order, bid, accept, deal),
	// and account 2 submits a compute job (account 4 is the verifier the
	// authority, account 0, names): the storage and compute pages
	// read them back from the chain's state.
	m, err := indexertest.StorageFile(0)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.StorageDeal(1, 5, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	verifier := c.Account(4)
	if _, err := c.Commit(false, c.Msg(0, compute.TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: verifier[:]})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubmitJob(2, 2); err != nil {
		t.Fatal(err)
	}
	for range 12 {
		if _, err := c.Commit(false, c.Transfer(1, 2, 1_500_000), c.Transfer(3, 4, 42)); err != nil {
			t.Fatal(err)
		}
	}
	head := c.Height()
	settled := &indexer.Block{Height: head + 1, Time: 1_700_000_100_000_000_000, Hash: fmt.Sprintf("%064X", head+1), Proposer: "0000000000000000000000000000000000000001",
		Events: []ledger.Event{{Type: "reward.settled", Attrs: []ledger.Attr{
			{Key: "epoch", Value: "1"}, {Key: "root", Value: "ab12"}, {Key: "emission", Value: "90000000"},
			{Key: "device_total", Value: "81000000"}, {Key: "oracles", Value: "1"}, {Key: "treasury", Value: "9000000"}, {Key: "disagreeing", Value: "0"},
		}}}}
	if err := c.Source.Append(settled); err != nil {
		t.Fatal(err)
	}
	type report struct {
		ID     string `json:"id"`
		Role   string `json:"role"`
		Reason string `json:"reason"`
		Detail string `json:"detail,omitempty"`
		Units  uint64 `json:"units,string"`
	}
	var exps []map[string]any
	var total uint64
	for n := range devices {
		pay := uint64(n%7) * 300_000
		total += pay
		reps := []report{{ID: fmt.Sprintf("%064x", n), Role: "beacon", Reason: "valid", Units: 1}}
		if n%3 == 0 {
			reps = append(reps, report{ID: fmt.Sprintf("%064x", n+1<<20), Role: "witness", Reason: "too_close", Detail: "witness 0.1 km from the beaconer, under the 0.3 km minimum"})
		}
		p := strconv.FormatUint(pay, 10)
		exps = append(exps, map[string]any{"epoch": "1", "device": indexertest.Device(n).String(), "payout": p, "cumulative": p,
			"stats": []map[string]any{{"name": "valid_beacons", "value": "1"}}, "pools": []map[string]any{{"pool": "poc", "units": "1", "amount": p}}, "reports": reps})
	}
	expJSON, _ := json.Marshal(exps)
	sum := fmt.Sprintf(`{"epoch":"1","reports":"%d","valid":"%d","invalid":"%d","devices_scored":%d,"devices_paid":%d,"pools":[{"name":"poc","bps":9000,"amount":"%d","paid":"%d","remainder":"0"}],
		"by_reason":[{"role":"beacon","reason":"valid","count":"%d"},{"role":"witness","reason":"too_close","count":"%d"}]}`,
		devices+(devices+2)/3, devices, (devices+2)/3, devices, devices, total, total, devices, (devices+2)/3)
	oracle := &indexer.MemOracle{}
	oracle.Publish(1, []byte(sum), expJSON)

	db := indexChain(t, c, oracle)
	url := serve(t, db, c)
	txs, err := db.BlockTxs(ctx, head)
	if err != nil || len(txs) == 0 {
		t.Fatalf("no txs at %d: %v", head, err)
	}
	return &fixture{URL: url, DB: db, Chain: c, Devices: devices, TxHash: txs[0].Hash, Deal: storedFile{id, m}}
}

// indexChain indexes the chain, and the oracle's explanations if any,
// into a new SQLite database.
func indexChain(t testing.TB, c *indexertest.Chain, oracle indexer.Oracle) *indexer.DB {
	t.Helper()
	ctx := context.Background()
	db, err := indexer.Open(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ix := indexer.New(indexer.Config{Batch: 200}, db, c.Source, oracle, logger)
	if _, err := ix.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if oracle != nil {
		if err := indexer.ExplainOnce(ctx, ix); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// serve serves the explorer over db with state as its node on loopback
// and returns its URL.
func serve(t testing.TB, db *indexer.DB, state explorer.StateSource) string {
	t.Helper()
	srv, err := explorer.New(explorer.Config{}, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.UseState(state)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

// storedFile is the fixture's storage deal and the manifest of the file
// whose shard it holds.
type storedFile struct {
	ID       uint64
	Manifest *content.Manifest
}
