package uplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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
	n := corruptNetwork(t, provider.AdversaryCorruptServe)
	c, u, cid, provs, ctx, dir := n.c, n.u, n.cid, n.provs, n.ctx, n.dir
	cheat := n.cheat
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

// TestNetworkQuietCorruptionRefusedUnpaid: the rational corrupt-serve
// (corrupt-quiet) signs no chunk it corrupts. A get that tries it first
// refuses its download at the first chunk without a signed statement,
// builds the file from others and pays it nothing (it is not among the
// holders whose shards were used, the ones payEgress pays); the honest
// holders are untouched. Refusing to sign gains it nothing: no byte of it
// is used.
func TestNetworkQuietCorruptionRefusedUnpaid(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of eight providers for a few seconds")
	}
	n := corruptNetwork(t, provider.AdversaryCorruptQuiet)
	u, ctx := n.u, n.ctx
	// The cheat first: the careful path always tries its first K holders.
	m, hs := n.cheatFirst(t)
	if hs[0].provider != n.cheat {
		t.Fatalf("the cheat holds no shard: %+v", hs)
	}
	readers, bad, served, cleanup, err := u.fetchShards(ctx, m, n.cid, hs, m.K)
	if err != nil {
		t.Fatalf("the careful path with one quiet cheat: %v", err)
	}
	defer cleanup()
	if len(bad) != 1 || bad[0].Provider != n.cheat || bad[0].Report != nil || !errors.Is(bad[0].Err, ErrUnsignedChunk) {
		t.Fatalf("got bad shards %+v, want the cheat's, refused at its first unsigned chunk", bad)
	}
	for _, h := range served {
		if h.provider == n.cheat {
			t.Fatalf("the quiet cheat is among the holders paid: %+v", served)
		}
	}
	var out bytes.Buffer
	if err := content.Decode(m, u.master, readers, &out); err != nil || !bytes.Equal(out.Bytes(), n.data) {
		t.Fatalf("the file from the other holders: %v", err)
	}
	// A whole get comes back byte for byte whichever holders it uses.
	got := filepath.Join(n.dir, "out")
	if _, err := u.Get(ctx, n.cid, got); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(got); err != nil || !bytes.Equal(b, n.data) {
		t.Fatalf("get: %v", err)
	}
	for _, d := range mustDeals(t, u, n.cid) {
		if d.Provider != n.cheat && (d.ReportsUpheld != 0 || d.Burned != 0) {
			t.Errorf("honest deal %d touched: %+v", d.ID, d)
		}
	}
}

// TestNetworkCorruptChunkProvenFromRebuiltShard: when the careful path
// gets K good shards, the report of a corrupt-serve download proves its
// wrong leaf from the shard rebuilt from the others; the chain upholds it
// (one slash, reason corrupt_download) and refuses it a second time.
func TestNetworkCorruptChunkProvenFromRebuiltShard(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of eight providers for a few seconds")
	}
	n := corruptNetwork(t, provider.AdversaryCorruptServe)
	u, ctx := n.u, n.ctx
	m, hs := n.cheatFirst(t)
	// K good shards come in after the cheat's: its true leaf comes from
	// the rebuild (trueLeaves asks the provider's proofs only without K).
	_, bad, _, cleanup, err := u.fetchShards(ctx, m, n.cid, hs, m.K)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if len(bad) != 1 || bad[0].Provider != n.cheat || bad[0].Report == nil || !errors.Is(bad[0].Err, content.ErrRootMismatch) {
		t.Fatalf("got bad shards %+v, want the cheat's with a report", bad)
	}
	r := bad[0].Report
	if len(r.Chunk) == 0 || len(r.Chunk) > storage.MaxChunkBytes(int(m.LeafSize)) || len(r.TrueLeaf) != int(m.LeafSize) {
		t.Fatalf("report: chunk of %d bytes, true leaf of %d", len(r.Chunk), len(r.TrueLeaf))
	}
	u.report(ctx, bad)
	if !bad[0].Reported {
		t.Fatalf("the chain refused the report: %v", bad[0].ReportErr)
	}
	for _, d := range mustDeals(t, u, n.cid) {
		switch {
		case d.Provider == n.cheat && (d.ReportsUpheld != 1 || d.Burned == 0):
			t.Errorf("the corrupt-serve provider's deal: %+v, want one upheld report and a slash", d)
		case d.Provider != n.cheat && (d.ReportsUpheld != 0 || d.Burned != 0):
			t.Errorf("honest deal %d touched: %+v", d.ID, d)
		}
	}
	u.report(ctx, bad)
	if bad[0].Reported || bad[0].ReportErr == nil {
		t.Errorf("a second report of one download was upheld")
	}
}

// corruptTestNet is a chain, eight providers (prov0 the adversary) and a
// file put on them.
type corruptTestNet struct {
	c     *memChain
	u     *Uplink
	cid   content.CID
	provs map[string]*testProvider
	cheat string
	data  []byte
	ctx   context.Context
	dir   string
}

func corruptNetwork(t *testing.T, adv provider.Adversary) *corruptTestNet {
	t.Helper()
	names := []string{"alice"}
	for i := range 8 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{storage.ProofPeriod.Name: 60, storage.ProofWindow.Name: 48,
		storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	provs := map[string]*testProvider{}
	for i := range 8 {
		name := fmt.Sprintf("prov%d", i)
		a := provider.AdversaryNone
		if i == 0 {
			a = adv
		}
		provs[testAddr(name).String()] = startProvider(t, c, name, filepath.Join(dir, name), a)
	}
	t.Cleanup(func() {
		for _, p := range provs {
			if p != nil {
				p.stop()
			}
		}
	})
	data := make([]byte, 300<<10)
	rand.Read(data)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	u := New(cfg, c, testKey("alice"), bytes.Repeat([]byte{7}, content.KeyLen), slog.New(slog.NewTextHandler(io.Discard, nil)))
	cid, err := u.Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &corruptTestNet{c: c, u: u, cid: cid, provs: provs, cheat: testAddr("prov0").String(), data: data, ctx: ctx, dir: dir}
}

// cheatFirst returns the file's manifest and its holders with the cheat's
// shard first, so that the careful path, which tries its first K holders,
// always downloads from the cheat.
func (n *corruptTestNet) cheatFirst(t *testing.T) (*content.Manifest, []holder) {
	t.Helper()
	hs, err := n.u.holders(n.ctx, n.cid)
	if err != nil {
		t.Fatal(err)
	}
	m, err := n.u.manifest(n.ctx, n.cid, hs)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(hs, func(a, b holder) int {
		switch {
		case a.provider == n.cheat && b.provider != n.cheat:
			return -1
		case b.provider == n.cheat && a.provider != n.cheat:
			return 1
		}
		return 0
	})
	return m, hs
}
