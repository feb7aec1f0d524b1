package node

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/depin-network/depin/internal/app"
)

// TestnetOptions describes a multi-validator network on one machine.
type TestnetOptions struct {
	ChainID    string
	Validators int
	// BasePort is the first port; validator k uses BasePort+10k+{0: P2P,
	// 1: RPC, 2: API}.
	BasePort int
	// BlockTime is CometBFT's timeout_commit.
	BlockTime time.Duration
	Genesis   app.Genesis
	// App, if set, adjusts validator k's app.toml before it is written.
	App func(k int, c *AppConfig)
	// Stake, if set, makes the validators the staking module's genesis
	// validators (Operators[k] operates validator k).
	Stake *StakeOptions
}

// TestnetNode is one generated validator home.
type TestnetNode struct {
	Home string
	P2P  string
	RPC  string
	API  string
}

// InitTestnet writes out/node0 … out/node{N-1}: each a home with its own
// keys, all sharing one genesis with every validator at equal power, with
// persistent peers on loopback and the p2p knobs tuned as measured in
// reference/engineering.md §1.5 (flush throttle and gossip sleep 10 ms,
// send/recv 100 MB/s, duplicate IPs allowed, no PEX).
func InitTestnet(out string, o TestnetOptions) ([]TestnetNode, error) {
	if o.Validators < 1 {
		return nil, fmt.Errorf("node: testnet needs at least one validator")
	}
	if o.BasePort == 0 {
		o.BasePort = 26600
	}
	if early, err := json.Marshal(o.Genesis); err != nil {
		return nil, fmt.Errorf("node: testnet: app state: %w", err)
	} else if _, err := app.ParseGenesis(early); err != nil {
		return nil, err
	}
	nodes := make([]TestnetNode, o.Validators)
	cfgs := make([]*cmtcfg.Config, o.Validators)
	ids := make([]string, o.Validators)
	var vals []cmttypes.GenesisValidator
	var pubs [][]byte
	var monikers []string
	for k := range nodes {
		home := filepath.Join(out, fmt.Sprintf("node%d", k))
		if Initialized(home) {
			return nil, fmt.Errorf("%w: %s", ErrInitialized, home)
		}
		port := o.BasePort + 10*k
		n := TestnetNode{Home: home, P2P: fmt.Sprintf("127.0.0.1:%d", port), RPC: fmt.Sprintf("127.0.0.1:%d", port+1), API: fmt.Sprintf("127.0.0.1:%d", port+2)}
		cmtcfg.EnsureRoot(home)
		c := CometDefaults(home)
		c.Moniker = fmt.Sprintf("node%d", k)
		c.P2P.ListenAddress = "tcp://" + n.P2P
		c.RPC.ListenAddress = "tcp://" + n.RPC
		c.P2P.AllowDuplicateIP = true
		c.P2P.AddrBookStrict = false
		c.P2P.PexReactor = false
		c.P2P.SendRate = 100 << 20
		c.P2P.RecvRate = 100 << 20
		if o.BlockTime > 0 {
			c.Consensus.TimeoutCommit = o.BlockTime
		}
		pv := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
		nk, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, fmt.Errorf("node: testnet: node key: %w", err)
		}
		pub, err := pv.GetPubKey()
		if err != nil {
			return nil, fmt.Errorf("node: testnet: validator key: %w", err)
		}
		power := int64(10)
		if o.Stake != nil {
			power = o.Stake.power()
		}
		vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: power, Name: c.Moniker})
		pubs = append(pubs, pub.Bytes())
		monikers = append(monikers, c.Moniker)
		ids[k] = string(nk.ID()) + "@" + n.P2P
		ac := DefaultAppConfig()
		ac.API.Listen = n.API
		if o.App != nil {
			o.App(k, &ac)
		}
		if err := WriteAppConfig(home, ac); err != nil {
			return nil, err
		}
		nodes[k], cfgs[k] = n, c
	}
	if o.Stake != nil {
		if err := addStakeGenesis(&o.Genesis, o.Stake, pubs, monikers); err != nil {
			return nil, err
		}
	}
	appState, err := json.MarshalIndent(o.Genesis, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("node: testnet: app state: %w", err)
	}
	if _, err := app.ParseGenesis(appState); err != nil {
		return nil, err
	}
	doc := cmttypes.GenesisDoc{ChainID: o.ChainID, GenesisTime: time.Now().UTC(), ConsensusParams: cmttypes.DefaultConsensusParams(), Validators: vals, AppState: appState}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("node: testnet: genesis: %w", err)
	}
	for k, c := range cfgs {
		var peers []string
		for j, id := range ids {
			if j != k {
				peers = append(peers, id)
			}
		}
		c.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtcfg.WriteConfigFile(filepath.Join(nodes[k].Home, "config", "config.toml"), c)
		if err := doc.SaveAs(c.GenesisFile()); err != nil {
			return nil, fmt.Errorf("node: testnet: genesis: %w", err)
		}
	}
	return nodes, nil
}
