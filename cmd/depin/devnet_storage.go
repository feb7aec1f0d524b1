package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/app"
	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/sig"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/provider"
	"github.com/depin-network/depin/internal/storage/uplink"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// The devnet's storage providers: honest ones and one of each adversary
// (issue 13, item 8), each with its key in the devnet's test keyring.
// Eight honest ones, so that a 4/8 file that drew all four adversaries
// finds four providers outside it to repair onto.
var devStorageProviders = []struct {
	name      string
	adversary provider.Adversary
}{
	{"storage0", ""}, {"storage1", ""}, {"storage2", ""}, {"storage3", ""}, {"storage4", ""}, {"storage5", ""},
	{"storage6", ""}, {"storage7", ""},
	{"storage-deleter", provider.AdversaryDelete}, {"storage-partial", provider.AdversaryPartial},
	{"storage-late", provider.AdversaryLate}, {"storage-corrupt", provider.AdversaryCorrupt},
}

const (
	// devStorageOwner owns the devnet's files and keeps a repair fund of
	// devRepairFund; the fleet's repair worker, devStorageRepairer (a
	// third party, without the owner's keys), repairs every degraded file
	// on its owner's fund.
	devStorageOwner    = "storage-owner"
	devStorageRepairer = "storage-repairer"
	devRepairFund      = 100_000_000
	// devStorageBps is the storage availability pool carved out of the
	// first device pool.
	devStorageBps = 1_000
)

var storageFleet = devnetFleet{
	name:    "storage",
	help:    "storage providers (one deletes, one keeps some shards, one answers late, one corrupts downloads) and a repair worker",
	genesis: storageGenesis,
	start: func(ctx context.Context, env fleetEnv) (func(), error) {
		fmt.Fprintf(env.out, "storage: %d providers (deleter, partial, late and corrupt among them) and a repair worker; try: depin storage put FILE --from %s --home %s --keyring-backend test\n",
			len(devStorageProviders), devStorageOwner, env.home)
		return startStorage(ctx, env)
	},
}

// storageGenesis adds the providers' and the owner's keys and balances and
// the storage availability pool.
func storageGenesis(kr *keyring.Keyring, g *app.Genesis) error {
	names := []string{devStorageOwner, devStorageRepairer}
	for _, p := range devStorageProviders {
		names = append(names, p.name)
	}
	for _, name := range names {
		info, err := kr.AddFromSeed(name, devSeed(name))
		if err != nil {
			return fmt.Errorf("devnet: key %s: %w", name, err)
		}
		g.Balances = append(g.Balances, app.GenesisBalance{Address: info.Address.String(), Amount: devBalance})
	}
	return carveDevnetPool(g, chain.GenesisPool{Name: "storage", Bps: devStorageBps, Recipient: reward.RecipientStorage.String()})
}

// startStorage runs the providers and the repair worker beside the node.
func startStorage(ctx context.Context, env fleetEnv) (func(), error) {
	kr, err := keyring.Open(keyring.Dir(env.home), keyring.BackendTest, nil)
	if err != nil {
		return nil, err
	}
	c, err := client.New(env.node.RPCURL())
	if err != nil {
		return nil, err
	}
	fee := params.Get(env.node.App.Committed(), bank.MinFee)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var provs []*provider.Provider
	for _, sp := range devStorageProviders {
		key, err := kr.PrivateKey(sp.name)
		if err != nil && len(provs) == 0 {
			env.logger.Warn("storage fleet off: this devnet was initialised without its keys (--fleet storage on first run)")
			cancel()
			return func() {}, nil
		}
		if err != nil {
			continue // a devnet initialised before this provider was added
		}
		cfg := provider.DefaultConfig()
		cfg.Dir, cfg.Listen, cfg.Adversary, cfg.Fee, cfg.Price = filepath.Join(env.home, "storage-fleet", sp.name), "127.0.0.1:0", sp.adversary, fee, 2
		p, err := provider.New(cfg, key, c, env.logger.With("storage_provider", sp.name))
		if err != nil {
			cancel()
			return nil, err
		}
		provs = append(provs, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Run(ctx); err != nil {
				env.logger.Warn("storage provider stopped", "name", sp.name, "err", err)
			}
		}()
	}
	if owner, err := kr.PrivateKey(devStorageOwner); err == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fundRepairs(ctx, c, owner, fee, env)
		}()
	}
	// The repair worker is a third party's (a devnet from before it had
	// its key repairs as the owner).
	worker, err := kr.PrivateKey(devStorageRepairer)
	if err != nil {
		worker, err = kr.PrivateKey(devStorageOwner)
	}
	if err == nil {
		ucfg := uplink.DefaultConfig()
		// A shard no provider outside the file bids on waits for the next
		// round.
		ucfg.Fee, ucfg.TmpDir, ucfg.BidWait = fee, filepath.Join(env.home, "storage-fleet"), 20*time.Second
		u := uplink.New(ucfg, c, worker, nil, env.logger.With("storage", "repair"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(30 * time.Second):
					if n := u.RepairAny(ctx); n > 0 {
						env.logger.Info("storage repair placed shards", "shards", n)
					}
				}
			}
		}()
	}
	return func() {
		cancel()
		wg.Wait()
		for _, p := range provs {
			p.Close()
		}
	}, nil
}

// fundRepairs gives the devnet's file owner a repair fund, once: repairs
// of its files by the fleet's worker are paid from it. The fleet starts
// before the node answers RPC, so it tries until the fund is set.
func fundRepairs(ctx context.Context, c *client.Client, owner sig.PrivateKey, fee uint64, env fleetEnv) {
	addr := ledger.AddressOf(sig.PublicOf(owner))
	v, err := proto.Marshal(&storagev1.MsgSetRepairFund{Amount: devRepairFund})
	if err != nil {
		panic(err)
	}
	for storage.Fund(env.node.App.Committed(), addr) == 0 {
		if _, err := c.SignAndSend(ctx, owner, client.Tx{Fee: fee, Msgs: []*txv1.Msg{{Type: storage.TypeSetRepairFund, Value: v}}}); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}
