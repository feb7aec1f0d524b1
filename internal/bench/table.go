package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Row is one line of a benchmark's report: a figure, its baseline measured
// in the same run and their ratio. Baseline is 0 when the row has none.
type Row struct {
	Name     string
	Figure   float64
	Unit     string
	Baseline float64
	// BaselineName says what the baseline is.
	BaselineName string
	// Note carries whatever else the row needs (sizes, peaks, targets).
	Note string
}

// Ratio is Figure / Baseline, or 0 without a baseline.
func (r Row) Ratio() float64 {
	if r.Baseline == 0 {
		return 0
	}
	return r.Figure / r.Baseline
}

// Report is the result of one benchmark command.
type Report struct {
	Title string
	Rows  []Row
}

// Print writes the report as an aligned table.
func (r *Report) Print(w io.Writer) error {
	fmt.Fprintf(w, "%s\n", r.Title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  figure\tvalue\tbaseline\tvalue\tratio\tnote")
	for _, row := range r.Rows {
		base, ratio := "-", "-"
		if row.Baseline != 0 {
			base = formatNum(row.Baseline) + " " + row.Unit
			ratio = fmt.Sprintf("%.2f", row.Ratio())
		}
		bn := row.BaselineName
		if bn == "" {
			bn = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%s\t%s\t%s\n", row.Name, formatNum(row.Figure), row.Unit, bn, base, ratio, row.Note)
	}
	return tw.Flush()
}

// formatNum prints a figure with thousands separators, keeping one decimal
// below 100.
func formatNum(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.2f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
