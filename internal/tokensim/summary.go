package tokensim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// Summary is a run's outcome in a few numbers, for sweeps and comparisons.
type Summary struct {
	Name string
	// End of the run.
	SupplyPIN, CirculatingPIN, TreasuryPIN float64
	PriceUSD                               float64
	Providers, ServingProviders            int
	StakingRatio                           float64
	// Over the run.
	MintedPIN, BurnedPIN float64
	// Over the last 365 days (or the whole run if shorter).
	BurnMintRatio   float64 // burned / minted: 1 is burn-and-mint equilibrium
	ServedShare     float64 // served / demanded
	MeanROI         float64
	BreakEvenMonths float64 // at the end, capped
}

// Summarize computes a run's summary.
func Summarize(res *Result) Summary {
	rows := res.Rows
	s := Summary{Name: res.Scenario.Name}
	if len(rows) == 0 {
		return s
	}
	last := rows[len(rows)-1]
	s.SupplyPIN, s.CirculatingPIN, s.TreasuryPIN = pin(last.Supply), pin(last.Circulating), pin(last.Treasury)
	s.PriceUSD, s.Providers, s.StakingRatio, s.BreakEvenMonths = last.PriceUSD, last.Providers, last.StakingRatio, last.BreakEven
	s.ServingProviders = last.ServingProviders
	var minted, burned uint64
	for _, r := range rows {
		minted += r.Minted
		burned += r.Burned
	}
	s.MintedPIN, s.BurnedPIN = pin(minted), pin(burned)
	tail := rows[max(0, len(rows)-365):]
	var tm, tb uint64
	var demand, served, roi float64
	for _, r := range tail {
		tm += r.Minted
		tb += r.Burned
		demand += r.Demand
		served += r.Served
		roi += r.ROI
	}
	if tm > 0 {
		s.BurnMintRatio = float64(tb) / float64(tm)
	}
	if demand > 0 {
		s.ServedShare = served / demand
	}
	s.MeanROI = roi / float64(len(tail))
	return s
}

// summaryHeader and row are the table's columns.
var summaryHeader = []string{"run", "supply_M", "circ_M", "price_usd", "providers", "serving", "minted_M", "burned_M",
	"burn/mint_1y", "served_1y", "roi_1y", "breakeven_mo", "treasury_M", "staked"}

func (s Summary) cells() []string {
	return []string{s.Name, f2(s.SupplyPIN / 1e6), f2(s.CirculatingPIN / 1e6), f4(s.PriceUSD), fmt.Sprint(s.Providers), fmt.Sprint(s.ServingProviders),
		f2(s.MintedPIN / 1e6), f2(s.BurnedPIN / 1e6), f4(s.BurnMintRatio), f4(s.ServedShare), f4(s.MeanROI),
		f2(s.BreakEvenMonths), f2(s.TreasuryPIN / 1e6), f4(s.StakingRatio)}
}

func f2(v float64) string { return fmt.Sprintf("%.2f", v) }
func f4(v float64) string { return fmt.Sprintf("%.4f", v) }

// WriteTable writes summaries as an aligned table.
func WriteTable(w io.Writer, sums []Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(summaryHeader, "\t")+"\t")
	for _, s := range sums {
		fmt.Fprintln(tw, strings.Join(s.cells(), "\t")+"\t")
	}
	return tw.Flush()
}

// WriteRun writes a run's CSV (<dir>/<name>.csv), its plots and its
// summary table (<dir>/summary.txt) and returns the files written.
func WriteRun(dir string, res *Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tokensim: output: %w", err)
	}
	csvName := res.Scenario.Name + ".csv"
	if res.Scenario.Name == "" {
		csvName = "run.csv"
	}
	f, err := os.Create(filepath.Join(dir, csvName))
	if err != nil {
		return nil, fmt.Errorf("tokensim: output: %w", err)
	}
	if err := WriteCSV(f, res); err != nil {
		f.Close()
		return nil, fmt.Errorf("tokensim: write csv: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("tokensim: write csv: %w", err)
	}
	plots, err := WritePlots(dir, res)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := WriteTable(&b, []Summary{Summarize(res)}); err != nil {
		return nil, err
	}
	for _, p := range res.Proposals {
		fmt.Fprintf(&b, "proposal %d on day %d, %q: %s\n", p.ID, p.Day, p.Title, p.Status)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.txt"), []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("tokensim: output: %w", err)
	}
	return append([]string{csvName, "summary.txt"}, plots...), nil
}
