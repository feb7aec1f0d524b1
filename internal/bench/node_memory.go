package bench

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"

	"github.com/depin-network/depin/internal/abci"
	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/store"
)

// fleetNode is a node wired as node.Open wires one (Pebble state, the
// chain's modules, the ABCI adapter with the query router, CometBFT with a
// ConnSync local client), plus one extra module whose genesis onboards a
// synthetic fleet.
type fleetNode struct {
	app  *app.App
	db   *store.DB
	cmt  *nm.Node
	rpc  string
	stop func() error
}

// startFleetNode runs a node on home with the chain's modules plus extra
// (if named), wired like a real node (node.NewClientCreator: concurrent
// CheckTx) unless serial asks for CometBFT's ConnSync client creator.
func startFleetNode(ctx context.Context, home string, extra app.Module, serial bool, logger *slog.Logger) (*fleetNode, error) {
	cc, err := node.LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(filepath.Join(home, "data", "state"))
	if err != nil {
		return nil, err
	}
	mods := chain.Modules()
	if extra.Name != "" {
		mods = append(mods, extra)
	}
	a := app.New(db, mods...)
	adapter := abci.New(a, func(path string) ([]byte, uint32, string) {
		return query.Handle(a.Committed(), a, path)
	})
	pv := privval.LoadFilePV(cc.PrivValidatorKeyFile(), cc.PrivValidatorStateFile())
	nk, err := p2p.LoadNodeKey(cc.NodeKeyFile())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bench: node key: %w", err)
	}
	creator := node.NewClientCreator(adapter, nil)
	if serial {
		creator = proxy.NewConnSyncLocalClientCreator(adapter)
	}
	dbs := &node.CometDBs{}
	cmt, err := nm.NewNode(cc, pv, nk, creator,
		nm.DefaultGenesisDocProviderFunc(cc), dbs.Provider,
		nm.DefaultMetricsProvider(cc.Instrumentation), slogComet{logger})
	if err != nil {
		dbs.Close()
		db.Close()
		return nil, fmt.Errorf("bench: create node: %w", err)
	}
	if err := cmt.Start(); err != nil {
		dbs.Close()
		db.Close()
		return nil, fmt.Errorf("bench: start node: %w", err)
	}
	rpc, err := rpcURL(home)
	if err != nil {
		cmt.Stop()
		cmt.Wait()
		dbs.Close()
		db.Close()
		return nil, err
	}
	fn := &fleetNode{app: a, db: db, cmt: cmt, rpc: rpc}
	fn.stop = func() error {
		err := cmt.Stop()
		cmt.Wait()
		if cerr := dbs.Close(); cerr != nil && err == nil {
			err = cerr
		}
		if cerr := db.Close(); cerr != nil && err == nil {
			err = cerr
		}
		return err
	}
	return fn, nil
}

// slogComet sends CometBFT's errors to slog and drops the rest.
type slogComet struct{ l *slog.Logger }

var _ cmtlog.Logger = slogComet{}

func (s slogComet) Debug(string, ...any)         {}
func (s slogComet) Info(string, ...any)          {}
func (s slogComet) Error(msg string, kv ...any)  { s.l.Error(msg, kv...) }
func (s slogComet) With(kv ...any) cmtlog.Logger { return slogComet{s.l.With(kv...)} }
