package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one named line of a chart.
type Series struct {
	Name   string
	X, Y   []float64
	Dashed bool
	// Color picks plotutil's palette entry (the target's index, so one
	// target keeps one color across charts).
	Color int
}

// Bars is one named set of bars, one value per category.
type Bars struct {
	Name   string
	Values []float64
	Color  int
}

// svgOf renders p as an inline SVG element (without the XML prolog).
func svgOf(p *plot.Plot, w, h vg.Length) (string, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", fmt.Errorf("report: svg: %w", err)
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return s, nil
}

func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// BarChart draws grouped bars: categories along X, one bar per set in
// each category.
func BarChart(title, ylabel string, categories []string, sets []Bars) (string, error) {
	p := newPlot(title, "", ylabel)
	if len(sets) == 0 || len(categories) == 0 {
		return svgOf(p, 6*vg.Inch, 3*vg.Inch)
	}
	width := vg.Points(math.Max(6, math.Min(28, 300/float64(len(categories)*len(sets)))))
	for i, s := range sets {
		vals := make(plotter.Values, len(categories))
		for j := range categories {
			if j < len(s.Values) && !math.IsNaN(s.Values[j]) {
				vals[j] = s.Values[j]
			}
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return "", fmt.Errorf("report: bar chart: %w", err)
		}
		b.Color = plotutil.Color(s.Color)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(i)-float64(len(sets)-1)/2) * width
		p.Add(b)
		p.Legend.Add(s.Name, b)
	}
	p.NominalX(categories...)
	p.X.Min, p.X.Max = -0.6, float64(len(categories))-0.4
	p.Legend.Left = false
	p.Y.Min = 0
	ymax := 0.0
	for _, s := range sets {
		for _, v := range s.Values {
			ymax = math.Max(ymax, v)
		}
	}
	p.Y.Max = ymax*1.3 + 1e-9 // room for the legend
	return svgOf(p, vg.Length(math.Max(6, float64(len(categories))*1.4))*vg.Inch, 3*vg.Inch)
}

// LineChart draws series against a shared X axis.
func LineChart(title, xlabel, ylabel string, series []Series, w, h vg.Length) (string, error) {
	p := newPlot(title, xlabel, ylabel)
	if err := addLines(p, series); err != nil {
		return "", err
	}
	return svgOf(p, w, h)
}

func addLines(p *plot.Plot, series []Series) error {
	for _, s := range series {
		n := min(len(s.X), len(s.Y))
		if n == 0 {
			continue
		}
		pts := make(plotter.XYs, 0, n)
		for i := range n {
			if math.IsNaN(s.X[i]) || math.IsNaN(s.Y[i]) || math.IsInf(s.Y[i], 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: s.X[i], Y: s.Y[i]})
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("report: line %q: %w", s.Name, err)
		}
		l.Color = plotutil.Color(s.Color)
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	return nil
}

// nines maps a percentile to HdrHistogram's "number of nines" axis: 0 at
// 0%, 1 at 90%, 2 at 99%, 3 at 99.9%...
func nines(q float64) float64 {
	if q >= 100 {
		return 6
	}
	return math.Min(6, -math.Log10(1-q/100))
}

// LatencyChart draws latency distributions (latency against percentile on
// HdrHistogram's nines axis, log latency).
func LatencyChart(title string, series []Series) (string, error) {
	p := newPlot(title, "percentile", "latency (ms)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Tick.Marker = plot.ConstantTicks{
		{Value: 0, Label: "0%"}, {Value: 1, Label: "90%"}, {Value: 2, Label: "99%"},
		{Value: 3, Label: "99.9%"}, {Value: 4, Label: "99.99%"}, {Value: 5, Label: "99.999%"}, {Value: 6, Label: "max"},
	}
	for i := range series {
		xs := make([]float64, len(series[i].X))
		ys := make([]float64, len(series[i].Y))
		for j, q := range series[i].X {
			xs[j] = nines(q)
		}
		for j, y := range series[i].Y {
			ys[j] = math.Max(y, 0.001) // the log axis has no zero
		}
		series[i].X, series[i].Y = xs, ys
	}
	if err := addLines(p, series); err != nil {
		return "", err
	}
	p.X.Min, p.X.Max = 0, 6.25
	return svgOf(p, 6*vg.Inch, 3.2*vg.Inch)
}
