package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// DefaultMaxLoss is the share of a ratio that a run may lose against
// another before CompareResults flags it: 10%.
const DefaultMaxLoss = 0.10

// Diff compares one row of two runs of the same benchmark.
type Diff struct {
	Name string
	// What is compared: "ratio" for rows with a same-run baseline, or the
	// unit of a figure with none that does not depend on load ("MiB").
	What     string
	Old, New float64
	// Loss is the share lost, positive when New is worse than Old (by the
	// row's direction), negative when it is better.
	Loss float64
	// Flagged is Loss > the allowed loss.
	Flagged bool
}

// loadFree lists units of figures without a baseline that are compared
// anyway because the machine's load does not move them: heap and resident
// sizes.
var loadFree = map[string]bool{"MiB": true}

// CompareResults compares the rows two runs share by name: each ratio (a
// figure against its baseline in the same run, the only figure that carries
// over between runs on a shared machine), and each figure in MiB. Rows
// present in only one run are skipped. A row whose comparison loses more
// than maxLoss of the old value is flagged.
func CompareResults(old, cur Result, maxLoss float64) []Diff {
	prev := make(map[string]ResultRow, len(old.Rows))
	for _, r := range old.Rows {
		prev[r.Name] = r
	}
	var out []Diff
	for _, r := range cur.Rows {
		o, ok := prev[r.Name]
		if !ok {
			continue
		}
		d := Diff{Name: r.Name}
		switch {
		case o.Ratio != 0 && r.Ratio != 0:
			d.What, d.Old, d.New = "ratio", o.Ratio, r.Ratio
		case loadFree[r.Unit] && o.Unit == r.Unit && o.Figure != 0:
			d.What, d.Old, d.New = r.Unit, o.Figure, r.Figure
		default:
			continue
		}
		d.Loss = (d.Old - d.New) / d.Old
		if !r.HigherIsBetter {
			d.Loss = -d.Loss
		}
		d.Flagged = d.Loss > maxLoss
		out = append(out, d)
	}
	return out
}

// PrintDiffs writes the comparison as a table and returns how many rows
// were flagged.
func PrintDiffs(w io.Writer, old, cur Result, diffs []Diff, maxLoss float64) (int, error) {
	fmt.Fprintf(w, "%s\n  old: %s, load %v\n  new: %s, load %v\n", cur.Title, old.Time, old.LoadBefore, cur.Time, cur.LoadBefore)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  row\tcompared\told\tnew\tchange\t")
	flagged := 0
	for _, d := range diffs {
		mark := ""
		if d.Flagged {
			mark = fmt.Sprintf("LOSS > %.0f%%", maxLoss*100)
			flagged++
		}
		change := fmt.Sprintf("%.1f%% better", -d.Loss*100)
		if d.Loss > 0 {
			change = fmt.Sprintf("%.1f%% worse", d.Loss*100)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%.3f\t%.3f\t%s\t%s\n", d.Name, d.What, d.Old, d.New, change, mark)
	}
	if err := tw.Flush(); err != nil {
		return flagged, err
	}
	if len(diffs) == 0 {
		fmt.Fprintln(w, "  no rows in common")
	}
	return flagged, nil
}
