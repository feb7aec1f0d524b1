package tokensim

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// series is one line of a figure.
type series struct {
	label string
	get   func(Row) float64
}

// figure is one plot file.
type figure struct {
	file, title, ylabel string
	series              []series
}

func pin(v uint64) float64 { return float64(v) / upinPerPIN }

// figures are the plots of a run (and, overlaid, of a comparison).
var figures = []figure{
	{"supply.svg", "Supply", "million PIN", []series{
		{"total supply", func(r Row) float64 { return pin(r.Supply) / 1e6 }},
		{"circulating", func(r Row) float64 { return pin(r.Circulating) / 1e6 }},
	}},
	{"emission.svg", "Emission vs burn", "thousand PIN / day", []series{
		{"minted", func(r Row) float64 { return pin(r.Minted) / 1e3 }},
		{"burned", func(r Row) float64 { return pin(r.Burned) / 1e3 }},
		{"net emission", func(r Row) float64 { return float64(r.NetEmission()) / upinPerPIN / 1e3 }},
	}},
	{"price.svg", "Token price", "USD / PIN", []series{
		{"price", func(r Row) float64 { return r.PriceUSD }},
	}},
	{"providers.svg", "Providers", "providers", []series{
		{"providers", func(r Row) float64 { return float64(r.Providers) }},
		{"serving", func(r Row) float64 { return float64(r.ServingProviders) }},
	}},
	{"demand.svg", "Demand and service", "thousand units / day", []series{
		{"demand", func(r Row) float64 { return r.Demand / 1e3 }},
		{"served", func(r Row) float64 { return r.Served / 1e3 }},
	}},
	{"capacity.svg", "Capacity", "million units / day", []series{
		{"capacity", func(r Row) float64 { return r.Capacity / 1e6 }},
	}},
	{"roi.svg", "Provider return (annual, on hardware)", "return", []series{
		{"fleet", func(r Row) float64 { return r.ROI }},
		{"serving", func(r Row) float64 { return r.ServingROI }},
		{"coverage only", func(r Row) float64 { return r.IdleROI }},
	}},
	{"breakeven.svg", "Provider break-even", "months (capped)", []series{
		{"break-even", func(r Row) float64 { return r.BreakEven }},
	}},
	{"treasury.svg", "Treasury", "million PIN", []series{
		{"treasury", func(r Row) float64 { return pin(r.Treasury) / 1e6 }},
	}},
	{"staking.svg", "Staking ratio", "bonded / supply", []series{
		{"staking ratio", func(r Row) float64 { return r.StakingRatio }},
	}},
}

// palette colours the lines.
var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
	color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
}

// maxPoints bounds the points of a line, which keeps the SVGs small and
// the daily noise readable.
const maxPoints = 260

// smoothed averages a series over consecutive windows of days, as few as
// make at most maxPoints points (two weeks for ten years).
func smoothed(rows []Row, get func(Row) float64) plotter.XYs {
	step := max(1, (len(rows)+maxPoints-1)/maxPoints)
	var out plotter.XYs
	for i := 0; i < len(rows); i += step {
		j := min(i+step, len(rows))
		var s float64
		for _, r := range rows[i:j] {
			s += get(r)
		}
		out = append(out, plotter.XY{X: float64(rows[i].Day) / 365, Y: s / float64(j-i)})
	}
	return out
}

// render draws one figure for one or more runs: each run's series, the
// run's name in the legend when there are several.
func render(f figure, runs []*Result) ([]byte, error) {
	p := plot.New()
	p.Title.Text = f.title
	p.X.Label.Text = "years"
	p.Y.Label.Text = f.ylabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	k := 0
	for ri, res := range runs {
		for _, s := range f.series {
			l, err := plotter.NewLine(smoothed(res.Rows, s.get))
			if err != nil {
				return nil, fmt.Errorf("tokensim: plot %s: %w", f.file, err)
			}
			l.Color = palette[k%len(palette)]
			if ri > 0 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			k++
			label := s.label
			if len(runs) > 1 {
				label = res.Scenario.Name + ": " + s.label
			}
			p.Add(l)
			p.Legend.Add(label, l)
		}
	}
	c := vgsvg.New(7*vg.Inch, 3.5*vg.Inch)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("tokensim: plot %s: %w", f.file, err)
	}
	return b.Bytes(), nil
}

// WritePlots writes every figure of the runs (overlaid when several) as
// SVG files into dir and returns their names.
func WritePlots(dir string, runs ...*Result) ([]string, error) {
	return WriteFigures(dir, nil, runs...)
}

// FigureFiles lists the file names of the figures.
func FigureFiles() []string {
	out := make([]string, len(figures))
	for i, f := range figures {
		out[i] = f.file
	}
	return out
}

// WriteFigures is WritePlots for the named figures only (nil: all).
func WriteFigures(dir string, files []string, runs ...*Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tokensim: plots: %w", err)
	}
	var names []string
	for _, f := range figures {
		if files != nil && !slices.Contains(files, f.file) {
			continue
		}
		b, err := render(f, runs)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, f.file), b, 0o644); err != nil {
			return nil, fmt.Errorf("tokensim: plots: %w", err)
		}
		names = append(names, f.file)
	}
	return names, nil
}

// RenderFigure draws one figure (a name of FigureFiles) of the runs as SVG.
func RenderFigure(file string, runs ...*Result) ([]byte, error) {
	for _, f := range figures {
		if f.file == file {
			return render(f, runs)
		}
	}
	return nil, fmt.Errorf("tokensim: no figure %s", file)
}
