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

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// testProvider is a provider service running in this process.
type testProvider struct {
	name   string
	p      *provider.Provider
	cancel context.CancelFunc
	done   chan struct{}
}

func startProvider(t *testing.T, c *memChain, name, dir string, adv provider.Adversary) *testProvider {
	t.Helper()
	cfg := provider.DefaultConfig()
	cfg.Dir, cfg.Listen, cfg.Poll, cfg.Adversary = dir, "127.0.0.1:0", 40*time.Millisecond, adv
	p, err := provider.New(cfg, testKey(name), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tp := &testProvider{name: name, p: p, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(tp.done); p.Run(ctx) }()
	return tp
}

// stop kills the provider: no more HTTP answers, no more proofs.
func (tp *testProvider) stop() {
	tp.cancel()
	<-tp.done
	tp.p.Close()
}

// TestNetworkPutGetKillRepair runs the real state machine with twelve
// providers in this process: a file put with redundancy 4/8 comes back byte
// for byte and its egress is paid by receipts; a provider that deletes its
// shard after acknowledging it and one that answers after the window are
// slashed for missed proofs and the honest ones are not; with four of the
// eight holders gone the file still comes back, and repair places the lost
// shards with other providers until eight shards are live again.
func TestNetworkPutGetKillRepair(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of twelve providers for about twenty seconds")
	}
	names := []string{"alice"}
	for i := range 12 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{
		storage.ProofPeriod.Name: 60, storage.ProofWindow.Name: 48, storage.MaxMissedInRow.Name: 2,
		storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000,
	}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	// prov0 deletes what it acknowledged; the first eight bid first.
	var provs []*testProvider
	for i := range 8 {
		adv := provider.AdversaryNone
		switch i {
		case 0:
			adv = provider.AdversaryDelete
		case 7:
			adv = provider.AdversaryLate
		}
		provs = append(provs, startProvider(t, c, fmt.Sprintf("prov%d", i), filepath.Join(dir, fmt.Sprintf("p%d", i)), adv))
	}
	defer func() {
		for _, p := range provs {
			if p != nil {
				p.stop()
			}
		}
	}()
	data := make([]byte, 700<<10)
	rand.Read(data)
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	master := bytes.Repeat([]byte{7}, content.KeyLen)
	u := New(cfg, c, testKey("alice"), master, slog.New(slog.NewTextHandler(io.Discard, nil)))
	buyCredits(t, ctx, c, "alice")
	cid, err := u.Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	get := func(label string) {
		t.Helper()
		out := filepath.Join(dir, "out-"+label)
		if _, err := u.Get(ctx, cid, out); err != nil {
			t.Fatalf("%s: get: %v", label, err)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: got %d bytes back, not the %d put", label, len(got), len(data))
		}
	}
	get("after put")
	// Egress: the providers that served the get submit alice's receipts.
	waitFor(t, ctx, "egress receipts to pay providers", func() bool {
		var earned uint64
		for i := range 8 {
			var pv market.ProviderView
			if err := c.Query(ctx, "market/providers/"+testAddr(fmt.Sprintf("prov%d", i)).String(), &pv); err == nil {
				earned += pv.CreditsEarned
			}
		}
		return earned >= 4
	})

	// The deleting provider (prov0) and the late one (prov7) miss their
	// windows and their deals close; the honest ones keep theirs.
	cheats := map[string]bool{testAddr("prov0").String(): true, testAddr("prov7").String(): true}
	waitFor(t, ctx, "the cheating providers' deals to close", func() bool {
		closed := 0
		for _, d := range mustDeals(t, u, cid) {
			if cheats[d.Provider] && d.State == "closed" {
				closed++
			}
		}
		return closed == 2
	})
	for _, d := range mustDeals(t, u, cid) {
		if !cheats[d.Provider] && (d.Burned != 0 || d.ProofsMissed != 0 || d.State != "active") {
			t.Errorf("honest deal %d of %s: %+v", d.ID, d.Provider, d)
		}
		if cheats[d.Provider] && (d.Burned == 0 || d.CloseReason != "faulty" || d.ProofsMissed == 0) {
			t.Errorf("cheating provider's deal %d not slashed: %+v", d.ID, d)
		}
	}

	// Stop two more holders: four of eight are gone, the file comes back.
	for i := 1; i <= 2; i++ {
		provs[i].stop()
		provs[i] = nil
	}
	get("with four holders gone")

	// Four spare providers join; repair rebuilds the lost shards onto them.
	for i := 8; i < 12; i++ {
		provs = append(provs, startProvider(t, c, fmt.Sprintf("prov%d", i), filepath.Join(dir, fmt.Sprintf("p%d", i)), provider.AdversaryNone))
	}
	waitFor(t, ctx, "the stopped holders' deals to close", func() bool {
		closed := 0
		for _, d := range mustDeals(t, u, cid) {
			if d.State == "closed" {
				closed++
			}
		}
		return closed == 4
	})
	placed, err := u.Repair(ctx, cid.String())
	if err != nil || placed != 4 {
		t.Fatalf("repair placed %d shards: %v", placed, err)
	}
	st, err := u.Status(ctx, cid)
	if err != nil || st.Live != 8 {
		t.Fatalf("after repair: %d live shards (%v)", st.Live, err)
	}
	// The repaired file comes back from the new providers and the four
	// honest survivors, even with the survivors but one stopped.
	for i := 3; i <= 5; i++ {
		provs[i].stop()
		provs[i] = nil
	}
	get("from the repaired shards")
	if b := bank.Balance(c.a.Committed(), storage.Collateral); b == 0 {
		t.Fatalf("no collateral locked after repair")
	}
}

