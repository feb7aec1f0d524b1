package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine-readable results (`depin bench … --output json`), so that two runs
// can be compared by CompareResults (scripts/bench-compare) and a change that
// loses a ratio is visible in review. A Result is one benchmark command's
// Report with what is needed to judge it: the time, the machine's load
// average before the run, GOMAXPROCS and the Go version.

// ResultRow is a Row as JSON, with its ratio and the direction that is
// better spelled out.
type ResultRow struct {
	Name         string  `json:"name"`
	Figure       float64 `json:"figure"`
	Unit         string  `json:"unit"`
	BaselineName string  `json:"baseline_name,omitempty"`
	Baseline     float64 `json:"baseline,omitempty"`
	// Ratio is Figure / Baseline, absent without a baseline.
	Ratio float64 `json:"ratio,omitempty"`
	// HigherIsBetter says which way Figure and Ratio improve (Row.HigherIsBetter).
	HigherIsBetter bool   `json:"higher_is_better"`
	Note           string `json:"note,omitempty"`
}

// Result is one benchmark command's outcome as JSON.
type Result struct {
	Title string `json:"title"`
	// Time is when the report was written, RFC 3339 UTC.
	Time string `json:"time"`
	// LoadBefore is the 1-, 5- and 15-minute load average when the run
	// started (Linux; absent elsewhere).
	LoadBefore []float64 `json:"load_before,omitempty"`
	// LoadAfter is the same when the report was written.
	LoadAfter  []float64   `json:"load_after,omitempty"`
	GoMaxProcs int         `json:"gomaxprocs"`
	GoVersion  string      `json:"go_version"`
	Rows       []ResultRow `json:"rows"`
}

// HigherIsBetter says which way a row's figure improves: rates ("tx/s",
// "reports/s", "blocks/s") are better higher; times, sizes and ratios of
// times ("s", "ms/block", "MiB", "×") are better lower. Its ratio improves
// the same way, since the baseline is fixed within a run.
func (r Row) HigherIsBetter() bool { return strings.HasSuffix(r.Unit, "/s") }

// LoadAverage reads the 1-, 5- and 15-minute load average from
// /proc/loadavg; nil where there is none.
func LoadAverage() []float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return nil
	}
	out := make([]float64, 3)
	for i := range out {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil
		}
		out[i] = v
	}
	return out
}

// ToResult turns a report into a Result; loadBefore is LoadAverage() taken
// when the run started.
func (r *Report) ToResult(loadBefore []float64, now time.Time) Result {
	res := Result{Title: r.Title, Time: now.UTC().Format(time.RFC3339), LoadBefore: loadBefore, LoadAfter: LoadAverage(),
		GoMaxProcs: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), Rows: make([]ResultRow, len(r.Rows))}
	for i, row := range r.Rows {
		res.Rows[i] = ResultRow{Name: row.Name, Figure: row.Figure, Unit: row.Unit, BaselineName: row.BaselineName,
			Baseline: row.Baseline, Ratio: row.Ratio(), HigherIsBetter: row.HigherIsBetter(), Note: row.Note}
	}
	return res
}

// WriteJSON writes the report as an indented Result.
func (r *Report) WriteJSON(w io.Writer, loadBefore []float64) error {
	b, err := json.MarshalIndent(r.ToResult(loadBefore, time.Now()), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadResult reads a Result written by WriteJSON.
func ReadResult(rd io.Reader) (Result, error) {
	var res Result
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		return Result{}, fmt.Errorf("bench: result: %w", err)
	}
	return res, nil
}

// PrintLoad writes the load line that heads a text report.
func PrintLoad(w io.Writer, load []float64) {
	if len(load) == 3 {
		fmt.Fprintf(w, "load average before the run: %.2f %.2f %.2f\n", load[0], load[1], load[2])
	}
}
