package sim

import (
	"errors"
	"fmt"
	"time"

	acov "github.com/depin-network/depin/agent/coverage"
	"github.com/depin-network/depin/internal/kind/coverage"
)

// Class is how a simulated device behaves.
type Class uint8

// Device classes. Values are stable: records and tests name them.
const (
	Honest   Class = iota // beacons on schedule, witnesses what it hears
	Spoofer               // asserts a location far from where it is
	Forger                // witnesses with signals stronger than free space allows
	Replayer              // re-sends reports ingest already accepted
	Clique                // witnesses fellow members out of radio range
	// Eavesdropper never listens to the air: it reads ingest's public
	// segment feed and witnesses the beacons it finds there (issue 19).
	Eavesdropper
)

// Adversaries lists the cheating classes in the order Plan assigns them.
var Adversaries = []Class{Spoofer, Forger, Replayer, Clique, Eavesdropper}

var classNames = [...]string{"honest", "spoofer", "forger", "replayer", "clique", "eavesdropper"}

// String returns the class's stable name.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class_%d", uint8(c))
}

// City is where the fleet stands.
type City struct {
	// Name is shown in logs.
	Name string `toml:"name"`
	// LatE7 and LonE7 are the centre of the fleet in 1e-7 degrees.
	LatE7 int64 `toml:"lat_e7"`
	LonE7 int64 `toml:"lon_e7"`
}

// Berlin is the default city: Alexanderplatz.
var Berlin = City{Name: "Berlin", LatE7: 525_219_000, LonE7: 134_132_000}

// Lisbon is another real city to place a fleet in: Praça do Comércio.
var Lisbon = City{Name: "Lisbon", LatE7: 387_075_000, LonE7: -91_365_000}

// Config configures a fleet. Start from DefaultConfig.
type Config struct {
	// Devices is the number of simulated devices.
	Devices int `toml:"devices"`
	// AdversaryFraction is the share of devices that cheat, in [0, 1);
	// they are split evenly over the classes in Adversaries.
	AdversaryFraction float64 `toml:"adversary_fraction"`
	// City is where the devices stand.
	City City `toml:"city"`
	// Seed makes placement, keys, schedules and fading reproducible; beacon
	// payloads are not (their local entropy comes from crypto/rand).
	Seed uint64 `toml:"seed"`
	// SpacingM is the grid spacing of the placement in metres. Each
	// device stands within a fifth of it from its grid point, so two
	// devices are at least 3/5 of it apart: keep that above the scorer's
	// minimum witness distance (res-11 grid distance 8, about 400 m).
	SpacingM int `toml:"spacing_m"`
	// Region is the band every device uses.
	Region acov.Region `toml:"region"`
	// GainDdBi is every antenna's gain in tenths of dBi (whole dBi: the
	// scorer rounds gains down to whole dBi).
	GainDdBi int32 `toml:"gain_ddbi"`
	// BeaconInterval is how often each device beacons; it should equal
	// the scorer's beacon_interval (one valid beacon per interval).
	BeaconInterval time.Duration `toml:"beacon_interval"`
	// FirstBeaconSpan spreads every device's first beacon evenly over
	// this time after the fleet starts, so that a new fleet shows
	// activity at once; later beacons follow every BeaconInterval.
	FirstBeaconSpan time.Duration `toml:"first_beacon_span"`
	// EntropyRefresh is how often the fleet asks ingest for the entropy
	// reports answer.
	EntropyRefresh time.Duration `toml:"entropy_refresh"`
	// ReplayInterval is how often each replayer replays a report.
	ReplayInterval time.Duration `toml:"replay_interval"`
	// ClaimInterval is how often owners claim settled rewards; 0 never.
	ClaimInterval time.Duration `toml:"claim_interval"`
	// SpoofDistanceKm is how far from its real position a spoofer
	// asserts, at least: beyond the scorer's 100 km witness limit.
	SpoofDistanceKm int `toml:"spoof_distance_km"`
	// ForgeMarginDdB is how far above the free-space bound a forger
	// reports its signals, in tenths of dB.
	ForgeMarginDdB int32 `toml:"forge_margin_ddb"`
	// CliqueSignalDdBm is the signal clique members claim for each
	// other's beacons (at least ForgeMarginDdB above the bound).
	CliqueSignalDdBm int32 `toml:"clique_signal_ddbm"`
	// TxDevices is how many devices one onboarding transaction carries
	// (two messages each: onboard and assert location).
	TxDevices int `toml:"tx_devices"`
	// MaxRecords bounds the reports remembered per device.
	MaxRecords int `toml:"max_records"`

	// NodeURL is the node's CometBFT RPC, IngestURL its ingest service
	// and OracleURL its oracle API ("" disables claiming).
	NodeURL   string `toml:"node_url"`
	IngestURL string `toml:"ingest_url"`
	OracleURL string `toml:"oracle_url"`
	// Fee is the fee of every transaction the fleet sends, in base units.
	Fee uint64 `toml:"fee"`
	// StateDir holds the devices' nonce files.
	StateDir string `toml:"state_dir"`
}

