package tokensim

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Scenario is one simulation: the chain's genesis (parameters by their
// on-chain names, reward pools, allocations) and the assumptions of the
// economic model. It is read from a TOML file (sims/*.toml).
type Scenario struct {
	// Extends names a scenario file (relative to this one) whose values
	// this one starts from; its own keys override them, lists replace.
	Extends string `toml:"extends"`
	// Name labels the run in plots and tables.
	Name        string `toml:"name"`
	Description string `toml:"description"`
	// Seed seeds the model's randomness (price noise, entry rounding).
	Seed uint64 `toml:"seed"`
	// Days is the number of simulated days (epochs).
	Days int `toml:"days"`

	// Params sets chain parameters at genesis by name
	// ("reward.emission_initial"); the chain's defaults apply otherwise.
	Params map[string]uint64 `toml:"params"`
	// Pools replaces the chain's default reward pools at genesis.
	Pools []PoolSpec `toml:"pools"`

	Genesis   GenesisSpec   `toml:"genesis"`
	Providers ProviderModel `toml:"providers"`
	Demand    DemandModel   `toml:"demand"`
	Price     PriceModel    `toml:"price"`
	Staking   StakingModel  `toml:"staking"`
	// Events happen on given days: governance proposals, shocks. An
	// event after the last day never happens.
	Events []Event `toml:"events"`
}

// PoolSpec is a reward pool as the chain's genesis takes it.
type PoolSpec struct {
	Name      string `toml:"name"`
	Bps       uint32 `toml:"bps"`
	Recipient string `toml:"recipient"`
	Kind      string `toml:"kind"`
}

// GenesisSpec allocates the initial supply, in whole PIN.
type GenesisSpec struct {
	// Holders is the liquid float held by token holders (the market the
	// other agents buy from and sell to).
	Holders uint64 `toml:"holders_pin"`
	// Treasury starts in the treasury account.
	Treasury uint64 `toml:"treasury_pin"`
	// Team is locked at genesis and unlocked linearly to the holders from
	// TeamCliffDays for TeamUnlockDays.
	Team           uint64 `toml:"team_pin"`
	TeamCliffDays  int    `toml:"team_cliff_days"`
	TeamUnlockDays int    `toml:"team_unlock_days"`
	// Validators is the number of genesis validators, each bonding
	// SelfBond PIN with CommissionBps commission.
	Validators    int    `toml:"validators"`
	SelfBond      uint64 `toml:"self_bond_pin"`
	CommissionBps uint32 `toml:"commission_bps"`
}

// ProviderModel is how providers decide to join and leave.
type ProviderModel struct {
	// Initial providers at day 0; never more than Max.
	Initial int `toml:"initial"`
	Max     int `toml:"max"`
	// CapexUSD is the hardware cost of joining; OpexUSDPerDay the running
	// cost of one provider.
	CapexUSD      float64 `toml:"capex_usd"`
	OpexUSDPerDay float64 `toml:"opex_usd_per_day"`
	// CapacityUnits is the service one provider can deliver per day.
	CapacityUnits float64 `toml:"capacity_units"`
	// ServingShare of the providers (of the initial fleet and of organic
	// entries) are where the demand is: they carry it and earn usage
	// rewards and lease payments; the others only provide coverage.
	ServingShare float64 `toml:"serving_share"`
	// Hurdle is the annual return on capex a prospective provider wants.
	Hurdle float64 `toml:"hurdle"`
	// JoinRate is the most the fleet grows in a day, approached as the
	// expected return x above the hurdle grows (JoinRate × x/(1+x));
	// OrganicJoins join every day regardless.
	JoinRate     float64 `toml:"join_rate"`
	OrganicJoins float64 `toml:"organic_joins"`
	// LeaveRate is the share of the fleet that leaves per day per unit
	// of operating loss relative to opex (revenue below running cost).
	LeaveRate float64 `toml:"leave_rate"`
	// SellShare is the share of earned PIN providers sell each day.
	SellShare float64 `toml:"sell_share"`
	// LookbackDays averages revenue for the decisions.
	LookbackDays int `toml:"lookback_days"`
}

// DemandModel is the consumers' demand for the network's service.
type DemandModel struct {
	// Potential demand (units/day) follows a logistic curve from Start
	// (day 0) to Max with daily growth rate Steepness while small.
	Start     float64 `toml:"start_units"`
	Max       float64 `toml:"max_units"`
	Steepness float64 `toml:"steepness"`
	// HalfCapacity is the capacity at which half the potential demand
	// is reachable (coverage: users come where the network is).
	HalfCapacity float64 `toml:"half_capacity_units"`
	// RefPriceUSD is the price per unit at which the potential is
	// demanded; demand scales by (RefPriceUSD / price)^Elasticity.
	RefPriceUSD float64 `toml:"ref_price_usd"`
	Elasticity  float64 `toml:"elasticity"`
	// CreditsPerUnit is what a unit costs in credits (paid by burning).
	CreditsPerUnit uint64 `toml:"credits_per_unit"`
	// LeaseShare of the served demand is bought by lease, paid in PIN
	// through escrow at LeasePriceUSD per unit; the rest with credits.
	LeaseShare    float64 `toml:"lease_share"`
	LeasePriceUSD float64 `toml:"lease_price_usd"`
}

