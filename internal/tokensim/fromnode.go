package tokensim

import (
	"context"
	"encoding/hex"
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
	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/stake"
	paramsv1 "github.com/depin-network/depin/proto/depin/params/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
)

// NodeOptions says how a live node's epochs map to simulated days.
type NodeOptions struct {
	// EpochsPerDay is the node's reward epochs per day; 0 measures it from
	// the start times of the node's last two ended epochs or, given
	// BlockTime (or before two epochs ended), derives it from epoch.blocks.
	EpochsPerDay float64
	// BlockTime is the node's block interval; 0 is the devnet's 200 ms
	// where the epochs' times cannot tell.
	BlockTime time.Duration
	// Client fetches; nil is a client with a 30 s timeout.
	Client *http.Client
	// Proposal, if not 0, is a proposal on the node whose parameter and
	// pool changes become a proposal event on day 0 of the run.
	Proposal uint64
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
	return FromQuerier(ctx, s, c, o)
}

// Querier answers a node's queries (internal/query paths such as
// "/params") by decoding their JSON into out: the JSON API (FromNode) or
// a client.Client over the node's RPC (the explorer).
type Querier interface {
	Query(ctx context.Context, path string, out any) error
}

// FromQuerier is FromNode over any Querier.
func FromQuerier(ctx context.Context, s *Scenario, q Querier, o NodeOptions) error {
	c := querier{q}
	var ps query.Params
	if err := c.getJSON(ctx, "/params", &ps); err != nil {
		return err
	}
	live := map[string]query.Param{}
	for _, p := range ps.Params {
		live[p.Name] = p
	}
	var cur rewardv1.Epoch
	if err := c.getProto(ctx, "/rewards/epochs/current", &cur); err != nil {
		return err
	}
	epd := o.EpochsPerDay
	if epd <= 0 && o.BlockTime <= 0 && cur.Number >= 2 {
		// The chain's own clock: the start times of the last two ended
		// epochs (an epoch records its times when it ends).
		var a, b rewardv1.Epoch
		if err := c.getProto(ctx, fmt.Sprintf("/rewards/epochs/%d", cur.Number-2), &a); err != nil {
			return err
		}
		if err := c.getProto(ctx, fmt.Sprintf("/rewards/epochs/%d", cur.Number-1), &b); err != nil {
			return err
		}
		if d := b.StartTime - a.StartTime; a.StartTime > 0 && d > 0 {
			epd = float64(24*time.Hour) / float64(d)
		}
	}
	if epd <= 0 {
		bt := o.BlockTime
		if bt <= 0 {
			bt = 200 * time.Millisecond
		}
		blocks := live[epoch.Blocks.Name].Value
		if blocks == 0 {
			return fmt.Errorf("tokensim: the node has no %s parameter", epoch.Blocks.Name)
		}
		epd = float64(24*time.Hour) / (float64(blocks) * float64(bt))
	}
	scale := func(v uint64) uint64 {
		x := math.Floor(float64(v) * epd)
		if x >= math.MaxUint64/2 {
			return math.MaxUint64 / 2
		}
		return uint64(x)
	}
	// toDay maps one of the node's parameter values to the simulation's
	// day; ok is false for a parameter the simulation keeps its own of.
	toDay := func(name string, v, halving uint64) (uint64, bool) {
		switch {
		case name == epoch.Blocks.Name || live[name].Unit == "blocks":
			return 0, false
		case name == reward.EmissionInitial.Name:
			return scale(reward.EpochEmission(reward.Schedule{Initial: v, HalvingEpochs: halving}, cur.Number)), true
		case name == reward.HalvingEpochs.Name:
			if v == 0 {
				return 0, true
			}
			return max(1, uint64(math.Round(float64(v)/epd))), true
		case name == credit.RemintCap.Name:
			return min(scale(v), credit.RemintCap.Max), true
		}
		return v, true
	}
	s.Params = map[string]uint64{}
	for _, p := range ps.Params {
		if v, ok := toDay(p.Name, p.Value, live[reward.HalvingEpochs.Name].Value); ok {
			s.Params[p.Name] = v
		}
	}
	if o.Proposal > 0 {
		e, err := c.proposal(ctx, o.Proposal)
		if err != nil {
			return err
		}
		halving := live[reward.HalvingEpochs.Name].Value
		if h, ok := e.Params[reward.HalvingEpochs.Name]; ok {
			halving = h
		}
		for name, v := range e.Params {
			if _, known := live[name]; !known {
				return fmt.Errorf("tokensim: proposal %d changes %s, which the node does not have", o.Proposal, name)
			}
			if d, ok := toDay(name, v, halving); ok {
				e.Params[name] = d
			} else {
				delete(e.Params, name)
			}
		}
		if len(e.Params) == 0 {
			e.Params = nil
		}
		if e.Params == nil && e.Pools == nil {
			return fmt.Errorf("tokensim: proposal %d changes nothing the simulation models", o.Proposal)
		}
		s.Events = append(s.Events, e)
	}
	var pools rewardv1.PoolList
	if err := c.getProto(ctx, "/rewards/pools", &pools); err != nil {
		return err
	}
	s.Pools = s.Pools[:0]
	for _, p := range reward.PoolsFromProto(pools.Pools) {
		s.Pools = append(s.Pools, PoolSpec{Name: p.Name, Bps: p.Bps, Recipient: p.Recipient.String(), Kind: p.Kind})
	}
	var sup struct {
		Total uint64 `json:"total,string"`
	}
	if err := c.getJSON(ctx, "/supply", &sup); err != nil {
		return err
	}
	var treasury query.Account
	if err := c.getJSON(ctx, "/accounts/"+reward.Treasury.String(), &treasury); err != nil {
		return err
	}
	var vals stake.ValidatorsView
	if err := c.getJSON(ctx, "/stake/validators", &vals); err != nil {
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

// Query implements Querier over the JSON API (/v1 + path).
func (c nodeClient) Query(ctx context.Context, path string, out any) error {
	b, err := c.get(ctx, "/v1"+path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("tokensim: from node: decode %s: %w", path, err)
	}
	return nil
}

// querier reads plain and protobuf JSON answers through a Querier.
type querier struct{ q Querier }

func (c querier) getJSON(ctx context.Context, path string, v any) error {
	if err := c.q.Query(ctx, path, v); err != nil {
		return fmt.Errorf("tokensim: from node: %s: %w", path, err)
	}
	return nil
}

func (c querier) getProto(ctx context.Context, path string, m proto.Message) error {
	var raw json.RawMessage
	if err := c.getJSON(ctx, path, &raw); err != nil {
		return err
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, m); err != nil {
		return fmt.Errorf("tokensim: from node: decode %s: %w", path, err)
	}
	return nil
}

// proposal reads a governance proposal's actions as a scenario event:
// params/set changes and a reward/set-pools list. Any other action (a
// treasury spend, an oracle change) is refused: the simulation would not
// show its effect.
func (c querier) proposal(ctx context.Context, id uint64) (Event, error) {
	var p gov.ProposalView
	if err := c.getJSON(ctx, fmt.Sprintf("/gov/proposals/%d", id), &p); err != nil {
		return Event{}, err
	}
	e := Event{Day: 0, Kind: EventProposal, Title: p.Title, Params: map[string]uint64{}}
	for i, a := range p.Actions {
		raw, err := hex.DecodeString(a.Value)
		if err != nil {
			return Event{}, fmt.Errorf("tokensim: proposal %d action %d: %w", id, i, err)
		}
		switch a.Type {
		case params.TypeSet:
			var m paramsv1.MsgSetParams
			if err := proto.Unmarshal(raw, &m); err != nil {
				return Event{}, fmt.Errorf("tokensim: proposal %d action %d: %w", id, i, err)
			}
			for _, ch := range m.Changes {
				e.Params[ch.Name] = ch.Value
			}
		case reward.TypeSetPools:
			var m rewardv1.MsgSetPools
			if err := proto.Unmarshal(raw, &m); err != nil {
				return Event{}, fmt.Errorf("tokensim: proposal %d action %d: %w", id, i, err)
			}
			e.Pools = nil
			for _, pl := range reward.PoolsFromProto(m.Pools) {
				e.Pools = append(e.Pools, PoolSpec{Name: pl.Name, Bps: pl.Bps, Recipient: pl.Recipient.String(), Kind: pl.Kind})
			}
		default:
			return Event{}, fmt.Errorf("tokensim: proposal %d action %d is %s, which the simulation cannot evaluate", id, i, a.Type)
		}
	}
	return e, nil
}
