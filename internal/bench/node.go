package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/node"
)

// cluster is a set of running in-process validators.
type cluster struct {
	rpcs []string // http URLs of the validators' RPC
	stop func() error
}

// handedOut holds the ports freePort and freeBase returned in this
// process, so that they never hand out one twice: a port is free again the
// moment its probe closes, and the next probe may be offered it before the
// node it was meant for binds it.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// Ports are drawn from [portLow, portHigh), below Linux's ephemeral range
// (32768 and up, ip_local_port_range), so outgoing connections, which take
// their local port from that range, cannot take one before its node binds it.
const portLow, portHigh = 20_000, 32_000

// takePorts finds a base such that base+o is free on loopback and was never
// handed out for every o in offsets (each below span), and marks them
// handed out.
func takePorts(offsets []int, span int) (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 1000 {
		base := portLow + rand.IntN(portHigh-portLow-span)
		if !portsFree(base, offsets) {
			continue
		}
		for _, o := range offsets {
			handedOut.ports[base+o] = true
		}
		return base, nil
	}
	return 0, fmt.Errorf("bench: no %d free loopback ports in %d-%d", len(offsets), portLow, portHigh-1)
}

// portsFree reports whether base+o is unused for every o in offsets:
// neither handed out before nor bound now.
func portsFree(base int, offsets []int) bool {
	for _, o := range offsets {
		if handedOut.ports[base+o] {
			return false
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+o))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

// freePort returns a loopback port nothing listens on right now and no
// earlier call returned.
func freePort() (int, error) {
	return takePorts([]int{0}, 1)
}

// freeBase finds a base port such that base+10k+{0,1,2} are free for k <
// validators (node.InitTestnet's port plan), on the terms of freePort.
func freeBase(validators int) (int, error) {
	var offsets []int
	for k := range validators {
		offsets = append(offsets, 10*k, 10*k+1, 10*k+2)
	}
	return takePorts(offsets, 10*validators)
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
