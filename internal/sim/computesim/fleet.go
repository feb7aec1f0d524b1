package computesim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/protobuf/proto"

	acompute "github.com/depin-network/depin/agent/compute"
	arelay "github.com/depin-network/depin/agent/relay"
	"github.com/depin-network/depin/internal/client"
	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/sig"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// Keys are the fleet's actors.
type Keys struct {
	Honest    []sig.PrivateKey // honest compute providers
	Wrong     sig.PrivateKey   // returns wrong tiles
	Lazy      sig.PrivateKey   // copies another provider's commitment
	Verifier  sig.PrivateKey
	Authority sig.PrivateKey // sets the verifier (nil: none is set)
	Consumer  sig.PrivateKey // renders a scene and streams a file
	Relay     sig.PrivateKey // an honest relay
	Inflator  sig.PrivateKey // a relay that inflates its receipts
}

// Config configures the fleet.
type Config struct {
	NodeURL string
	Fee     uint64
	// Scene is the scene the consumer renders, Tiles its tasks.
	Scene []byte
	Tiles int
	// OutDir receives the rendered images (job-N.png).
	OutDir string
	// Every is the fleet's step interval; JobEvery how often the consumer
	// submits a new render.
	Every, JobEvery time.Duration
}

// Fleet runs compute providers, a verifier, relays and a consumer.
type Fleet struct {
	cfg     Config
	keys    Keys
	log     *slog.Logger
	c       *client.Client
	provs   []*acompute.Provider
	ver     *acompute.Verifier
	cons    *acompute.Consumer
	relays  []*relayNode
	src     *http.Server
	srcURL  string
	file    arelay.Manifest
	closers []func()
}

type relayNode struct {
	w       *Wallet
	r       *arelay.Relay
	url     string
	inflate bool
}

// New builds a fleet.
func New(cfg Config, keys Keys, log *slog.Logger) (*Fleet, error) {
	c, err := client.New(cfg.NodeURL)
	if err != nil {
		return nil, err
	}
	return &Fleet{cfg: cfg, keys: keys, log: log, c: c}, nil
}

func (f *Fleet) wallet(k sig.PrivateKey) *Wallet { return &Wallet{Client: f.c, Key: k, Fee: f.cfg.Fee} }

// serve starts an HTTP server on a loopback port and returns its URL.
func (f *Fleet) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	f.closers = append(f.closers, func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), nil
}

// marketProvider makes a key a market provider with a host URI, unless it
// is one already.
func (f *Fleet) marketProvider(ctx context.Context, w *Wallet, host string, more ...acompute.Msg) error {
	msgs := more
	var p struct {
		HostURI string `json:"host_uri"`
	}
	typ := market.TypeCreateProvider
	if f.c.Query(ctx, "market/providers/"+w.Addr().String(), &p) == nil {
		typ = market.TypeUpdateProvider
	}
	var b []byte
	if typ == market.TypeCreateProvider {
		b, _ = proto.Marshal(&marketv1.MsgCreateProvider{HostUri: host})
	} else {
		b, _ = proto.Marshal(&marketv1.MsgUpdateProvider{HostUri: host})
	}
	return w.Send(ctx, append([]acompute.Msg{{Type: typ, Value: b}}, msgs...)...)
}

// setup registers everyone; a second run (a restarted devnet) updates the
// host URIs, which change with the ports.
func (f *Fleet) setup(ctx context.Context) error {
	modes := []acompute.Mode{}
	keys := []sig.PrivateKey{}
	for _, k := range f.keys.Honest {
		keys, modes = append(keys, k), append(modes, acompute.Honest)
	}
	keys, modes = append(keys, f.keys.Wrong, f.keys.Lazy), append(modes, acompute.Wrong, acompute.Lazy)
	for i, k := range keys {
		w := f.wallet(k)
		p := &acompute.Provider{Chain: w, Addr: w.Addr(), Mode: modes[i], Log: f.log}
		url, err := f.serve(p.Handler())
		if err != nil {
			return err
		}
		var extra []acompute.Msg
		var cp struct {
			Bond string `json:"bond"`
		}
		if f.c.Query(ctx, "compute/providers/"+w.Addr().String(), &cp) != nil {
			reg, _ := acompute.RegisterMsg(10_000_000)
			extra = append(extra, reg)
		}
		if err := f.marketProvider(ctx, w, url, extra...); err != nil {
			return fmt.Errorf("compute provider %d: %w", i, err)
		}
		f.provs = append(f.provs, p)
	}
	vw := f.wallet(f.keys.Verifier)
	f.ver = &acompute.Verifier{Chain: vw, Addr: vw.Addr()}
	if f.keys.Authority != nil {
		var vs struct {
			Verifiers []string `json:"verifiers"`
		}
		if err := f.c.Query(ctx, "compute/verifiers", &vs); err == nil && len(vs.Verifiers) == 0 {
			m, _ := acompute.SetVerifierMsg(vw.Addr())
			if err := f.wallet(f.keys.Authority).Send(ctx, m); err != nil {
				f.log.Warn("set verifier", "err", err)
			}
		}
	}
	cw := f.wallet(f.keys.Consumer)
	f.cons = &acompute.Consumer{Chain: cw, Addr: cw.Addr(), HTTP: &http.Client{Timeout: 30 * time.Second}}

	// The source serves an 8 MiB file; two relays forward it.
	data := make([]byte, 8<<20)
	r := rand.New(rand.NewChaCha8([32]byte{42}))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	src := arelay.NewSource(map[string][]byte{"clip.bin": data}, arelay.DefaultChunk)
	var err error
	if f.srcURL, err = f.serve(src); err != nil {
		return err
	}
	f.file = arelay.BuildManifest("clip.bin", data, arelay.DefaultChunk)
	st, err := f.c.Status(ctx)
	if err != nil {
		return err
	}
	for _, rk := range []struct {
		k       sig.PrivateKey
		inflate bool
	}{{f.keys.Relay, false}, {f.keys.Inflator, true}} {
		w := f.wallet(rk.k)
		rl := &arelay.Relay{Source: f.srcURL, Addr: w.Addr(), ChainID: st.ChainID}
		url, err := f.serve(rl.Handler())
		if err != nil {
			return err
		}
		typ, val, _ := arelay.RegisterMsg(url)
		if err := f.marketProvider(ctx, w, url, acompute.Msg{Type: typ, Value: val}); err != nil {
			return fmt.Errorf("relay: %w", err)
		}
		typ, val, _ = arelay.OpenMsg(w.Addr(), 1_000, 1_000_000)
		if err := cw.Send(ctx, acompute.Msg{Type: typ, Value: val}); err != nil {
			return fmt.Errorf("open channel: %w", err)
		}
		f.relays = append(f.relays, &relayNode{w: w, r: rl, url: url, inflate: rk.inflate})
	}
	return nil
}

