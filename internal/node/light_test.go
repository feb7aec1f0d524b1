package node

import (
	"context"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/light"
	lightdb "github.com/cometbft/cometbft/light/store/db"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// TestLightClient verifies a node's headers with CometBFT's own light
// client, trusting block 1 (docs/clients.md shows the same with the
// cometbft light proxy).
func TestLightClient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	url := startTestNode(t, "alice").RPCURL()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rc, err := rpchttp.New(url, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	one := int64(1)
	b, err := rc.Block(ctx, &one)
	if err != nil {
		t.Fatal(err)
	}
	st, err := rc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chainID := st.NodeInfo.Network
	lc, err := light.NewHTTPClient(ctx, chainID, light.TrustOptions{Period: time.Hour, Height: 1, Hash: b.BlockID.Hash},
		url, []string{url}, lightdb.New(dbm.NewMemDB(), chainID))
	if err != nil {
		t.Fatal(err)
	}
	var target int64
	for target < 4 {
		st, err := rc.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		target = st.SyncInfo.LatestBlockHeight
		time.Sleep(50 * time.Millisecond)
	}
	lb, err := lc.VerifyLightBlockAtHeight(ctx, target-1, time.Now())
	if err != nil {
		t.Fatalf("verify height %d: %v", target-1, err)
	}
	hb, err := rc.Block(ctx, &lb.Height)
	if err != nil {
		t.Fatal(err)
	}
	if hb.Block.AppHash.String() != lb.AppHash.String() || hb.BlockID.Hash.String() != lb.Hash().String() {
		t.Errorf("verified header %d: app hash %X block %s, node says %X %s", lb.Height, lb.AppHash, lb.Hash(), hb.Block.AppHash, hb.BlockID.Hash)
	}
}
