package tokensim

import (
	"bytes"
	"context"
	"io/fs"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/chain"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/sims"
)

func load(t *testing.T, path string) *Scenario {
	t.Helper()
	s, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, s *Scenario) *Result {
	t.Helper()
	res, err := RunWith(context.Background(), s, Options{CheckEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != s.Days {
		t.Fatalf("got %d rows, want %d", len(res.Rows), s.Days)
	}
	return res
}

func csvOf(t *testing.T, res *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, res); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// small is the short test scenario, shorter still under -short.
func small(t *testing.T) *Scenario {
	s := load(t, "testdata/small.toml")
	if testing.Short() {
		s.Days = 110
	}
	return s
}

func TestSameSeedSameCSV(t *testing.T) {
	s := small(t)
	a, b := csvOf(t, run(t, s)), csvOf(t, run(t, s.Clone()))
	if !bytes.Equal(a, b) {
		t.Fatalf("two runs of the same scenario and seed wrote different CSVs")
	}
	other := s.Clone()
	other.Seed++
	if bytes.Equal(a, csvOf(t, run(t, other))) {
		t.Fatalf("another seed wrote the same CSV: the seed reaches nothing")
	}
}

// TestSupplyConservation checks every day's books from the rows alone:
// the supply moves by exactly minted − burned, everything minted is the
// previous epoch's emission, and the settled epoch's parts add up to it.
func TestSupplyConservation(t *testing.T) {
	res := run(t, small(t))
	rows := res.Rows
	for i, r := range rows {
		if i == 0 {
			continue
		}
		prev := rows[i-1]
		if r.Supply != prev.Supply+r.Minted-r.Burned {
			t.Fatalf("day %d: supply %d, want %d + %d − %d", r.Day, r.Supply, prev.Supply, r.Minted, r.Burned)
		}
		if r.Minted != prev.Emission {
			t.Fatalf("day %d: minted %d, yesterday's epoch emitted %d", r.Day, r.Minted, prev.Emission)
		}
		if r.Burned < r.CreditBurn {
			t.Fatalf("day %d: burned %d, less than the credit burn %d", r.Day, r.Burned, r.CreditBurn)
		}
		if r.Circulating > r.Supply {
			t.Fatalf("day %d: circulating %d above supply %d", r.Day, r.Circulating, r.Supply)
		}
	}
}

// TestEmissionParity checks the simulation's emission against the chain's
// reward engine over the same epochs: the scheduled part of every epoch is
// reward.EpochEmission of the schedule in force, the re-mint is the credit
// rule's, and the engine's pool split of each epoch adds up to it.
func TestEmissionParity(t *testing.T) {
	s := small(t)
	res := run(t, s)
	sched := reward.Schedule{Initial: s.Params[reward.EmissionInitial.Name], HalvingEpochs: s.Params[reward.HalvingEpochs.Name]}
	var proposalDay int
	for _, e := range s.Events {
		if e.Kind == EventProposal {
			proposalDay = e.Day
		}
	}
	halved := reward.Schedule{Initial: sched.Initial / 2, HalvingEpochs: sched.HalvingEpochs}
	changed := false
	remintBps, remintCap := s.Params[credit.RemintBps.Name], s.Params[credit.RemintCap.Name]
	for _, r := range res.Rows {
		want := reward.EpochEmission(sched, uint64(r.Day))
		if r.Day > proposalDay && r.Scheduled == reward.EpochEmission(halved, uint64(r.Day)) && r.Scheduled != want {
			changed = true // the proposal passed and executed: the schedule in force changed
			sched = halved
			want = r.Scheduled
		}
		if r.Scheduled != want {
			t.Fatalf("day %d: scheduled emission %d, the engine's schedule gives %d", r.Day, r.Scheduled, want)
		}
		remint := min(r.CreditBurn*remintBps/10_000, remintCap)
		if r.Reminted != remint {
			t.Fatalf("day %d: re-minted %d of a burn of %d, want %d", r.Day, r.Reminted, r.CreditBurn, remint)
		}
	}
	if !changed {
		t.Fatalf("the halving proposal of day %d never changed the emission", proposalDay)
	}
	if len(res.Proposals) != 1 || res.Proposals[0].Status != "STATUS_PASSED" {
		t.Fatalf("proposals: %+v, want one passed", res.Proposals)
	}
	// The engine's pools for one epoch: what the validators pool
	// received is the engine's split of the emission.
	pools := PoolsOf(s)
	for _, r := range res.Rows[1:] {
		prev := res.Rows[r.Day-1]
		out, err := reward.Compute(reward.Input{Epoch: uint64(prev.Day), ScorerVersion: 1, Emission: prev.Emission, Pools: pools})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.Pools {
			if p.Recipient == reward.RecipientValidators && p.Amount != r.ValidatorsPool {
				t.Fatalf("day %d: validators pool %d, the engine splits %d", r.Day, r.ValidatorsPool, p.Amount)
			}
		}
	}
}

// PoolsOf is a scenario's pool list as the reward engine takes it.
func PoolsOf(s *Scenario) []reward.Pool {
	var out []reward.Pool
	for _, p := range s.Pools {
		rc, _ := reward.ParseRecipient(p.Recipient)
		out = append(out, reward.Pool{Name: p.Name, Bps: p.Bps, Recipient: rc, Kind: p.Kind})
	}
	return out
}

// TestChainRulesDriveTheSimulation changes rules in the chain's parameters
// and checks that the simulation follows the chain's engine: the take rate
// of the market, the emission of the reward module. It also checks that
// the simulated app runs exactly the chain's module list.
func TestChainRulesDriveTheSimulation(t *testing.T) {
	base := small(t)
	base.Days = 40
	var names []string
	for _, m := range chain.Modules() {
		names = append(names, m.Name)
	}
	a := newActors(1)
	n, err := newNode(base, &a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range n.app.Modules() {
		got = append(got, m.Name)
	}
	if !slices.Equal(got, names) {
		t.Fatalf("simulated modules %v, the chain's are %v", got, names)
	}

	for _, bps := range []uint64{0, 200, 2500} {
		s := base.Clone()
		s.Params[market.TakeRateBps.Name] = bps
		res := run(t, s)
		var paid, take uint64
		for _, r := range res.Rows {
			paid += r.LeasePaid
			take += r.LeaseTake
		}
		if paid == 0 {
			t.Fatalf("take %d bps: no lease paid anything", bps)
		}
		// Each settlement takes bps of its amount rounded down.
		share := float64(take) / float64(paid+take)
		if math.Abs(share-float64(bps)/10_000) > 0.001 {
			t.Fatalf("take rate %d bps: the treasury took %.5f of lease payments", bps, share)
		}
	}
	s := base.Clone()
	s.Params[reward.EmissionInitial.Name] /= 4
	quarter := reward.Schedule{Initial: s.Params[reward.EmissionInitial.Name], HalvingEpochs: s.Params[reward.HalvingEpochs.Name]}
	res, ref := run(t, s), run(t, base.Clone())
	for i := range res.Rows {
		if got, want := res.Rows[i].Scheduled, reward.EpochEmission(quarter, uint64(i)); got != want || got == ref.Rows[i].Scheduled {
			t.Fatalf("day %d: a quarter of the emission gave %d, want %d (the reference gave %d)", i, got, want, ref.Rows[i].Scheduled)
		}
	}
}

// TestBurnAndMintEquilibrium runs constant USD demand D, a constant
// emission E all paid to devices and sold, re-mint share r and a price
// from usage alone, P = M × 365 × D / C, so the daily burn is D / P =
// C / (365 M). The circulating supply must converge to the fixed point of
// C' = C + E + r·B − B, C* = 365 M E / (1 − r) (docs/tokenomics.md), and
// the net emission to zero.
func TestBurnAndMintEquilibrium(t *testing.T) {
	s := load(t, "testdata/equilibrium.toml")
	if testing.Short() {
		s.Days = 450
	}
	res := run(t, s)
	e := float64(s.Params[reward.EmissionInitial.Name]) / upinPerPIN
	r := float64(s.Params[credit.RemintBps.Name]) / 10_000
	m := s.Price.UsageMultiple
	want := 365 * m * e / (1 - r)
	last := res.Rows[len(res.Rows)-1]
	got := float64(last.Circulating) / upinPerPIN
	if math.Abs(got-want)/want > 0.02 {
		t.Fatalf("circulating supply %.0f PIN after %d days, the equilibrium is %.0f", got, s.Days, want)
	}
	start := float64(res.Rows[0].Circulating) / upinPerPIN
	if math.Abs(start-want)/want < 0.5 {
		t.Fatalf("the run starts at %.0f PIN, too close to the equilibrium %.0f to test convergence", start, want)
	}
	if net := math.Abs(float64(last.NetEmission())) / float64(last.Minted); net > 0.02 {
		t.Fatalf("net emission %d is %.3f of the mint at the end", last.NetEmission(), net)
	}
}

func TestScenarioSet(t *testing.T) {
	s := load(t, "testdata/small.toml")
	for _, c := range []struct{ name, value string }{
		{"reward.emission_initial", "5"}, {"price.volatility", "0.5"}, {"providers.initial", "7"},
		{"days", "9"}, {"demand.credits_per_unit", "3"},
	} {
		if err := s.Set(c.name, c.value); err != nil {
			t.Fatalf("set %s: %v", c.name, err)
		}
	}
	if s.Params["reward.emission_initial"] != 5 || s.Price.Volatility != 0.5 || s.Providers.Initial != 7 || s.Days != 9 || s.Demand.CreditsPerUnit != 3 {
		t.Fatalf("set did not land: %+v", s)
	}
	for _, bad := range []struct{ name, value string }{
		{"price.nonsense", "1"}, {"reward.emission_initial", "-1"}, {"providers.initial", "x"}, {"pools", "1"},
	} {
		if err := s.Set(bad.name, bad.value); err == nil {
			t.Fatalf("set %s=%s: no error", bad.name, bad.value)
		}
	}
	if _, err := ParseScenario([]byte("days = 3\nnonsense = 1\n")); err == nil {
		t.Fatalf("an unknown key was accepted")
	}
}

// TestEmbeddedScenarios loads every scenario from the embedded sims.FS
// and checks it equals the file on disk.
func TestEmbeddedScenarios(t *testing.T) {
	names, err := fs.Glob(sims.FS, "*.toml")
	if err != nil || len(names) < 5 {
		t.Fatalf("embedded scenarios %v: %v", names, err)
	}
	for _, n := range names {
		a, err := LoadScenarioFS(sims.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		b := load(t, "../../sims/"+n)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: the embedded scenario differs from the file", n)
		}
	}
}
