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

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
)

// frozenChain answers Status with one height: every get through it runs
// "in one block".
type frozenChain struct {
	*memChain
	h int64
}

func (f frozenChain) Status(ctx context.Context) (client.Status, error) {
	st, err := f.memChain.Status(ctx)
	st.Height = f.h
	return st, err
}

func TestNextNonceGrows(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	u := New(Config{Now: func() time.Time { return at }}, nil, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a, b := u.nextNonce(), u.nextNonce()
	if a != uint64(at.UnixNano()) || b != a+1 {
		t.Fatalf("two nonces at one instant: got %d, %d, want %d, %d", a, b, at.UnixNano(), at.UnixNano()+1)
	}
	at = at.Add(-time.Hour) // the clock steps back: nonces still grow
	if c := u.nextNonce(); c != b+1 {
		t.Fatalf("after the clock stepped back: got %d, want %d", c, b+1)
	}
}

// TestNetworkTwoGetsInOneBlock: two gets of the same file by two clients
// of the same owner at the same height each pay every provider that served
// them: their receipts carry different, growing nonces, so the market
// takes all of them.
func TestNetworkTwoGetsInOneBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of eight providers for a few seconds")
	}
	names := []string{"alice"}
	for i := range 8 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	for i := range 8 {
		name := fmt.Sprintf("prov%d", i)
		p := startProvider(t, c, name, filepath.Join(dir, name), provider.AdversaryNone)
		defer p.stop()
	}
	data := make([]byte, 200<<10)
	rand.Read(data)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	master := bytes.Repeat([]byte{7}, content.KeyLen)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	buyCredits(t, ctx, c, "alice")
	cid, err := New(cfg, c, testKey("alice"), master, log).Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	frozen := frozenChain{memChain: c, h: c.height()}
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("out%d", i))
		if _, err := New(cfg, frozen, testKey("alice"), master, log).Get(ctx, cid, out); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
			t.Fatalf("get %d: got %d bytes back, not the %d put", i, len(got), len(data))
		}
	}
	// Each get pays the four providers it used one credit each.
	waitFor(t, ctx, "both gets' receipts to be paid", func() bool {
		var earned uint64
		for i := range 8 {
			var pv market.ProviderView
			if err := c.Query(ctx, "market/providers/"+testAddr(fmt.Sprintf("prov%d", i)).String(), &pv); err == nil {
				earned += pv.CreditsEarned
			}
		}
		if earned > 8 {
			t.Fatalf("providers earned %d credits for two gets of 4 shards", earned)
		}
		return earned == 8
	})
}
