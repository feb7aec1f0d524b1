package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/sim/computesim"
)

// The devnet's compute and relay fleet: keys, pools and the scene.
var devComputeKeys = []string{"compute-honest-1", "compute-honest-2", "compute-wrong", "compute-lazy", "compute-verifier",
	"compute-consumer", "relay-honest", "relay-inflator"}

const (
	devComputeBps = 500
	devRelayBps   = 300
	// devScene is the scene the devnet's consumer renders in 16 tiles.
	devScene = `{"width":160,"height":120,"camera":{"pos":[0,1000,-4000],"focal":1500},"light":{"pos":[-3000,6000,-3000],"intensity":900},` +
		`"ambient":120,"background":[40,60,110],"spheres":[{"center":[0,1000,2000],"radius":1000,"color":[220,60,50],"reflect":250},` +
		`{"center":[-2200,600,3000],"radius":600,"color":[60,200,90]},{"center":[2000,800,1200],"radius":800,"color":[230,230,240],"reflect":600}],` +
		`"plane":{"y":0,"color_a":[200,200,200],"color_b":[40,40,40],"size":1000,"reflect":200},"max_depth":2,"samples":1}`
)

// computeFleet simulates compute providers (two honest, one returning
// wrong tiles, one lazy copier), a verifier, two relays (one inflating its
// receipts) and a consumer that renders a scene and streams a file.
var computeFleet = devnetFleet{
	name:    "compute",
	help:    "compute providers rendering a scene (one returns wrong tiles, one copies others) and relays streaming a file (one inflates receipts)",
	genesis: computeGenesis,
	start: func(ctx context.Context, env fleetEnv) (func(), error) {
		kr, err := keyring.Open(keyring.Dir(env.home), keyring.BackendTest, nil)
		if err != nil {
			return nil, err
		}
		k := map[string]sig.PrivateKey{}
		for _, name := range append(devComputeKeys, "dev0") {
			if k[name], err = kr.PrivateKey(name); err != nil {
				return nil, fmt.Errorf("devnet: compute fleet: key %s: %w", name, err)
			}
		}
		keys := computesim.Keys{Honest: []sig.PrivateKey{k["compute-honest-1"], k["compute-honest-2"]}, Wrong: k["compute-wrong"],
			Lazy: k["compute-lazy"], Verifier: k["compute-verifier"], Consumer: k["compute-consumer"], Relay: k["relay-honest"],
			Inflator: k["relay-inflator"]}
		st := env.node.App.Committed()
		if params.Authority(st) == ledger.AddressOf(sig.PublicOf(k["dev0"])) {
			keys.Authority = k["dev0"]
		}
		out := filepath.Join(env.home, "compute")
		f, err := computesim.New(computesim.Config{NodeURL: env.node.RPCURL(), Fee: params.Get(st, bank.MinFee), Scene: []byte(devScene),
			Tiles: 16, OutDir: out, Every: time.Second, JobEvery: 2 * time.Minute}, keys, env.logger.With("fleet", "compute"))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(env.out, "compute: 4 providers (one returns wrong tiles, one copies) render a scene every 2 min into %s; 2 relays (one inflates) stream a file; try: depin compute status 1 --home %s\n", out, env.home)
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := f.Run(ctx); err != nil && ctx.Err() == nil {
				env.logger.Error("compute fleet stopped", "err", err)
			}
		}()
		return func() { cancel(); <-done }, nil
	},
}

// computeGenesis adds the fleet's keys and balances, short compute windows
// and the compute and relay reward pools.
func computeGenesis(kr *keyring.Keyring, g *app.Genesis) error {
	for _, name := range devComputeKeys {
		info, err := kr.AddFromSeed(name, devSeed(name))
		if err != nil {
			return fmt.Errorf("devnet: key %s: %w", name, err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	}
	if g.Params == nil {
		g.Params = map[string]uint64{}
	}
	// Windows of 40 blocks: 8 s at the devnet's 200 ms blocks.
	g.Params[compute.CommitBlocks.Name] = 40
	g.Params[compute.RevealBlocks.Name] = 40
	g.Params[compute.VerifyBlocks.Name] = 60
	if err := carveDevnetPool(g, chain.GenesisPool{Name: "compute", Bps: devComputeBps, Recipient: reward.RecipientCompute.String()}); err != nil {
		return err
	}
	return carveDevnetPool(g, chain.GenesisPool{Name: "relay", Bps: devRelayBps, Recipient: reward.RecipientRelay.String()})
}
