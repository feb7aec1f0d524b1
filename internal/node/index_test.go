package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// startTestNode initialises a one-validator home with the given labels
// funded and runs it until the test ends; it returns the node.
func startTestNode(t *testing.T, labels ...string) *Node {
	t.Helper()
	n, stop := runTestNode(t, initTestHome(t, labels...))
	t.Cleanup(stop)
	return n
}

// initTestHome initialises a one-validator home with the given labels
// funded.
func initTestHome(t *testing.T, labels ...string) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "node")
	rpc, p2p := freePort(t), freePort(t)
	ac := DefaultAppConfig()
	ac.API.Enable = false
	err := Init(home, InitOptions{ChainID: "depin-index-test", Genesis: clienttest.Genesis("authority", 1_000_000_000, labels...), App: ac,
		Comet: func(c *cmtcfg.Config) {
			c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpc)
			c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2p)
			c.Consensus.TimeoutCommit = 50 * time.Millisecond
		}})
	if err != nil {
		t.Fatal(err)
	}
	return home
}

// runTestNode runs the node of home until stop is called, once it has
// committed a block.
func runTestNode(t *testing.T, home string) (n *Node, stop func()) {
	t.Helper()
	n, err := Open(home, Overrides{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
	}
	url := n.RPCURL()
	rc, err := rpchttp.New(url, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if st, err := rc.Status(ctx); err == nil && st.SyncInfo.LatestBlockHeight >= 1 {
			return n, stop
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("node at %s did not commit a block in a minute", url)
		}
	}
}

// TestTxSearch finds a transfer with CometBFT's own RPC client by hash, by
// height, by sender and by recipient, and its block with block_search: the
// kv indexer is on by default. SignAndSend (client.WaitTx) and the JSON
// API's source find it there too: the ledger keeps no index of its own.
func TestTxSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	n := startTestNode(t, "alice", "bob")
	url := n.RPCURL()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = 20 * time.Millisecond
	alice, bob := clienttest.Addr("alice"), clienttest.Addr("bob")
	v, _ := proto.Marshal(&bankv1.MsgSend{To: bob[:], Amount: 4321})
	res, err := c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{{Type: bank.TypeSend, Value: v}}, Fee: 1000})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	hash, err := hex.DecodeString(res.Hash)
	if err != nil {
		t.Fatal(err)
	}

	rc, err := rpchttp.New(url, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	r, err := rc.Tx(ctx, hash, false)
	if err != nil {
		t.Fatalf("tx by hash: %v", err)
	}
	if r.Height != res.Height || r.TxResult.Code != 0 {
		t.Errorf("tx by hash: got height %d code %d, want %d and 0", r.Height, r.TxResult.Code, res.Height)
	}
	if fmt.Sprintf("%X", r.Tx.Hash()) != res.Hash {
		t.Errorf("tx by hash: got tx %X, want %s", r.Tx.Hash(), res.Hash)
	}
	api, found, err := n.APISource().Tx(ctx, hash)
	if err != nil || !found || api.Hash != res.Hash || api.Height != res.Height || api.Status != "ok" || len(api.Events) == 0 {
		t.Errorf("api source: got %+v %v %v, want the transfer at %d with its events", api, found, err, res.Height)
	}
	if _, found, err := n.APISource().Tx(ctx, make([]byte, 32)); found || err != nil {
		t.Errorf("api source, unknown hash: got found %v err %v, want neither", found, err)
	}

	page, per := 1, 10
	for _, q := range []string{
		fmt.Sprintf("tx.height=%d", res.Height),
		fmt.Sprintf("tx.signer='%s'", alice),
		fmt.Sprintf("bank.transfer.from='%s'", alice),
		fmt.Sprintf("bank.transfer.to='%s' AND tx.height>=1", bob),
	} {
		r, err := rc.TxSearch(ctx, q, false, &page, &per, "asc")
		if err != nil {
			t.Errorf("tx_search %q: %v", q, err)
			continue
		}
		if r.TotalCount != 1 || len(r.Txs) != 1 || fmt.Sprintf("%X", []byte(r.Txs[0].Hash)) != res.Hash {
			t.Errorf("tx_search %q: got %d results, want the transfer %s", q, r.TotalCount, res.Hash)
		}
	}
	// Amounts are not indexed (internal/abci.indexedKeys).
	if r, err := rc.TxSearch(ctx, "bank.transfer.amount='4321'", false, &page, &per, "asc"); err != nil || r.TotalCount != 0 {
		t.Errorf("tx_search by amount: got %v, %v; want no result", r, err)
	}
	br, err := rc.BlockSearch(ctx, fmt.Sprintf("block.height=%d", res.Height), &page, &per, "asc")
	if err != nil {
		t.Fatalf("block_search: %v", err)
	}
	if br.TotalCount != 1 || br.Blocks[0].Block.Height != res.Height {
		t.Errorf("block_search: got %d blocks, want the block at %d", br.TotalCount, res.Height)
	}
}

// TestIndexCatchUp: a transaction committed but not indexed when the
// process died (CometBFT indexes after the commit, in its own goroutine,
// and does not replay a committed block) is indexed when the node opens
// again, so /tx, client.WaitTx and the JSON API find it.
func TestIndexCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node twice")
	}
	home := initTestHome(t, "alice", "bob")
	n, stop := runTestNode(t, home)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(n.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = 20 * time.Millisecond
	bob := clienttest.Addr("bob")
	v, _ := proto.Marshal(&bankv1.MsgSend{To: bob[:], Amount: 5})
	res, err := c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{{Type: bank.TypeSend, Value: v}}, Fee: 1000})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	stop()
	// The crash: the transaction's index entry never reached the disk.
	hash, _ := hex.DecodeString(res.Hash)
	idx, err := dbm.NewGoLevelDB("tx_index", filepath.Join(home, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.DeleteSync(hash); err != nil {
		t.Fatal(err)
	}
	idx.Close()

	n, stop = runTestNode(t, home)
	defer stop()
	got, found, err := n.Tx(ctx, hash)
	if err != nil || !found || got.Height != res.Height || got.Status != "ok" {
		t.Fatalf("after reopening: got %+v found %v err %v, want the transfer at height %d", got, found, err, res.Height)
	}
}
