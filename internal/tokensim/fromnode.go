package tokensim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/bank"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/epoch"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/stake"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// NodeOptions says how a live node's epochs map to simulated days.
type NodeOptions struct {
	// EpochsPerDay is the node's reward epochs per day; 0 derives it from
	// its epoch.blocks and BlockTime.
	EpochsPerDay float64
	// BlockTime is the node's block interval; 0 is the devnet's 200 ms.
	BlockTime time.Duration
	// Client fetches; nil is a client with a 30 s timeout.
	Client *http.Client
}

// FromNode replaces the chain part of a scenario with a running node's:
// its parameters, reward pools, supply, treasury and validators, read from
// its JSON API at base (http://host:port). A simulated day is one epoch,
// so what the node counts per epoch is scaled to a day: the emission
// (the current epoch's, by the chain's own schedule function), the
// halving interval and the re-mint cap; parameters counted in blocks keep
// the scenario's values, because the simulation's blocks are not the
// node's. The model (providers, demand, price, staking) stays the
// scenario's. Locked allocations are not visible on chain: the liquid
// supply becomes the holders', the team allocation is dropped.
func FromNode(ctx context.Context, s *Scenario, base string, o NodeOptions) error {
	c := nodeClient{base: strings.TrimRight(base, "/"), http: o.Client}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	var ps query.Params
	if err := c.getJSON(ctx, "/v1/params", &ps); err != nil {
		return err
	}
	live := map[string]query.Param{}
	for _, p := range ps.Params {
		live[p.Name] = p
	}
	epd := o.EpochsPerDay
	if epd <= 0 {
		bt := o.BlockTime
		if bt <= 0 {
			bt = 200 * time.Millisecond
		}
		blocks := live[epoch.Blocks.Name].Value
		if blocks == 0 {
			return fmt.Errorf("tokensim: node %s has no %s parameter", base, epoch.Blocks.Name)
		}
		epd = float64(24*time.Hour) / (float64(blocks) * float64(bt))
	}
	var cur rewardv1.Epoch
	if err := c.getProto(ctx, "/v1/rewards/epochs/current", &cur); err != nil {
		return err
	}
	scale := func(v uint64) uint64 {
		x := math.Floor(float64(v) * epd)
		if x >= math.MaxUint64/2 {
			return math.MaxUint64 / 2
		}
		return uint64(x)
	}
	s.Params = map[string]uint64{}
	for _, p := range ps.Params {
		switch {
		case p.Name == epoch.Blocks.Name || p.Unit == "blocks":
			continue
		case p.Name == reward.EmissionInitial.Name:
			sched := reward.Schedule{Initial: p.Value, HalvingEpochs: live[reward.HalvingEpochs.Name].Value}
			s.Params[p.Name] = scale(reward.EpochEmission(sched, cur.Number))
		case p.Name == reward.HalvingEpochs.Name:
			if p.Value > 0 {
				s.Params[p.Name] = max(1, uint64(math.Round(float64(p.Value)/epd)))
			} else {
				s.Params[p.Name] = 0
			}
		case p.Name == credit.RemintCap.Name:
			s.Params[p.Name] = min(scale(p.Value), credit.RemintCap.Max)
		default:
			s.Params[p.Name] = p.Value
		}
	}
	var pools rewardv1.PoolList
	if err := c.getProto(ctx, "/v1/rewards/pools", &pools); err != nil {
		return err
	}
	s.Pools = s.Pools[:0]
	for _, p := range reward.PoolsFromProto(pools.Pools) {
		s.Pools = append(s.Pools, PoolSpec{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient.String(), Kind: p.Kind})
	}
	var sup struct {
		Total uint64 `json:"total,string"`
	}
	if err := c.getJSON(ctx, "/v1/supply", &sup); err != nil {
		return err
	}
	var treasury query.Account
	if err := c.getJSON(ctx, "/v1/accounts/"+reward.Treasury.String(), &treasury); err != nil {
		return err
	}
	var vals stake.ValidatorsView
	if err := c.getJSON(ctx, "/v1/stake/validators", &vals); err != nil {
		return err
	}
	var bonded, commission uint64
	n := 0
	for _, v := range vals.Validators {
		if v.Status != "bonded" {
			continue
		}
		bonded += v.Tokens
		commission += uint64(v.CommissionBps)
		n++
	}
	if n > 0 {
		s.Genesis.Validators = n
		s.Genesis.SelfBond = bonded / uint64(n) / upinPerPIN
		s.Genesis.CommissionBps = uint32(commission / uint64(n))
	}
	if s.Genesis.SelfBond*upinPerPIN < s.Params[stake.MinSelfBond.Name] {
		s.Genesis.SelfBond = (s.Params[stake.MinSelfBond.Name] + upinPerPIN - 1) / upinPerPIN
	}
	locked := treasury.Balance + s.Genesis.SelfBond*upinPerPIN*uint64(s.Genesis.Validators)
	s.Genesis.Treasury = treasury.Balance / upinPerPIN
	s.Genesis.Holders = 0
	if sup.Total > locked {
		s.Genesis.Holders = (sup.Total - locked) / upinPerPIN
	}
	s.Genesis.Team, s.Genesis.TeamCliffDays, s.Genesis.TeamUnlockDays = 0, 0, 0
	if _, ok := s.Params[bank.MinFee.Name]; !ok {
		s.Params[bank.MinFee.Name] = bank.MinFee.Default
	}
	if s.Name != "" {
		s.Name += "@node"
	}
	return s.Validate()
}

type nodeClient struct {
	base string
	http *http.Client
}

func (c nodeClient) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, fmt.Errorf("tokensim: from node: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tokensim: from node: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("tokensim: from node: read %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tokensim: from node: GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

func (c nodeClient) getJSON(ctx context.Context, path string, v any) error {
	b, err := c.get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("tokensim: from node: decode %s: %w", path, err)
	}
	return nil
}

func (c nodeClient) getProto(ctx context.Context, path string, m proto.Message) error {
	b, err := c.get(ctx, path)
	if err != nil {
		return err
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, m); err != nil {
		return fmt.Errorf("tokensim: from node: decode %s: %w", path, err)
	}
	return nil
}
