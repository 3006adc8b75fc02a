package report

import (
	"bytes"
	"fmt"
	"image/color"
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

// Bars is one named set of bars, one value per category. A NaN value is
// a figure the bench could not know: no bar is drawn, and the category
// shows "n/a" instead. NotRun (-Inf) marks a case the target did not run:
// the category shows "–".
type Bars struct {
	Name   string
	Values []float64
	Color  int
}

// NotRun is a Bars value for a case the target did not run.
var NotRun = math.Inf(-1)

// notRunLabel is drawn where a target did not run a case.
const notRunLabel = "–"

// layout is where a rendered chart's parts went, in points from the
// canvas's bottom left corner (the tests check it).
type layout struct {
	Canvas, Data, Legend vg.Rectangle
	// Lines are the plotted series in canvas coordinates.
	Lines [][]vg.Point
	// Marks are the zero bars' baseline markers; Labels the texts drawn
	// for zero and unknown bars.
	Marks  []vg.Rectangle
	Labels []string
}

// chart is a plot and what the layout needs to know of it.
type chart struct {
	p     *plot.Plot
	names []string // the legend's entries
	lines []plotter.XYs
	marks *barMarks
}

// legendGap separates the plot from the legend column.
const legendGap = 6

// render draws c's plot with its legend in a column to the right of the
// plot, outside the data area, so that it never hides a line or a bar.
// w and h are the plot's size; the legend's column is added to w.
func (c *chart) render(w, h vg.Length) (string, layout, error) {
	leg := c.p.Legend
	c.p.Legend = plot.NewLegend() // drawn below, outside the plot
	c.p.Legend.TextStyle = leg.TextStyle
	lw, lh := legendSize(&leg, c.names)
	if lw > 0 {
		lw += legendGap
	}
	var lay layout
	cv := vgsvg.New(w+lw, h)
	dc := draw.New(cv)
	lay.Canvas = dc.Rectangle
	plotArea := draw.Crop(dc, 0, -lw, 0, 0)
	c.p.Draw(plotArea)
	data := c.p.DataCanvas(plotArea)
	lay.Data = data.Rectangle
	if lw > 0 {
		top := lay.Data.Max.Y
		col := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: w + legendGap, Y: top - lh}, Max: vg.Point{X: w + lw, Y: top}}}
		leg.Top, leg.Left = true, true
		leg.Draw(col)
		lay.Legend = col.Rectangle
	}
	trX, trY := c.p.Transforms(&data)
	for _, xys := range c.lines {
		pts := make([]vg.Point, len(xys))
		for i, xy := range xys {
			pts[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		}
		lay.Lines = append(lay.Lines, pts)
	}
	if c.marks != nil {
		lay.Marks, lay.Labels = c.marks.drawn, c.marks.labels
	}
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return "", lay, fmt.Errorf("report: svg: %w", err)
	}
	out := b.String()
	if i := strings.Index(out, "<svg"); i > 0 {
		out = out[i:]
	}
	return out, lay, nil
}

// legendSize is the size of leg's entries stacked in a column.
func legendSize(leg *plot.Legend, names []string) (w, h vg.Length) {
	n := 0
	var eh vg.Length
	for _, name := range names {
		r := leg.TextStyle.Rectangle(" " + name)
		w = max(w, leg.ThumbnailWidth+r.Max.X)
		eh = max(eh, leg.TextStyle.Rectangle(name).Max.Y)
		n++
	}
	if n == 0 {
		return 0, 0
	}
	return w, vg.Length(n)*eh + vg.Length(n-1)*leg.Padding
}

func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Add(plotter.NewGrid())
	return p
}

// barMarks draws what a bar cannot show: a zero value as a marker on the
// baseline with the label "0", and an unknown (NaN) value as "n/a".
type barMarks struct {
	values [][]float64 // by set, then category
	colors []int
	width  vg.Length
	drawn  []vg.Rectangle
	labels []string
}

// markHeight is the zero marker's height.
const markHeight = vg.Length(2.5)