// testConfig is the tests' client configuration: small segments and leaves,
// waits long enough for a loaded machine, a short poll, and temporary files
// under dir.
func testConfig(dir string) Config {
	cfg := DefaultConfig()
	cfg.SegmentSize, cfg.LeafSize, cfg.BidWait, cfg.AckWait, cfg.Poll, cfg.Duration = 64<<10, 1<<10, 30*time.Second, 30*time.Second, 30*time.Millisecond, 5_000
	cfg.TmpDir = dir
	return cfg
}

// buyCredits buys name the data credits its egress receipts spend.
func buyCredits(t *testing.T, ctx context.Context, c *memChain, name string) {
	t.Helper()
	buy, _ := proto.Marshal(&creditv1.MsgBuy{Credits: 1_000})
	if _, err := c.SignAndSend(ctx, testKey(name), client.Tx{Fee: 1_000, Msgs: []*txv1.Msg{{Type: credit.TypeBuy, Value: buy}}}); err != nil {
		t.Fatal(err)
	}
}

func mustDeals(t *testing.T, u *Uplink, cid content.CID) []storage.DealView {
	t.Helper()
	ds, err := u.Deals(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestNetworkAdversariesCaught runs eight providers holding one shard each
// of a 4/8 file: one per adversary and four honest ones. Each adversary is
// caught with its reason (missed proofs for delete, partial and late; wrong
// proofs for corrupt), slashed, and its deal closed as faulty; the honest
// ones are never slashed, and the file still comes back byte for byte.
func TestNetworkAdversariesCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a network of eight providers for about ten seconds")
	}
	advs := []provider.Adversary{
		provider.AdversaryDelete, provider.AdversaryPartial, provider.AdversaryLate, provider.AdversaryCorrupt,
		provider.AdversaryNone, provider.AdversaryNone, provider.AdversaryNone, provider.AdversaryNone,
	}
	names := []string{"alice"}
	for i := range advs {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	c := newMemChain(t, map[string]uint64{
		storage.ProofPeriod.Name: 60, storage.ProofWindow.Name: 48, storage.MaxMissedInRow.Name: 2,
		storage.AckTimeout.Name: 400, "market.settle_period_blocks": 1000,
	}, names...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go c.run(ctx, 25*time.Millisecond)
	dir := t.TempDir()
	adversary := map[string]provider.Adversary{}
	for i, adv := range advs {
		name := fmt.Sprintf("prov%d", i)
		adversary[testAddr(name).String()] = adv
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
	u := New(cfg, c, testKey("alice"), bytes.Repeat([]byte{7}, content.KeyLen), slog.New(slog.NewTextHandler(io.Discard, nil)))
	buyCredits(t, ctx, c, "alice")
	cid, err := u.Put(ctx, in, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if ds := mustDeals(t, u, cid); len(ds) != len(advs) {
		t.Fatalf("%d deals, want one per provider (%d)", len(ds), len(advs))
	}
	// A get while the adversaries still hold deals: whatever the streamed
	// path meets (a missing or a corrupt shard), the file comes back whole
	// and only the corrupting provider is blamed.
	early := filepath.Join(dir, "early")
	bad, err := u.Get(ctx, cid, early)
	if err != nil {
		t.Fatalf("get with the adversaries holding: %v", err)
	}
	if got, _ := os.ReadFile(early); !bytes.Equal(got, data) {
		t.Fatalf("get with the adversaries holding: %d bytes back, not the %d put", len(got), len(data))
	}
	for _, b := range bad {
		if adversary[b.Provider] != provider.AdversaryCorrupt {
			t.Errorf("%s provider %s blamed for a corrupt shard: %v", adversary[b.Provider], b.Provider, b.Err)
		}
	}
	waitFor(t, ctx, "every adversary's deal to close", func() bool {
		closed := 0
		for _, d := range mustDeals(t, u, cid) {
			if adversary[d.Provider] != provider.AdversaryNone && d.State == "closed" {
				closed++
			}
		}
		return closed == 4
	})
	// What catches each adversary: a missed or a wrong proof.
	caught := map[provider.Adversary]func(storage.DealView) bool{
		provider.AdversaryDelete:  func(d storage.DealView) bool { return d.ProofsMissed > 0 },
		provider.AdversaryPartial: func(d storage.DealView) bool { return d.ProofsMissed > 0 },
		provider.AdversaryLate:    func(d storage.DealView) bool { return d.ProofsMissed > 0 },
		provider.AdversaryCorrupt: func(d storage.DealView) bool { return d.ProofsWrong > 0 && d.ProofsMissed == 0 },
	}
	for _, d := range mustDeals(t, u, cid) {
		adv := adversary[d.Provider]
		t.Run(fmt.Sprintf("deal%d-%s", d.ID, map[bool]string{true: "honest", false: string(adv)}[adv == provider.AdversaryNone]), func(t *testing.T) {
			if adv == provider.AdversaryNone {
				if d.Burned != 0 || d.SlashedToOwner != 0 || d.ProofsMissed != 0 || d.ProofsWrong != 0 || d.State != "active" {
					t.Errorf("honest provider's deal touched: %+v", d)
				}
				return
			}
			if d.Burned == 0 || d.SlashedToOwner == 0 || d.CloseReason != "faulty" || !caught[adv](d) {
				t.Errorf("%s provider not caught for its reason and slashed: %+v", adv, d)
			}
			var r storage.ReputationView
			if err := c.Query(ctx, "storage/providers/"+d.Provider, &r); err != nil || r.Beta == 0 || r.ScorePPM >= storage.ScaleOne {
				t.Errorf("%s provider's reputation records no failure: %+v (%v)", adv, r, err)
			}
		})
	}
	out := filepath.Join(dir, "out")
	if _, err := u.Get(ctx, cid, out); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes back, not the %d put", len(got), len(data))
	}
}