// PriceModel is the token price: a fundamental value from usage plus a
// speculative value, over the circulating supply, smoothed.
type PriceModel struct {
	InitialUSD float64 `toml:"initial_usd"`
	// UsageMultiple values a year of usage payments (credits and leases)
	// in USD.
	UsageMultiple float64 `toml:"usage_multiple"`
	// SpeculativeUSD is the speculative valuation at day 0; it drifts by
	// DriftAnnual and moves with daily log-normal noise Volatility.
	SpeculativeUSD float64 `toml:"speculative_usd"`
	DriftAnnual    float64 `toml:"drift_annual"`
	Volatility     float64 `toml:"volatility"`
	// Smoothing is the weight of the new target in each day's price.
	Smoothing float64 `toml:"smoothing"`
}

// StakingModel is how holders stake.
type StakingModel struct {
	// The staking ratio holders aim for is Base + Sensitivity × (yield −
	// RefYield), within [0, MaxRatio].
	Base        float64 `toml:"base"`
	Sensitivity float64 `toml:"sensitivity"`
	RefYield    float64 `toml:"ref_yield"`
	MaxRatio    float64 `toml:"max_ratio"`
	// EveryDays is how often holders rebalance and withdraw rewards.
	EveryDays int `toml:"every_days"`
}

// Event kinds.
const (
	// EventProposal submits a governance proposal (parameter changes
	// and/or a new pool list) that the validators vote yes on.
	EventProposal = "proposal"
	// EventDemandShock multiplies potential demand by Multiplier for
	// DurationDays (0: for ever).
	EventDemandShock = "demand_shock"
	// EventPriceShock multiplies the price and the speculative value by
	// Multiplier.
	EventPriceShock = "price_shock"
)

// Event is something that happens on Day.
type Event struct {
	Day          int               `toml:"day"`
	Kind         string            `toml:"kind"`
	Title        string            `toml:"title"`
	Params       map[string]uint64 `toml:"params"`
	Pools        []PoolSpec        `toml:"pools"`
	Multiplier   float64           `toml:"multiplier"`
	DurationDays int               `toml:"duration_days"`
}

// LoadScenario reads a scenario file, and the files it extends. Unknown
// keys are an error, so a typo does not silently fall back to a default.
func LoadScenario(path string) (*Scenario, error) {
	return loadScenario(path, os.ReadFile, filepath.Join, filepath.Dir)
}

// LoadScenarioFS reads a scenario from a file system (the embedded
// sims.FS), resolving extends inside it.
func LoadScenarioFS(fsys fs.FS, name string) (*Scenario, error) {
	read := func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }
	return loadScenario(name, read, path.Join, path.Dir)
}

func loadScenario(p string, read func(string) ([]byte, error), join func(...string) string, dir func(string) string) (*Scenario, error) {
	var s Scenario
	if err := loadInto(&s, p, 0, read, join, dir); err != nil {
		return nil, fmt.Errorf("tokensim: scenario %s: %w", p, err)
	}
	s.Extends = ""
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("tokensim: scenario %s: %w", p, err)
	}
	return &s, nil
}

// maxExtends bounds a chain of extended scenarios.
const maxExtends = 8

func loadInto(s *Scenario, p string, depth int, read func(string) ([]byte, error), join func(...string) string, dir func(string) string) error {
	if depth > maxExtends {
		return fmt.Errorf("more than %d scenarios extend one another", maxExtends)
	}
	raw, err := read(p)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	var head struct {
		Extends string `toml:"extends"`
	}
	if _, err := toml.Decode(string(raw), &head); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if head.Extends != "" {
		if err := loadInto(s, join(dir(p), head.Extends), depth+1, read, join, dir); err != nil {
			return fmt.Errorf("extends %s: %w", head.Extends, err)
		}
	}
	return decodeOnto(s, raw)
}

// decodeOnto decodes raw over s: keys present replace, others stay.
func decodeOnto(s *Scenario, raw []byte) error {
	md, err := toml.NewDecoder(bytes.NewReader(raw)).Decode(s)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown keys: %s", strings.Join(keys, ", "))
	}
	return nil
}

