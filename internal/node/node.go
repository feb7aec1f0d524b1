package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

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
// ingest, the oracle). Run blocks until ctx ends or the service fails.
type Service interface {
	Run(ctx context.Context) error
}

// Node is a running depin node.
type Node struct {
	Home     string
	Comet    *cmtcfg.Config
	App      *app.App
	AppCfg   AppConfig
	db       *store.DB
	cmt      *nm.Node
	log      *slog.Logger
	services []Service
}

// Overrides change loaded config before start (command-line flags).
type Overrides struct {
	RPCListen string
	P2PListen string
	APIListen string
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
	db, err := store.Open(filepath.Join(home, "data", "state"))
	if err != nil {
		return nil, err
	}
	a := chain.New(db)
	reg := a.Params()
	adapter := abci.New(a, func(path string) ([]byte, uint32, string) {
		return query.Handle(a.Committed(), reg, path)
	})
	pv := privval.LoadFilePV(cc.PrivValidatorKeyFile(), cc.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadNodeKey(cc.NodeKeyFile())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("node: load node key: %w", err)
	}
	cmt, err := nm.NewNode(cc, pv, nodeKey, NewClientCreator(adapter),
		nm.DefaultGenesisDocProviderFunc(cc), cmtcfg.DefaultDBProvider,
		nm.DefaultMetricsProvider(cc.Instrumentation), cometLogger{logger.With("module", "comet")})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("node: create consensus: %w", err)
	}
	n := &Node{Home: home, Comet: cc, App: a, AppCfg: ac, db: db, cmt: cmt, log: logger}
	return n, nil
}

// Log is the node's logger.
func (n *Node) Log() *slog.Logger { return n.log }

// AddService runs s beside consensus.
func (n *Node) AddService(s Service) { n.services = append(n.services, s) }

// RPCURL is the CometBFT RPC address as an http URL.
func (n *Node) RPCURL() string { return httpURL(n.Comet.RPC.ListenAddress) }

// APIURL is the JSON API's URL ("" when disabled).
func (n *Node) APIURL() string {
	if !n.AppCfg.API.Enable {
		return ""
	}
	return "http://" + n.AppCfg.API.Listen
}

// Run starts consensus and the services and blocks until ctx ends or one
// of them fails; then it stops everything and closes the state store.
func (n *Node) Run(ctx context.Context) error {
	if err := n.cmt.Start(); err != nil {
		n.db.Close()
		return fmt.Errorf("node: start consensus: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(n.services))
	for _, s := range n.services {
		go func(s Service) { errc <- s.Run(ctx) }(s)
	}
	var runErr error
	remaining := len(n.services)
	select {
	case <-ctx.Done():
	case runErr = <-errc:
		remaining--
	}
	cancel()
	for ; remaining > 0; remaining-- {
		if err := <-errc; err != nil && !errors.Is(err, context.Canceled) && runErr == nil {
			runErr = err
		}
	}
	if err := n.cmt.Stop(); err != nil && runErr == nil {
		runErr = fmt.Errorf("node: stop consensus: %w", err)
	}
	n.cmt.Wait()
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