// Run sets the fleet up and steps it until ctx ends.
func (f *Fleet) Run(ctx context.Context) error {
	defer func() {
		for _, c := range f.closers {
			c()
		}
	}()
	// The node may still be starting: retry the setup until it answers.
	for {
		err := f.setup(ctx)
		if err == nil {
			break
		}
		for _, c := range f.closers {
			c()
		}
		f.closers, f.provs, f.relays = nil, nil, nil
		f.log.Info("compute fleet: waiting for the node", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
	var job uint64
	lastJob := time.Time{}
	t := time.NewTicker(f.cfg.Every)
	defer t.Stop()
	for {
		for _, p := range f.provs {
			if _, err := p.Step(ctx); err != nil && ctx.Err() == nil {
				f.log.Debug("provider step", "err", err)
			}
		}
		if _, err := f.ver.Step(ctx); err != nil && ctx.Err() == nil {
			f.log.Debug("verifier step", "err", err)
		}
		if job != 0 {
			if j, err := acompute.GetJob(ctx, f.cons.Chain, job); err == nil && j.State != "running" {
				f.finish(ctx, job, j)
				job = 0
			}
		}
		if job == 0 && time.Since(lastJob) >= f.cfg.JobEvery {
			id, err := f.cons.Submit(ctx, acompute.Job{Type: kcompute.TypeRender, Input: f.cfg.Scene, Tasks: f.cfg.Tiles, Replicas: 2, Price: 1_000})
			if err != nil {
				f.log.Warn("submit", "err", err)
			} else {
				job, lastJob = id, time.Now()
				f.log.Info("render submitted", "job", id, "tiles", f.cfg.Tiles)
				f.stream(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (f *Fleet) finish(ctx context.Context, id uint64, j acompute.JobInfo) {
	if j.State != "done" {
		f.log.Warn("render failed", "job", id, "done", j.Done, "failed", j.Failed)
		return
	}
	img, err := f.cons.Get(ctx, id)
	if err != nil {
		f.log.Warn("render results", "job", id, "err", err)
		return
	}
	out := filepath.Join(f.cfg.OutDir, fmt.Sprintf("job-%d.png", id))
	if err := os.MkdirAll(f.cfg.OutDir, 0o755); err == nil {
		err = os.WriteFile(out, img, 0o644)
	}
	f.log.Info("render done", "job", id, "file", out, "paid", j.Paid, "slashed_in", j.SlashedIn, "err", err)
}

// stream fetches the file through each relay, then each relay claims its
// latest receipt (the inflator doubles it and is refused).
func (f *Fleet) stream(ctx context.Context) {
	st, err := f.c.Status(ctx)
	if err != nil {
		return
	}
	me := ledger.AddressOf(sig.PublicOf(f.keys.Consumer))
	for _, rn := range f.relays {
		// Receipts continue from the highest the relay holds or the chain
		// paid (after a restart the relay holds none).
		held := uint64(0)
		for _, sr := range rn.r.Latest() {
			held = max(held, arelay.ReceiptBytes(sr))
		}
		var ch struct {
			Bytes      uint64 `json:"bytes,string"`
			Generation uint64 `json:"generation,string"`
		}
		if f.c.Query(ctx, "relay/channels/"+me.String()+"/"+rn.w.Addr().String(), &ch) == nil {
			held = max(held, ch.Bytes)
		}
		fe := &arelay.Fetcher{Key: f.keys.Consumer, ChainID: st.ChainID, Relay: rn.url, RelayAddr: rn.w.Addr(), Signed: held, Generation: ch.Generation}
		if _, err := fe.Fetch(ctx, rn.url+"/relay/", f.file); err != nil {
			f.log.Warn("stream", "relay", rn.w.Addr().String(), "err", err)
			continue
		}
		for _, sr := range rn.r.Latest() {
			if rn.inflate {
				sr = arelay.Inflate(sr)
			}
			typ, val, _ := arelay.ClaimMsg(sr)
			_, err := f.c.SignAndSend(ctx, rn.w.Key, client.Tx{Fee: f.cfg.Fee, Msgs: []*txv1.Msg{{Type: typ, Value: val}}})
			var te *client.TxError
			if errors.As(err, &te) {
				f.log.Info("relay claim refused", "relay", rn.w.Addr().String(), "inflated", rn.inflate, "code", te.Status)
				continue
			}
			f.log.Info("relay claim", "relay", rn.w.Addr().String(), "bytes", arelay.ReceiptBytes(sr), "consumer", me.String(), "err", err)
		}
	}
}
