package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/depin-network/depin/internal/app"
)

// InitOptions says how to initialise a home.
type InitOptions struct {
	ChainID string
	Moniker string
	// Genesis is the app state; its validator is this node's key.
	Genesis app.Genesis
	// Comet is applied to CometBFT's config before it is written (nil: defaults).
	Comet func(*cmtcfg.Config)
	// App is written to app.toml.
	App AppConfig
	// GenesisTime is the chain's start time (zero: now).
	GenesisTime time.Time
	// Stake, if set, makes this node's key the staking module's genesis
	// validator.
	Stake *StakeOptions
}

// ErrInitialized is returned when the home already holds a genesis.
var ErrInitialized = errors.New("node: home is already initialised")

// Initialized reports whether home holds a genesis file.
func Initialized(home string) bool {
	_, err := os.Stat(filepath.Join(home, "config", "genesis.json"))
	return err == nil
}

// Init writes config (CometBFT's config.toml and depin's app.toml), node and
// validator keys and a one-validator genesis into home.
func Init(home string, o InitOptions) error {
	if Initialized(home) {
		return fmt.Errorf("%w: %s", ErrInitialized, home)
	}
	if o.ChainID == "" {
		return fmt.Errorf("node: init: chain id is required")
	}
	cmtcfg.EnsureRoot(home)
	c := CometDefaults(home)
	if o.Moniker != "" {
		c.Moniker = o.Moniker
	}
	if o.Comet != nil {
		o.Comet(c)
	}
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)
	if err := WriteAppConfig(home, o.App); err != nil {
		return err
	}
	pv := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	if _, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile()); err != nil {
		return fmt.Errorf("node: init: node key: %w", err)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return fmt.Errorf("node: init: validator key: %w", err)
	}
	power := int64(10)
	if o.Stake != nil {
		if err := addStakeGenesis(&o.Genesis, o.Stake, [][]byte{pub.Bytes()}, []string{c.Moniker}); err != nil {
			return err
		}
		power = o.Stake.power()
	}
	appState, err := json.MarshalIndent(o.Genesis, "", "  ")
	if err != nil {
		return fmt.Errorf("node: init: app state: %w", err)
	}
	if _, err := app.ParseGenesis(appState); err != nil {
		return err
	}
	gt := o.GenesisTime
	if gt.IsZero() {
		gt = time.Now().UTC()
	}
	doc := cmttypes.GenesisDoc{
		ChainID:         o.ChainID,
		GenesisTime:     gt,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators:      []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: power, Name: c.Moniker}},
		AppState:        appState,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("node: init: genesis: %w", err)
	}
	if err := doc.SaveAs(c.GenesisFile()); err != nil {
		return fmt.Errorf("node: init: genesis: %w", err)
	}
	return nil
}
