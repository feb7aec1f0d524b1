package explorer

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/depin-network/depin/internal/gov"
	"github.com/depin-network/depin/internal/tokensim"
	"github.com/depin-network/depin/sims"
)

// The latest simulation of a proposal (docs/tokenomics.md §6): the
// tokenomics simulator runs the node's parameters, pools, supply and
// validators for a year of sims/bootstrap.toml's model, with and without
// the proposal's parameter and pool changes, and the page shows the two
// runs' outcomes and plots. A simulation is kept per proposal until the
// proposal's status changes.

const (
	// simScenario is the model the explorer simulates with.
	simScenario = "bootstrap.toml"
	// simDays is how far it looks.
	simDays = 365
)

// simFigures are the plots the page shows.
var simFigures = []string{"supply.svg", "emission.svg", "price.svg", "providers.svg"}

type simulations struct {
	mu     sync.Mutex // one simulation at a time: each takes seconds of CPU
	latest map[uint64]*SimulationPage
}

// SimulationPage is a proposal's latest simulation.
type SimulationPage struct {
	Proposal  gov.ProposalView   `json:"proposal"`
	Scenario  string             `json:"scenario"`
	Days      int                `json:"days"`
	Summaries []tokensim.Summary `json:"summaries,omitempty"`
	Figures   []SimFigure        `json:"figures,omitempty"`
	Error     string             `json:"error,omitempty"`
}

// SimFigure is one plot as an SVG data URL.
type SimFigure struct {
	Name string       `json:"name"`
	SVG  template.URL `json:"svg"`
}

func (s *Server) simulation(r *http.Request) (any, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, badRequestf("proposal %q is not a number", r.PathValue("id"))
	}
	ctx := r.Context()
	p := &SimulationPage{Scenario: "sims/" + simScenario, Days: simDays}
	if s.state == nil {
		p.Error = "the explorer has no node to read the chain's parameters and state from"
		return p, nil
	}
	if err := s.state.Query(ctx, "/gov/proposals/"+strconv.FormatUint(id, 10), &p.Proposal); err != nil {
		return nil, notFoundf("no proposal %d on the node", id)
	}
	s.sims.mu.Lock()
	defer s.sims.mu.Unlock()
	if prev, ok := s.sims.latest[id]; ok && prev.Proposal.Status == p.Proposal.Status {
		return prev, nil
	}
	var runs []*tokensim.Result
	for _, with := range []uint64{0, id} {
		sc, err := tokensim.LoadScenarioFS(sims.FS, simScenario)
		if err != nil {
			return nil, err
		}
		if err := tokensim.FromQuerier(ctx, sc, s.state, tokensim.NodeOptions{Proposal: with}); err != nil {
			p.Error = err.Error()
			return p, nil
		}
		sc.Days, sc.Name = simDays, "without"
		if with > 0 {
			sc.Name = "with proposal " + strconv.FormatUint(id, 10)
		}
		res, err := tokensim.Run(ctx, sc, nil)
		if err != nil {
			p.Error = err.Error()
			return p, nil
		}
		runs = append(runs, res)
		p.Summaries = append(p.Summaries, tokensim.Summarize(res))
	}
	for _, f := range simFigures {
		svg, err := tokensim.RenderFigure(f, runs...)
		if err != nil {
			return nil, err
		}
		p.Figures = append(p.Figures, SimFigure{Name: f, SVG: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))})
	}
	if s.sims.latest == nil {
		s.sims.latest = map[uint64]*SimulationPage{}
	}
	s.sims.latest[id] = p
	return p, nil
}
