package explorer

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/stake"
)

// StateSource answers the node's queries (internal/query paths such as
// "/market/leases?limit=50"): a client.Client over the node's RPC. The
// market, governance and validators pages render the modules' state from
// it; the indexer keeps their events.
type StateSource interface {
	Query(ctx context.Context, path string, out any) error
}

// UseState lets the module pages read the modules' state from src.
// Without it they show the modules' events only.
func (s *Server) UseState(src StateSource) { s.state = src }

// moduleLimit bounds the rows of each module list.
const moduleLimit = 50

// stateQuery reads one query into out. A node that cannot answer is not
// an error of the page: the page says so and shows the events it has.
func (s *Server) stateQuery(ctx context.Context, path string, out any) string {
	if s.state == nil {
		return "the explorer has no node to read the module's state from; its events are below"
	}
	if err := s.state.Query(ctx, path, out); err != nil {
		s.logQuery(ctx, path, err)
		return "the node did not answer " + path + "; the module's events are below"
	}
	return ""
}

// MarketPage is the market's state: providers, orders and leases with
// their escrow, newest first, and its recent events.
type MarketPage struct {
	Providers  []market.ProviderView `json:"providers"`
	Orders     []market.OrderView    `json:"orders"`
	Leases     []market.LeaseView    `json:"leases"`
	StateError string                `json:"state_error,omitempty"`
	Events     []indexer.EventRow    `json:"events"`
}

func (s *Server) market(r *http.Request) (any, error) {
	ctx := r.Context()
	p := MarketPage{Providers: []market.ProviderView{}, Orders: []market.OrderView{}, Leases: []market.LeaseView{}}
	var provs market.ProvidersPage
	var orders market.OrdersPage
	var leases market.LeasesPage
	if p.StateError = s.stateQueries(ctx, stateRead{"/market/providers?limit=200", &provs}, stateRead{"/market/orders?limit=200", &orders},
		stateRead{"/market/leases?limit=200", &leases}); p.StateError == "" {
		p.Providers = newest(provs.Providers, moduleLimit)
		p.Orders = newest(orders.Orders, moduleLimit)
		p.Leases = newest(leases.Leases, moduleLimit)
	}
	var err error
	p.Events, err = s.db.EventsOfModule(ctx, "market", 0, 20)
	return p, err
}

// newest returns at most n items of a list in id order, newest first.
func newest[T any](list []T, n int) []T {
	list = slices.Clone(list)
	slices.Reverse(list)
	if len(list) > n {
		list = list[:n]
	}
	return list
}

// Proposal is a governance proposal with its running or final tally.
type Proposal struct {
	gov.ProposalView
	Tally *gov.TallyNow `json:"tally,omitempty"`
}

// GovernancePage is governance's state: proposals, newest first, with
// their tallies, and its recent events.
type GovernancePage struct {
	Proposals  []Proposal         `json:"proposals"`
	StateError string             `json:"state_error,omitempty"`
	Events     []indexer.EventRow `json:"events"`
}

func (s *Server) governance(r *http.Request) (any, error) {
	ctx := r.Context()
	p := GovernancePage{Proposals: []Proposal{}}
	var props gov.ProposalsView
	if p.StateError = s.stateQuery(ctx, "/gov/proposals?limit=1000", &props); p.StateError == "" {
		shown := newest(props.Proposals, moduleLimit)
		tallies := make([]gov.TallyNow, len(shown))
		reads := make([]stateRead, len(shown))
		for i, v := range shown {
			reads[i] = stateRead{"/gov/proposals/" + strconv.FormatUint(v.ID, 10) + "/tally", &tallies[i]}
		}
		if p.StateError = s.stateQueries(ctx, reads...); p.StateError == "" {
			for i, v := range shown {
				p.Proposals = append(p.Proposals, Proposal{ProposalView: v, Tally: &tallies[i]})
			}
		}
	}
	var err error
	p.Events, err = s.db.EventsOfModule(ctx, "gov", 0, 20)
	return p, err
}

// ValidatorsPage is the validator set from staking's state (power,
// commission, jailed), who proposed the recent blocks, and staking events.
type ValidatorsPage struct {
	Validators  []stake.ValidatorView `json:"validators"`
	BondedPower uint64                `json:"bonded_power,string"`
	StateError  string                `json:"state_error,omitempty"`
	Window      int64                 `json:"window,string"`
	Proposers   []indexer.ProposerRow `json:"proposers"`
	Events      []indexer.EventRow    `json:"staking_events"`
}

func (s *Server) validators(r *http.Request) (any, error) {
	ctx := r.Context()
	p := ValidatorsPage{Window: 1000, Validators: []stake.ValidatorView{}}
	var vals stake.ValidatorsView
	if p.StateError = s.stateQuery(ctx, "/stake/validators", &vals); p.StateError == "" {
		p.Validators, p.BondedPower = vals.Validators, vals.BondedPower
	}
	var err error
	if p.Proposers, err = s.db.Proposers(ctx, p.Window); err != nil {
		return nil, err
	}
	if p.Events, err = s.db.EventsOfModule(ctx, "stake", 0, 20); err != nil {
		return nil, err
	}
	return p, nil
}
