package explorer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/tokensim"
	"github.com/depin-network/depin/sims"
)

// TestProposalSimulation points the explorer at a simulated network with
// a proposal in its voting period and checks that its simulation page
// runs the network with and without the proposal.
func TestProposalSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the tokenomics simulator for two simulated years")
	}
	s, err := tokensim.LoadScenarioFS(sims.FS, "halving.toml")
	if err != nil {
		t.Fatal(err)
	}
	s.Days = 30
	s.Events[0].Day = 29 // still voting when the run ends
	net, err := tokensim.Run(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := explorer.New(explorer.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.UseState(net.Querier())
	h := srv.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	rec := get("/api/governance/proposals/1/simulation")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var p explorer.SimulationPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Error != "" || len(p.Summaries) != 2 || len(p.Figures) == 0 || p.Proposal.ID != 1 {
		t.Fatalf("simulation page: error %q, %d summaries, %d figures, proposal %d", p.Error, len(p.Summaries), len(p.Figures), p.Proposal.ID)
	}
	if a, b := p.Summaries[0], p.Summaries[1]; b.MintedPIN >= a.MintedPIN {
		t.Fatalf("halving the emission minted %.0f PIN, without it %.0f", b.MintedPIN, a.MintedPIN)
	}
	if html := get("/governance/proposals/1/simulation"); html.Code != http.StatusOK || !strings.Contains(html.Body.String(), "data:image/svg") {
		t.Fatalf("html page: status %d: %.3000s", html.Code, html.Body)
	}
	if c := get("/api/governance/proposals/9/simulation").Code; c != http.StatusNotFound {
		t.Fatalf("an unknown proposal: status %d, want 404", c)
	}
	if c := get("/api/governance/proposals/x/simulation").Code; c != http.StatusBadRequest {
		t.Fatalf("a malformed id: status %d, want 400", c)
	}
}
