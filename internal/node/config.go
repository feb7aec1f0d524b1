package node

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/viper"

	"github.com/depin-network/depin/internal/dataservice"
	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/ingest"
	"github.com/depin-network/depin/internal/oracle"
)

// AppConfig is the app's own config file, config/app.toml in the home.
type AppConfig struct {
	// API is the JSON HTTP API.
	API APIConfig `toml:"api"`
	// Ingest is the device report ingest service.
	Ingest IngestConfig `toml:"ingest"`
	// Oracle is the reward oracle.
	Oracle OracleConfig `toml:"oracle"`
	// Log sets the log level: debug, info, warn or error.
	Log LogConfig `toml:"log"`
	// Indexer follows the chain into SQL for the explorer; a relative db
	// path is taken relative to the home.
	Indexer indexer.Config `toml:"indexer"`
	// Explorer serves the web explorer over the indexer's database; it
	// runs only with the indexer.
	Explorer explorer.Config `toml:"explorer"`
	// StorageProvider rents out a directory of this machine's disk to the
	// storage network (docs/storage.md).
	StorageProvider StorageProviderConfig `toml:"storage_provider"`
	// Data serves sensor readings to the consumers their owners granted
	// access (docs/data-access.md); ingest feeds it, so it runs only with
	// ingest.
	Data DataConfig `toml:"data"`
}

// DataConfig configures the data service run inside the node.
type DataConfig struct {
	Enable  bool               `toml:"enable"`
	Service dataservice.Config `toml:"service"`
}

// StorageProviderConfig configures the storage provider run inside the
// node (depin storage provider runs the same service alone).
type StorageProviderConfig struct {
	// Enable runs the storage provider in this node.
	Enable bool `toml:"enable"`
	// Key names the provider's key in the home's keyring; KeyringBackend
	// is "file" (passphrase from DEPIN_KEYRING_PASSPHRASE) or "test".
	Key            string `toml:"key"`
	KeyringBackend string `toml:"keyring_backend"`
	// Dir keeps the shards (relative to the home if relative).
	Dir string `toml:"dir"`
	// Listen is the HTTP address of uploads and downloads; HostURI what
	// the market lists (http://<listen> if empty).
	Listen  string `toml:"listen"`
	HostURI string `toml:"host_uri"`
	// CapacityBytes bounds the bytes of kept shards (0: no bound).
	CapacityBytes int64 `toml:"capacity_bytes"`
	// Price is the bid in upin per MiB per block; Collateral the bid's
	// collateral in upin (0: the chain's market.min_collateral).
	Price      uint64 `toml:"price"`
	Collateral uint64 `toml:"collateral"`
	// Poll is how often the provider looks at the chain.
	Poll time.Duration `toml:"poll"`
}

// OracleConfig configures the oracle service run inside the node.
type OracleConfig struct {
	// Enable runs the oracle in this node.
	Enable bool `toml:"enable"`
	// Key names the key in the home's keyring that submits roots; it must
	// be in the chain's oracle set.
	Key string `toml:"key"`
	// KeyringBackend is "file" (passphrase from DEPIN_KEYRING_PASSPHRASE)
	// or "test".
	KeyringBackend string `toml:"keyring_backend"`
	// IngestURL serves the epoch's segments (this node's ingest if empty).
	IngestURL string `toml:"ingest_url"`
	// Region is no longer read: each coverage device asserts its region
	// with its location. Kept so that existing app.toml files load.
	Region string `toml:"region"`
	// Service is the oracle service's own configuration; a relative
	// data_dir is taken relative to the home.
	Service oracle.Config `toml:"service"`
}

// IngestConfig configures the ingest service run inside the node.
type IngestConfig struct {
	// Enable runs ingest in this node.
	Enable bool `toml:"enable"`
	// OperatorKey names the key in the home's keyring that signs segment
	// commitments; it must be a registered ingest operator.
	OperatorKey string `toml:"operator_key"`
	// KeyringBackend is "file" (passphrase from DEPIN_KEYRING_PASSPHRASE)
	// or "test".
	KeyringBackend string `toml:"keyring_backend"`
	// Service is the ingest service's own configuration; a relative
	// data_dir is taken relative to the home.
	Service ingest.Config `toml:"service"`
}

