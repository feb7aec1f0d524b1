package bench

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"

	"github.com/depin-network/depin/internal/node"
)

// startKVStore runs CometBFT's kvstore example application (persistent,
// goleveldb under data/kvstore) on each home, with the home's CometBFT
// config exactly as a depin node would load it and the same local client
// (NewConnSyncLocalClientCreator) and CometBFT databases (node.CometDBs,
// which also survives CometBFT's shutdown race), and waits until every one
// has committed a block. The homes' genesis app state is ignored by kvstore.
func startKVStore(ctx context.Context, homes []string) (*cluster, error) {
	cl := &cluster{}
	var nodes []*nm.Node
	dbs := &node.CometDBs{}
	cl.stop = func() error {
		var first error
		for _, n := range nodes {
			if err := n.Stop(); err != nil && first == nil {
				first = fmt.Errorf("bench: stop kvstore node: %w", err)
			}
			n.Wait()
		}
		if err := dbs.Close(); err != nil && first == nil {
			first = fmt.Errorf("bench: close kvstore databases: %w", err)
		}
		return first
	}
	for _, home := range homes {
		cc, err := node.LoadCometConfig(home)
		if err != nil {
			cl.stop()
			return nil, err
		}
		pv := privval.LoadFilePV(cc.PrivValidatorKeyFile(), cc.PrivValidatorStateFile())
		nk, err := p2p.LoadNodeKey(cc.NodeKeyFile())
		if err != nil {
			cl.stop()
			return nil, fmt.Errorf("bench: kvstore node key: %w", err)
		}
		kv := kvstore.NewPersistentApplication(filepath.Join(home, "data", "kvstore"))
		n, err := nm.NewNode(cc, pv, nk, proxy.NewConnSyncLocalClientCreator(kv),
			nm.DefaultGenesisDocProviderFunc(cc), dbs.Provider,
			nm.DefaultMetricsProvider(cc.Instrumentation), cmtlog.NewNopLogger())
		if err != nil {
			cl.stop()
			return nil, fmt.Errorf("bench: kvstore node: %w", err)
		}
		if err := n.Start(); err != nil {
			cl.stop()
			return nil, fmt.Errorf("bench: start kvstore node: %w", err)
		}
		nodes = append(nodes, n)
		rpc, err := rpcURL(home)
		if err != nil {
			cl.stop()
			return nil, err
		}
		cl.rpcs = append(cl.rpcs, rpc)
	}
	if err := waitUp(ctx, cl.rpcs); err != nil {
		cl.stop()
		return nil, err
	}
	return cl, nil
}
