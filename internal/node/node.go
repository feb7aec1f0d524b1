package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	cmtcfg "github.com/cometbft/cometbft/config"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"

	"github.com/depin-network/depin/internal/abci"
	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/store"
)

// Service is an off-chain service run beside consensus (the JSON API,
// ingest, the oracle). Run blocks until ctx ends or the service fails. If
// it is also an io.Closer, Close is called after each Run.
type Service interface {
	Run(ctx context.Context) error
}

// Node is a running depin node.
type Node struct {
	Home   string
	Comet  *cmtcfg.Config
	App    *app.App
	AppCfg AppConfig
	db     *store.DB
	cmt    *nm.Node
	cmtDBs *CometDBs
	// book is the PEX address book (nil with PEX off); Run waits for its
	// last save (addrbook.go).
	book *addrBook
	// Metrics are the node's Prometheus series (the JSON API serves them).
	Metrics  *Metrics
	log      *slog.Logger
	services []supervised
	// Supervision are the restart delays of failing services.
	Supervision Supervision
	restarts    atomic.Uint64
}

// Overrides change loaded config before start (command-line flags).
type Overrides struct {
	RPCListen string
	P2PListen string
	APIListen string
	// IngestListen, OracleListen: the services' HTTP addresses.
	IngestListen, OracleListen string
	// MetricsListen turns CometBFT's Prometheus metrics on at this address.
	MetricsListen string
	// ExplorerListen is the web explorer's address.
	ExplorerListen string
	// DataListen is the data service's address.
	DataListen string
}

// Open loads a home's config, opens its state and builds (but does not
// start) the node.
func Open(home string, ov Overrides, logger *slog.Logger) (*Node, error) {
	if !Initialized(home) {
		return nil, fmt.Errorf("node: %s is not initialised: run depin init first", home)
	}
	cc, err := LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	ac, err := LoadAppConfig(home)
	if err != nil {
		return nil, err
	}
	if ov.RPCListen != "" {
		cc.RPC.ListenAddress = ov.RPCListen
	}
	if ov.P2PListen != "" {
		cc.P2P.ListenAddress = ov.P2PListen
	}
	if ov.APIListen != "" {
		ac.API.Listen = ov.APIListen
	}
	if ov.IngestListen != "" {
		ac.Ingest.Service.ListenAddr = ov.IngestListen
	}
	if ov.OracleListen != "" {
		ac.Oracle.Service.ListenAddr = ov.OracleListen
	}
	if ov.ExplorerListen != "" {
		ac.Explorer.Listen = ov.ExplorerListen
	}
	if ov.DataListen != "" {
		ac.Data.Service.Addr = ov.DataListen
	}
	if ov.MetricsListen != "" {
		cc.Instrumentation.Prometheus = true
		cc.Instrumentation.PrometheusListenAddr = ov.MetricsListen
	}
	db, err := store.Open(filepath.Join(home, "data", "state"))
	if err != nil {
		return nil, err
	}
	a := chain.New(db)
	adapter := abci.New(a, func(path string) ([]byte, uint32, string) {
		return query.Handle(a.Committed(), a, path)
	})
	pv := privval.LoadFilePV(cc.PrivValidatorKeyFile(), cc.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadNodeKey(cc.NodeKeyFile())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("node: load node key: %w", err)
	}
	if _, err := reindexGap(cc, logger); err != nil {
		db.Close()
		return nil, err
	}
	dbs := &CometDBs{}
	var cmt *nm.Node
	metrics := NewMetrics(func() int {
		if cmt == nil {
			return 0
		}
		return cmt.Mempool().Size()
	})
	metrics.WatchGauges(a)
	clog := cometLogger{logger.With("module", "comet")}
	book, err := newAddrBook(cc, nodeKey, clog)
	if err != nil {
		db.Close()
		return nil, err
	}
	var opts []nm.Option
	if book != nil {
		opts = append(opts, book.option(cc, clog))
	}
	cmt, err = nm.NewNode(cc, pv, nodeKey, NewClientCreator(measuredApp{adapter, metrics}, func(err error) {
		metrics.checkFail.Inc()
		logger.Error("mempool check failed inside the node; the transaction was refused", "err", err)
	}),
		nm.DefaultGenesisDocProviderFunc(cc), dbs.Provider,
		nm.DefaultMetricsProvider(cc.Instrumentation), clog, opts...)
	if err != nil {
		dbs.Close()
		db.Close()
		return nil, fmt.Errorf("node: create consensus: %w", err)
	}
	n := &Node{Home: home, Comet: cc, App: a, AppCfg: ac, db: db, cmt: cmt, cmtDBs: dbs, book: book, Metrics: metrics, log: logger, Supervision: DefaultSupervision()}
	return n, nil
}

// Log is the node's logger.
func (n *Node) Log() *slog.Logger { return n.log }

// AddService runs svc beside consensus under supervision (supervise.go):
// if it fails, it is closed and, after a backoff, replaced by what rebuild
// returns (nil rebuild: svc runs again); consensus never stops for it.
func (n *Node) AddService(name string, svc Service, rebuild func() (Service, error)) {
	n.services = append(n.services, supervised{name: name, svc: svc, rebuild: rebuild})
}

// Restarts is how many times a failed service was started again.
func (n *Node) Restarts() uint64 { return n.restarts.Load() }

// RPCURL is the CometBFT RPC address as an http URL.
func (n *Node) RPCURL() string { return httpURL(n.Comet.RPC.ListenAddress) }

// APIURL is the JSON API's URL ("" when disabled).
func (n *Node) APIURL() string {
	if !n.AppCfg.API.Enable {
		return ""
	}
	return "http://" + n.AppCfg.API.Listen
}

// Run starts consensus and the services and blocks until ctx ends; then it
// stops the services, consensus, and closes the state store. A failing
// service is restarted (AddService) and never stops consensus. When Run
// returns, nothing of the node writes into its home any more (the address
// book's last save included), so the home can be removed.
func (n *Node) Run(ctx context.Context) error {
	if err := n.cmt.Start(); err != nil {
		n.cmtDBs.Close()
		n.db.Close()
		return fmt.Errorf("node: start consensus: %w", err)
	}
	var wg sync.WaitGroup
	for _, s := range n.services {
		wg.Go(func() { supervise(ctx, s, n.Supervision, n.log, func() { n.restarts.Add(1) }) })
	}
	<-ctx.Done()
	wg.Wait()
	var runErr error
	if err := n.cmt.Stop(); err != nil {
		runErr = fmt.Errorf("node: stop consensus: %w", err)
	}
	n.cmt.Wait()
	if n.book != nil {
		n.book.wait()
	}
	if err := n.cmtDBs.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("node: close tx index: %w", err)
	}
	if err := n.db.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if errors.Is(runErr, context.Canceled) {
		runErr = nil
	}
	return runErr
}

func httpURL(laddr string) string {
	const tcp = "tcp://"
	if len(laddr) > len(tcp) && laddr[:len(tcp)] == tcp {
		return "http://" + laddr[len(tcp):]
	}
	return laddr
}