// APIConfig configures the JSON API.
type APIConfig struct {
	// Enable serves the API.
	Enable bool `toml:"enable"`
	// Listen is the API's address; loopback by default.
	Listen string `toml:"listen"`
	// CORSAllowedOrigins lets browser pages from these origins ("*": any)
	// call the API and the oracle API; empty (the default) turns CORS off.
	CORSAllowedOrigins []string `toml:"cors_allowed_origins"`
}

// LogConfig configures logging.
type LogConfig struct {
	Level string `toml:"level"`
}

// DefaultAppConfig returns the defaults written by init.
func DefaultAppConfig() AppConfig {
	return AppConfig{
		API:      APIConfig{Enable: true, Listen: "127.0.0.1:1317"},
		Oracle:   OracleConfig{Enable: false, Key: "oracle", KeyringBackend: "file", Region: "EU868", Service: oracle.DefaultConfig()},
		Ingest:   IngestConfig{Enable: false, OperatorKey: "ingest", KeyringBackend: "file", Service: ingest.DefaultConfig()},
		Log:      LogConfig{Level: "info"},
		Indexer:  indexer.DefaultConfig(),
		Explorer: explorer.DefaultConfig(),
		StorageProvider: StorageProviderConfig{Key: "storage-provider", KeyringBackend: "file", Dir: "storage-provider",
			Listen: "127.0.0.1:7480", CapacityBytes: 10 << 30, Price: 1, Poll: time.Second},
		Data: DataConfig{Service: dataservice.DefaultConfig()},
	}
}

func appConfigPath(home string) string { return filepath.Join(home, "config", "app.toml") }

// LoadAppConfig reads config/app.toml; missing fields keep their defaults.
func LoadAppConfig(home string) (AppConfig, error) {
	c := DefaultAppConfig()
	if _, err := toml.DecodeFile(appConfigPath(home), &c); err != nil {
		return c, fmt.Errorf("node: read %s: %w", appConfigPath(home), err)
	}
	return c, nil
}

// WriteAppConfig writes config/app.toml.
func WriteAppConfig(home string, c AppConfig) error {
	f, err := os.Create(appConfigPath(home))
	if err != nil {
		return fmt.Errorf("node: write app config: %w", err)
	}
	defer f.Close()
	fmt.Fprintln(f, "# depin app configuration. CometBFT's own settings are in config.toml beside this file.")
	if err := toml.NewEncoder(f).Encode(c); err != nil {
		return fmt.Errorf("node: write app config: %w", err)
	}
	return f.Sync()
}

// CometDefaults returns CometBFT's config tuned for depin (engineering.md
// §1.4–1.6): recheck off (CheckTx is stateless apart from sequence and
// fee), a large mempool for bursts, CometBFT's kv tx and block indexer
// (so /tx, /tx_search and /block_search answer; internal/abci chooses which
// event attributes are indexed),
// loopback RPC. The ABCI client (NewClientCreator) is wired in Open.
func CometDefaults(home string) *cmtcfg.Config {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	c.Moniker = "depin"
	c.RPC.ListenAddress = "tcp://127.0.0.1:26657"
	// P2P binds every interface: peers must be able to dial in. README
	// ("Running a node") says why and how to restrict it.
	c.P2P.ListenAddress = "tcp://0.0.0.0:26656"
	c.Mempool.Recheck = false
	c.Mempool.Size = 100_000
	c.Mempool.CacheSize = 100_000
	c.TxIndex.Indexer = "kv"
	c.Consensus.TimeoutCommit = time.Second
	c.P2P.FlushThrottleTimeout = 10 * time.Millisecond
	c.Consensus.PeerGossipSleepDuration = 10 * time.Millisecond
	c.Instrumentation.Prometheus = false
	return c
}

// LoadCometConfig reads config/config.toml over depin's defaults.
func LoadCometConfig(home string) (*cmtcfg.Config, error) {
	c := CometDefaults(home)
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("node: read config.toml: %w", err)
	}
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("node: parse config.toml: %w", err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("node: config.toml: %w", err)
	}
	return c, nil
}