// DefaultConfig returns the devnet fleet: 200 devices around Berlin, one
// in ten cheating, Helium's 6 h beacon interval with first beacons spread
// over two minutes.
func DefaultConfig() Config {
	return Config{
		Devices:           200,
		AdversaryFraction: 0.1,
		City:              Berlin,
		Seed:              1,
		SpacingM:          800,
		Region:            acov.RegionEU868,
		GainDdBi:          30,
		BeaconInterval:    time.Duration(coverage.DefaultParams().BeaconIntervalNs),
		FirstBeaconSpan:   2 * time.Minute,
		EntropyRefresh:    time.Second,
		ReplayInterval:    5 * time.Second,
		ClaimInterval:     30 * time.Second,
		SpoofDistanceKm:   150,
		ForgeMarginDdB:    60,
		CliqueSignalDdBm:  -650,
		TxDevices:         32,
		MaxRecords:        4096,
		Fee:               1000,
	}
}

// Validate reports the first unusable setting of the placement.
func (c Config) Validate() error {
	switch {
	case c.Devices < 0:
		return errors.New("sim: config: devices must not be negative")
	case !(c.AdversaryFraction >= 0 && c.AdversaryFraction < 1):
		return fmt.Errorf("sim: config: adversary fraction %v outside [0, 1)", c.AdversaryFraction)
	case c.City.LatE7 < -800_000_000 || c.City.LatE7 > 800_000_000 || c.City.LonE7 < -1_800_000_000 || c.City.LonE7 > 1_800_000_000:
		return fmt.Errorf("sim: config: city centre %d,%d is outside latitudes ±80 or longitudes ±180", c.City.LatE7, c.City.LonE7)
	case c.SpacingM < 100 || c.SpacingM > 100_000:
		return fmt.Errorf("sim: config: spacing %d m outside [100, 100000]", c.SpacingM)
	case c.GainDdBi < 0 || c.GainDdBi > 150 || c.GainDdBi%10 != 0:
		return fmt.Errorf("sim: config: gain %d ddBi must be whole dBi in [0, 15] dBi", c.GainDdBi)
	case c.BeaconInterval <= 0 || c.FirstBeaconSpan <= 0:
		return errors.New("sim: config: beacon interval and first beacon span must be positive")
	case c.EntropyRefresh <= 0 || c.ReplayInterval <= 0 || c.ClaimInterval < 0:
		return errors.New("sim: config: entropy refresh and replay interval must be positive, claim interval not negative")
	case c.SpoofDistanceKm <= 100 || c.SpoofDistanceKm > 2000:
		return fmt.Errorf("sim: config: spoof distance %d km must be above the 100 km witness limit and at most 2000", c.SpoofDistanceKm)
	case c.ForgeMarginDdB <= 0:
		return errors.New("sim: config: forge margin must be positive")
	case c.TxDevices <= 0 || c.MaxRecords <= 0:
		return errors.New("sim: config: tx devices and max records must be positive")
	}
	if _, ok := c.Region.Plan(); !ok {
		return fmt.Errorf("sim: config: region %s has no channel plan", c.Region)
	}
	return nil
}
