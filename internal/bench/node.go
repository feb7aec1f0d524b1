package bench

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/node"
	"github.com/depin-network/depin/internal/ports"
)

// cluster is a set of running in-process validators.
type cluster struct {
	rpcs []string // http URLs of the validators' RPC
	stop func() error
}

// freePort returns a loopback port for a node (internal/ports).
func freePort() (int, error) { return ports.Free() }

// freeBase finds a base port such that base+10k+{0,1,2} are free for k <
// validators (node.InitTestnet's port plan), on the terms of ports.Take.
func freeBase(validators int) (int, error) {
	var offsets []int
	for k := range validators {
		offsets = append(offsets, 10*k, 10*k+1, 10*k+2)
	}
	return ports.Take(offsets, 10*validators)
}

// initHomes writes validator homes under dir for chainID with genesis g and
// timeout_commit blockTime: one home via node.Init, several via
// node.InitTestnet, so the knobs are exactly those of `depin init` and
// `depin testnet`. The JSON API is disabled; RPC and P2P listen on loopback.
func initHomes(dir, chainID string, validators int, g app.Genesis, blockTime time.Duration) ([]string, error) {
	if validators == 1 {
		home := filepath.Join(dir, "node0")
		rpc, err := freePort()
		if err != nil {
			return nil, err
		}
		p2p, err := freePort()
		if err != nil {
			return nil, err
		}
		ac := node.DefaultAppConfig()
		ac.API.Enable = false
		ac.Log.Level = "error"
		err = node.Init(home, node.InitOptions{ChainID: chainID, Moniker: "bench", Genesis: g, App: ac,
			Comet: func(c *cmtcfg.Config) {
				c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpc)
				c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2p)
				c.Consensus.TimeoutCommit = blockTime
				// No address book: CometBFT saves it after Stop returns,
				// which races the removal of the run's directory.
				c.P2P.PexReactor = false
			}})
		if err != nil {
			return nil, err
		}
		return []string{home}, nil
	}
	base, err := freeBase(validators)
	if err != nil {
		return nil, err
	}
	nodes, err := node.InitTestnet(dir, node.TestnetOptions{ChainID: chainID, Validators: validators, BasePort: base, BlockTime: blockTime, Genesis: g})
	if err != nil {
		return nil, err
	}
	homes := make([]string, len(nodes))
	for i, n := range nodes {
		homes[i] = n.Home
	}
	return homes, nil
}

// rpcURL is the http URL of a home's configured RPC listener.
func rpcURL(home string) (string, error) {
	c, err := node.LoadCometConfig(home)
	if err != nil {
		return "", err
	}
	return "http://" + strings.TrimPrefix(c.RPC.ListenAddress, "tcp://"), nil
}

// startDepin runs a depin node (internal/node, as `depin start` does) on
// each home and waits until every one has committed a block.
func startDepin(ctx context.Context, homes []string, logger *slog.Logger) (*cluster, error) {
	ctx, cancel := context.WithCancel(ctx)
	cl := &cluster{}
	done := make([]chan error, 0, len(homes))
	cl.stop = func() error {
		cancel()
		var first error
		for _, d := range done {
			if err := <-d; err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	for _, home := range homes {
		n, err := node.Open(home, node.Overrides{}, logger)
		if err != nil {
			cl.stop()
			return nil, fmt.Errorf("bench: open node %s: %w", home, err)
		}
		d := make(chan error, 1)
		go func() { d <- n.Run(ctx) }()
		done = append(done, d)
		cl.rpcs = append(cl.rpcs, n.RPCURL())
	}
	if err := waitUp(ctx, cl.rpcs); err != nil {
		cl.stop()
		return nil, err
	}
	return cl, nil
}

// waitUp waits until every node has committed height 2.
func waitUp(ctx context.Context, urls []string) error {
	for _, u := range urls {
		if _, err := newRPCClient(u, 1).waitHeight(ctx, 2, 2*time.Minute); err != nil {
			return fmt.Errorf("bench: node %s: %w", u, err)
		}
	}
	return nil
}
