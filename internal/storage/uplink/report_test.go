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

	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
)

// TestNetworkCorruptDownloadReported: a provider that proves honestly but
// serves corrupt bytes (corrupt-serve) passes every proof window; a get
// that downloads from it reports its signed download on chain, which
// slashes it for corrupt_download and counts against its reputation; the
// honest providers are untouched.
func TestNetworkCorruptDownloadReported(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of eight providers for a few seconds")
	}
	names := []string{"alice"}
	for i := range 8 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{storage.ProofPeriod.Name: 60, storage.ProofWindow.Name: 48,
		storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	provs := map[string]*testProvider{}
	for i := range 8 {
		name := fmt.Sprintf("prov%d", i)
		adv := provider.AdversaryNone
		if i == 0 {
			adv = provider.AdversaryCorruptServe
		}
		provs[testAddr(name).String()] = startProvider(t, c, name, filepath.Join(dir, name), adv)
	}
	defer func() {
		for _, p := range provs {
			if p != nil {
				p.stop()
			}
		}
	}()
	data := make([]byte, 300<<10)
	rand.Read(data)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.SegmentSize, cfg.LeafSize, cfg.BidWait, cfg.AckWait, cfg.Poll, cfg.Duration = 64<<10, 1<<10, 30*time.Second, 30*time.Second, 30*time.Millisecond, 5_000
	cfg.TmpDir = dir
	u := New(cfg, c, testKey("alice"), bytes.Repeat([]byte{7}, content.KeyLen), slog.New(slog.NewTextHandler(io.Discard, nil)))
	cid, err := u.Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cheat := testAddr("prov0").String()
	// The corrupt-serve provider passes its proof windows.
	waitFor(t, ctx, "a proof window to pass", func() bool {
		for _, d := range mustDeals(t, u, cid) {
			if d.Provider == cheat && d.ProofsPassed > 0 {
				return true
			}
		}
		return false
	})
	// Four honest holders go: the get must try every holder left, the
	// cheat included, and reports it (the get itself fails: three good
	// shards of four needed).
	stopped := 0
	for _, d := range mustDeals(t, u, cid) {
		if d.Provider != cheat && stopped < 4 {
			provs[d.Provider].stop()
			provs[d.Provider] = nil
			stopped++
		}
	}
	bad, err := u.Get(ctx, cid, filepath.Join(dir, "out"))
	if err == nil {
		t.Fatal("get with three good shards of four succeeded")
	}
	if len(bad) != 1 || bad[0].Provider != cheat || bad[0].Report == nil || !bad[0].Reported {
		t.Fatalf("got bad shards %+v, want the cheat's, reported on chain", bad)
	}
	for _, d := range mustDeals(t, u, cid) {
		switch {
		case d.Provider == cheat && (d.ReportsUpheld != 1 || d.Burned == 0 || d.ProofsWrong != 0 || d.ProofsMissed != 0):
			t.Errorf("the corrupt-serve provider's deal: %+v, want one upheld report and a slash", d)
		case d.Provider != cheat && (d.ReportsUpheld != 0 || d.Burned != 0):
			t.Errorf("honest deal %d touched: %+v", d.ID, d)
		}
	}
	var r storage.ReputationView
	if err := c.Query(ctx, "storage/providers/"+cheat, &r); err != nil || r.Beta == 0 {
		t.Errorf("the cheat's reputation records no failure: %+v (%v)", r, err)
	}
	// Reporting the same download again changes nothing.
	u.report(ctx, bad)
	if bad[0].Reported || bad[0].ReportErr == nil {
		t.Errorf("a second report of one download was upheld")
	}
}
