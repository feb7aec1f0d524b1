package uplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// TestNetworkRepairByAnyParty: a deleting provider's deal closes as
// faulty; bob, who holds neither alice's account key nor her encryption
// key, runs the repair worker: it rebuilds the lost shard from the
// ciphertext of four others and places it with a new provider, paid from
// alice's repair fund; the new deal and its lease are alice's, and alice
// gets her file back byte for byte.
func TestNetworkRepairByAnyParty(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of nine providers for a few seconds")
	}
	names := []string{"alice", "bob"}
	for i := range 9 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{storage.ProofPeriod.Name: 60, storage.ProofWindow.Name: 48, storage.MaxMissedInRow.Name: 1,
		storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	for i := range 8 {
		adv := provider.AdversaryNone
		if i == 0 {
			adv = provider.AdversaryDelete
		}
		name := fmt.Sprintf("prov%d", i)
		p := startProvider(t, c, name, filepath.Join(dir, name), adv)
		defer p.stop()
	}
	data := make([]byte, 300<<10)
	rand.Read(data)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	cfg.BidGrace = 0
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	master := bytes.Repeat([]byte{7}, content.KeyLen)
	alice := New(cfg, c, testKey("alice"), master, log)
	cid, err := alice.Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fund, _ := proto.Marshal(&storagev1.MsgSetRepairFund{Amount: 50_000_000})
	if _, err := c.SignAndSend(ctx, testKey("alice"), client.Tx{Fee: 1_000, Msgs: []*txv1.Msg{{Type: storage.TypeSetRepairFund, Value: fund}}}); err != nil {
		t.Fatal(err)
	}
	deleter := testAddr("prov0").String()
	waitFor(t, ctx, "the deleting provider's deal to close", func() bool {
		for _, d := range mustDeals(t, alice, cid) {
			if d.Provider == deleter && d.State == "closed" {
				return true
			}
		}
		return false
	})
	spare := startProvider(t, c, "prov8", filepath.Join(dir, "prov8"), provider.AdversaryNone)
	defer spare.stop()
	bob := New(cfg, c, testKey("bob"), nil, log) // no encryption key
	var placed int
	waitFor(t, ctx, "bob's repair worker to place the shard", func() bool {
		placed += bob.RepairAny(ctx)
		return placed > 0
	})
	st, err := alice.Status(ctx, cid)
	if err != nil || st.Live != 8 {
		t.Fatalf("after the repair: %d live shards (%v)", st.Live, err)
	}
	aliceAddr := testAddr("alice").String()
	for _, d := range st.Deals {
		if d.State == "closed" {
			continue
		}
		var l market.LeaseView
		if err := c.Query(ctx, fmt.Sprintf("market/leases/%d", d.ID), &l); err != nil {
			t.Fatal(err)
		}
		if d.Owner != aliceAddr || l.Owner != aliceAddr {
			t.Errorf("deal %d: owner %s, lease owner %s, want alice's", d.ID, d.Owner, l.Owner)
		}
	}
	if f := storage.Fund(c.a.Committed(), testAddr("alice")); f >= 50_000_000 {
		t.Errorf("alice's repair fund paid nothing: %d", f)
	}
	out := filepath.Join(dir, "out")
	if _, err := alice.Get(ctx, cid, out); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes back, not the %d put", len(got), len(data))
	}
}
