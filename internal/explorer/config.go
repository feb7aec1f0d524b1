package explorer

// Config configures the explorer's HTTP server.
type Config struct {
	// Enable serves the explorer from the node (it needs the indexer).
	Enable bool `toml:"enable"`
	// Listen is the explorer's address; loopback by default.
	Listen string `toml:"listen"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Listen: "127.0.0.1:26690"} }