// Plot implements plot.Plotter.
func (m *barMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := p.Legend.TextStyle
	sty.Font.Size = vg.Points(9)
	sty.XAlign = draw.XCenter
	m.drawn, m.labels = nil, nil
	n := len(m.values)
	for i, vals := range m.values {
		off := vg.Length(float64(i)-float64(n-1)/2) * m.width
		for j, v := range vals {
			x, y0 := trX(float64(j))+off, trY(0)
			var text string
			switch {
			case math.IsNaN(v):
				text = Unknown
				sty.Color = color.Gray{Y: 90}
			case math.IsInf(v, -1):
				text = notRunLabel
				sty.Color = color.Gray{Y: 150}
			case v == 0:
				text = "0"
				sty.Color = plotutil.Color(m.colors[i])
				r := vg.Rectangle{Min: vg.Point{X: x - m.width/2 + 0.5, Y: y0}, Max: vg.Point{X: x + m.width/2 - 0.5, Y: y0 + markHeight}}
				c.FillPolygon(sty.Color, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
				m.drawn = append(m.drawn, r)
			default:
				continue
			}
			c.FillText(sty, vg.Point{X: x, Y: y0 + markHeight + 1.5}, text)
			m.labels = append(m.labels, text)
		}
	}
}

// BarChart draws grouped bars: categories along X, one bar per set in
// each category, and the legend beside the plot.
func BarChart(title, ylabel string, categories []string, sets []Bars) (string, error) {
	s, _, err := barChart(title, ylabel, categories, sets)
	return s, err
}

func barChart(title, ylabel string, categories []string, sets []Bars) (string, layout, error) {
	c := &chart{p: newPlot(title, "", ylabel)}
	p := c.p
	if len(sets) == 0 || len(categories) == 0 {
		return c.render(6*vg.Inch, 3*vg.Inch)
	}
	width := vg.Points(math.Max(6, math.Min(28, 300/float64(len(categories)*len(sets)))))
	c.marks = &barMarks{width: width}
	ymax := 0.0
	for i, s := range sets {
		vals := make(plotter.Values, len(categories))
		marks := make([]float64, len(categories))
		for j := range categories {
			v := math.NaN()
			if j < len(s.Values) {
				v = s.Values[j]
			}
			marks[j] = v
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				vals[j] = v
				ymax = math.Max(ymax, v)
			}
		}
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return "", layout{}, fmt.Errorf("report: bar chart: %w", err)
		}
		b.Color = plotutil.Color(s.Color)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(i)-float64(len(sets)-1)/2) * width
		p.Add(b)
		p.Legend.Add(s.Name, b)
		c.names = append(c.names, s.Name)
		c.marks.values = append(c.marks.values, marks)
		c.marks.colors = append(c.marks.colors, s.Color)
	}
	p.Add(c.marks)
	p.NominalX(categories...)
	p.X.Min, p.X.Max = -0.6, float64(len(categories))-0.4
	p.Y.Min = 0
	p.Y.Max = math.Max(ymax*1.05, 1e-9)
	if ymax == 0 {
		p.Y.Max = 1 // every bar is 0 or unknown: a unit axis shows the markers
	}
	return c.render(vg.Length(math.Max(4.6, float64(len(categories))*1.3))*vg.Inch, 3*vg.Inch)
}

// LineChart draws series against a shared X axis, with the legend beside
// the plot.
func LineChart(title, xlabel, ylabel string, series []Series, w, h vg.Length) (string, error) {
	s, _, err := lineChart(title, xlabel, ylabel, series, w, h)
	return s, err
}

func lineChart(title, xlabel, ylabel string, series []Series, w, h vg.Length) (string, layout, error) {
	c := &chart{p: newPlot(title, xlabel, ylabel)}
	if err := c.addLines(series); err != nil {
		return "", layout{}, err
	}
	return c.render(w, h)
}

func (c *chart) addLines(series []Series) error {
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
		c.p.Add(l)
		c.p.Legend.Add(s.Name, l)
		c.names = append(c.names, s.Name)
		c.lines = append(c.lines, pts)
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
	s, _, err := latencyChart(title, series)
	return s, err
}

func latencyChart(title string, series []Series) (string, layout, error) {
	c := &chart{p: newPlot(title, "percentile", "latency (ms)")}
	p := c.p
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
	if err := c.addLines(series); err != nil {
		return "", layout{}, err
	}
	p.X.Min, p.X.Max = 0, 6.25
	return c.render(4.8*vg.Inch, 3.2*vg.Inch)
}