// ParseScenario decodes and checks a scenario that extends no file.
func ParseScenario(raw []byte) (*Scenario, error) {
	var s Scenario
	if err := decodeOnto(&s, raw); err != nil {
		return nil, err
	}
	if s.Extends != "" {
		return nil, fmt.Errorf("a scenario read from bytes cannot extend %s", s.Extends)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks what the model needs; the chain checks its own
// parameters and pools at genesis.
func (s *Scenario) Validate() error {
	switch {
	case s.Days <= 0:
		return fmt.Errorf("days must be positive")
	case s.Genesis.Validators <= 0:
		return fmt.Errorf("genesis.validators must be positive")
	case s.Providers.Initial < 0 || s.Providers.Max < s.Providers.Initial:
		return fmt.Errorf("providers.initial must be within 0..providers.max")
	case s.Providers.CapexUSD <= 0 || s.Providers.CapacityUnits <= 0:
		return fmt.Errorf("providers.capex_usd and providers.capacity_units must be positive")
	case s.Providers.ServingShare <= 0 || s.Providers.ServingShare > 1:
		return fmt.Errorf("providers.serving_share must be in (0, 1]")
	case s.Price.InitialUSD <= 0:
		return fmt.Errorf("price.initial_usd must be positive")
	case s.Price.Smoothing <= 0 || s.Price.Smoothing > 1:
		return fmt.Errorf("price.smoothing must be in (0, 1]")
	case s.Demand.CreditsPerUnit == 0:
		return fmt.Errorf("demand.credits_per_unit must be positive")
	case s.Demand.LeaseShare < 0 || s.Demand.LeaseShare > 1:
		return fmt.Errorf("demand.lease_share must be in [0, 1]")
	case s.Demand.RefPriceUSD <= 0:
		return fmt.Errorf("demand.ref_price_usd must be positive")
	case s.Staking.EveryDays <= 0:
		return fmt.Errorf("staking.every_days must be positive")
	case s.Providers.LookbackDays <= 0:
		return fmt.Errorf("providers.lookback_days must be positive")
	}
	for i, e := range s.Events {
		switch e.Kind {
		case EventProposal:
			if len(e.Params) == 0 && len(e.Pools) == 0 {
				return fmt.Errorf("event %d: a proposal changes params or pools", i)
			}
		case EventDemandShock, EventPriceShock:
			if e.Multiplier < 0 {
				return fmt.Errorf("event %d: multiplier must not be negative", i)
			}
		default:
			return fmt.Errorf("event %d: unknown kind %q", i, e.Kind)
		}
		if e.Day < 0 {
			return fmt.Errorf("event %d: day %d is before the run", i, e.Day)
		}
	}
	return nil
}

// Clone returns a deep copy (sweeps change copies).
func (s *Scenario) Clone() *Scenario {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(s); err != nil {
		panic(fmt.Sprintf("tokensim: encode scenario: %v", err))
	}
	var c Scenario
	if err := decodeOnto(&c, b.Bytes()); err != nil {
		panic(fmt.Sprintf("tokensim: re-read scenario: %v", err))
	}
	return &c
}

// Set changes one value of the scenario: a chain parameter by its
// on-chain name ("reward.emission_initial"), or a model field by its TOML
// path ("price.volatility", "providers.hurdle", "days", "seed"). Sweeps
// and --param use it.
func (s *Scenario) Set(name, value string) error {
	if head, field, ok := strings.Cut(name, "."); ok {
		if sec := s.section(head); sec.IsValid() {
			return setField(sec, field, name, value)
		}
		v, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return fmt.Errorf("tokensim: chain parameter %s: %q is not an unsigned integer", name, value)
		}
		if s.Params == nil {
			s.Params = map[string]uint64{}
		}
		s.Params[name] = v
		return nil
	}
	return setField(reflect.ValueOf(s).Elem(), name, name, value)
}

func (s *Scenario) section(name string) reflect.Value {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("toml") == name && t.Field(i).Type.Kind() == reflect.Struct {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func setField(sec reflect.Value, field, full, value string) error {
	t := sec.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("toml") != field {
			continue
		}
		f := sec.Field(i)
		switch f.Kind() {
		case reflect.Float64:
			x, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return fmt.Errorf("tokensim: %s: %q is not a number", full, value)
			}
			f.SetFloat(x)
		case reflect.Int:
			x, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("tokensim: %s: %q is not an integer", full, value)
			}
			f.SetInt(int64(x))
		case reflect.Uint64, reflect.Uint32:
			x, err := strconv.ParseUint(value, 10, 64)
			if err != nil || f.OverflowUint(x) {
				return fmt.Errorf("tokensim: %s: %q is not an unsigned integer in range", full, value)
			}
			f.SetUint(x)
		case reflect.String:
			f.SetString(value)
		default:
			return fmt.Errorf("tokensim: %s cannot be set from the command line", full)
		}
		return nil
	}
	return fmt.Errorf("tokensim: no field %s", full)
}

// sortedParams returns a parameter map's names in order (genesis and
// proposals list them deterministically).
func sortedParams(m map[string]uint64) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
