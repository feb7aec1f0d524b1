package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	bankv1 "github.com/depin-network/depin/proto/depin/bank/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// TestReindexGap: a node whose indexer lost blocks (killed between a commit
// and the indexer's write; here the whole index is removed) indexes the
// committed blocks again on its next start, so /tx finds every committed
// transaction.
func TestReindexGap(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node twice")
	}
	home := filepath.Join(t.TempDir(), "node")
	rpc, p2p := freePort(t), freePort(t)
	ac := DefaultAppConfig()
	ac.API.Enable = false
	err := Init(home, InitOptions{ChainID: "depin-reindex-test", Genesis: clienttest.Genesis("authority", 1_000_000_000, "alice", "bob"), App: ac,
		Comet: func(c *cmtcfg.Config) {
			c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpc)
			c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2p)
			c.Consensus.TimeoutCommit = 50 * time.Millisecond
		}})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(f func(n *Node, c *client.Client)) {
		t.Helper()
		n, err := Open(home, Overrides{}, logger)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- n.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("node: %v", err)
			}
		}()
		c, err := client.New(n.RPCURL())
		if err != nil {
			t.Fatal(err)
		}
		c.PollInterval = 20 * time.Millisecond
		f(n, c)
	}
	bob := clienttest.Addr("bob")
	var res *client.TxResult
	run(func(_ *Node, c *client.Client) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		v, _ := proto.Marshal(&bankv1.MsgSend{To: bob[:], Amount: 777})
		for {
			if res, err = c.SignAndSend(ctx, clienttest.Key("alice"), client.Tx{Msgs: []*txv1.Msg{{Type: bank.TypeSend, Value: v}}, Fee: 1000}); err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("send: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	if err := os.RemoveAll(filepath.Join(home, "data", "tx_index.db")); err != nil {
		t.Fatal(err)
	}
	run(func(n *Node, c *client.Client) {
		hash, _ := hex.DecodeString(res.Hash)
		rc, err := rpchttp.New(n.RPCURL(), "/websocket")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for {
			r, err := rc.Tx(ctx, hash, false)
			if err == nil {
				if r.Height != res.Height || r.TxResult.Code != 0 {
					t.Errorf("tx after reindex: height %d code %d, want %d and 0", r.Height, r.TxResult.Code, res.Height)
				}
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("tx %s not found after the restart: %v", res.Hash, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		page, per := 1, 10
		bs, err := rc.BlockSearch(ctx, fmt.Sprintf("block.height=%d", res.Height), &page, &per, "asc")
		if err != nil || bs.TotalCount != 1 {
			t.Errorf("block_search at %d after reindex: %v, %v", res.Height, bs, err)
		}
	})
}
