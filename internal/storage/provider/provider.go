package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// Adversary makes a provider misbehave on purpose (devnet and tests).
type Adversary string

// Adversaries.
const (
	AdversaryNone Adversary = ""
	// AdversaryDelete deletes every shard once its deal is acknowledged.
	AdversaryDelete Adversary = "delete"
	// AdversaryPartial keeps only every other shard it receives, starting
	// by dropping the first: it acknowledges every upload, then deletes the
	// 1st, 3rd, 5th… acknowledged shard, so even a provider given a single
	// shard is caught.
	AdversaryPartial Adversary = "partial"
	// AdversaryLate answers every proof only after its window closed.
	AdversaryLate Adversary = "late"
	// AdversaryCorrupt serves every leaf of a download with a bit flipped
	// and answers proofs from the same corrupted bytes it serves, so its
	// proofs are wrong (wrong_proof) and the chain slashes it.
	AdversaryCorrupt Adversary = "corrupt"
	// AdversaryCorruptServe proves from the bytes it keeps, honestly, but
	// serves every download with a bit flipped in every leaf, and signs
	// each chunk it serves: no proof catches it; the owner's report of a
	// signed chunk with a wrong leaf does (corrupt_download).
	AdversaryCorruptServe Adversary = "corrupt-serve"
	// AdversaryCorruptQuiet is corrupt-serve played rationally: it serves
	// every download with a bit flipped in every leaf and never signs a
	// chunk, so nothing on chain could show it served wrong bytes. A get
	// asks for signed chunks and refuses its download at the first
	// unsigned chunk: it is paid nothing and its bytes are never used
	// (docs/storage.md, "What the report catches and what it does not").
	AdversaryCorruptQuiet Adversary = "corrupt-quiet"
)

// ParseAdversary reads an adversary's name.
func ParseAdversary(s string) (Adversary, error) {
	switch a := Adversary(s); a {
	case AdversaryNone, AdversaryDelete, AdversaryPartial, AdversaryLate, AdversaryCorrupt, AdversaryCorruptServe, AdversaryCorruptQuiet:
		return a, nil
	}
	return "", fmt.Errorf("provider: unknown adversary %q (delete, partial, late, corrupt, corrupt-serve, corrupt-quiet)", s)
}

// Chain is what the provider needs of a node (internal/client implements
// it).
type Chain interface {
	Query(ctx context.Context, path string, out any) error
	SignAndSend(ctx context.Context, priv sig.PrivateKey, tx client.Tx) (*client.TxResult, error)
}

// Config configures a provider.
type Config struct {
	// Dir is the directory shards are kept in.
	Dir string
	// Listen is the HTTP address (host:port) uploads and downloads use;
	// HostURI is what the market lists (http://<Listen> if empty).
	Listen  string
	HostURI string
	// Capacity bounds the bytes of kept shards (0: no bound).
	Capacity int64
	// Price is the bid in upin per MiB per block; Collateral the bid's
	// collateral in upin (at least market.min_collateral).
	Price, Collateral uint64
	// Fee is the fee of every transaction, in upin.
	Fee uint64
	// Poll is how often the provider looks at the chain.
	Poll time.Duration
	// Adversary makes the provider misbehave (never in production).
	Adversary Adversary
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// DefaultConfig returns a provider's defaults.
func DefaultConfig() Config {
	return Config{Listen: "127.0.0.1:7480", Price: 1, Collateral: 500_000, Fee: 1_000, Poll: time.Second}
}

// Provider is a running storage provider.
type Provider struct {
	cfg   Config
	key   sig.PrivateKey
	addr  ledger.Address
	chain Chain
	disk  *Disk
	log   *slog.Logger
	m     *metrics
	ln    net.Listener
	srv   *http.Server
	// lateProofs holds proofs an AdversaryLate provider sends after their
	// window.
	lateProofs []pendingProof
	// partial records, for an AdversaryPartial provider, whether it drops
	// the shard of each acknowledged deal it has seen (in the order seen).
	partial  map[uint64]bool
	receipts receiptQueue
	// chainID and height are what the provider last saw of the chain: the
	// download statements it signs carry them.
	chainID atomic.Value // string
	height  atomic.Int64
}

// New opens the provider's directory and listener.
func New(cfg Config, key sig.PrivateKey, chain Chain, log *slog.Logger) (*Provider, error) {
	if cfg.Dir == "" {
		return nil, errors.New("provider: no directory")
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d, err := OpenDisk(cfg.Dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("provider: listen: %w", err)
	}
	if cfg.HostURI == "" {
		cfg.HostURI = "http://" + ln.Addr().String()
	}
	p := &Provider{cfg: cfg, key: key, addr: ledger.AddressOf(sig.PublicOf(key)), chain: chain, disk: d, log: log, ln: ln}
	p.m = newMetrics(func() float64 { return float64(d.Used()) })
	p.srv = &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return p, nil
}

// Addr is the provider's account.
func (p *Provider) Addr() ledger.Address { return p.addr }

// URL is the provider's host URI.
func (p *Provider) URL() string { return p.cfg.HostURI }

// Serve serves HTTP only (no chain work) until Close: the storage
// benchmark's providers.
func (p *Provider) Serve() error {
	if err := p.srv.Serve(p.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Run serves HTTP and works the chain until ctx ends, then stops the HTTP
// server (so that a supervisor can build a new provider on the same
// address).
func (p *Provider) Run(ctx context.Context) error {
	defer p.Close()
	errc := make(chan error, 1)
	go func() { errc <- p.Serve() }()
	t := time.NewTicker(p.cfg.Poll)
	defer t.Stop()
	for {
		if err := p.Tick(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("storage provider round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return fmt.Errorf("provider: serve: %w", err)
		case <-t.C:
		}
	}
}

// Close stops the HTTP server.
func (p *Provider) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.srv.Shutdown(ctx)
}
