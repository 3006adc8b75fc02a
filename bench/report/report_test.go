package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/sample"
	"gonum.org/v1/plot/vg"
)

// testRun is a small run with two targets and samples.
func testRun() *Run {
	run := &Run{
		Started: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), Finished: time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC),
		Machine:   Machine{CPUModel: "Test CPU", CPUs: 2, Kernel: "6.18", GoVersion: "go1.26.8", Pinning: "none"},
		Scenarios: []string{"keepalive", "idle-pressure"},
		Targets:   []string{"worker", "event"},
	}
	for i, tgt := range run.Targets {
		c := &Case{Scenario: "keepalive", Name: "1k", Target: tgt}
		c.Load = &load.Summary{RPS: 1000 * float64(i+1), P50Ms: 0.5, P99Ms: 2,
			Distribution: []load.Point{{Percentile: 0, Ms: 0.1}, {Percentile: 50, Ms: 0.5}, {Percentile: 99, Ms: 2}, {Percentile: 100, Ms: 9}}}
		c.Add("rps", c.Load.RPS, "req/s", true)
		c.Add("p50", 0.5, "ms", true)
		c.Add("p99", 2, "ms", true)
		c.Add("errors", 0, "", true)
		c.Add("TIME_WAIT server", 12, "", true)
		for k := range 4 {
			c.Samples = append(c.Samples, sample.Sample{T: float64(k) / 4, Requests: int64(k * 250),
				ServerTCP: sample.TCP{"ESTABLISHED": 50, "TIME_WAIT": k}, ClientTCP: sample.TCP{"ESTABLISHED": 50},
				Workers: sample.Workers{Busy: 3, States: map[string]int{"_": 5, "W": 3}}})
		}
		run.Cases = append(run.Cases, c)
		ip := &Case{Scenario: "idle-pressure", Name: "100 idle", Target: tgt,
			Ramp: []RampPoint{{Idle: 0, RSS: 10 << 20, PSS: 5 << 20}, {Idle: 100, RSS: 12 << 20, PSS: 6 << 20}}}
		ip.Add("RSS per idle conn", 20.5, "KB", true)
		run.Cases = append(run.Cases, ip)
	}
	run.Cases = append(run.Cases, &Case{Scenario: "backlog", Target: "nginx", Notes: []string{"skipped: needs gohttpd directives"}})
	return run
}

func TestTable(t *testing.T) {
	got := Table(testRun())
	for _, want := range []string{"SCENARIO", "keepalive", "worker", "1000", "2000", "0.50ms", "TIME_WAIT server 12",
		"RSS per idle conn 20.5 KB", "skipped: needs gohttpd directives"} {
		if !strings.Contains(got, want) {
			t.Errorf("Table() lacks %q:\n%s", want, got)
		}
	}
	// The scenario name is printed once per group of rows.
	if n := strings.Count(got, "keepalive"); n != 1 {
		t.Errorf("Table() prints keepalive %d times, want 1:\n%s", n, got)
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	run := testRun()
	if err := WriteAll(dir, run, func(s string) string { return "about " + s }); err != nil {
		t.Fatalf("WriteAll = %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Run
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("bench.json does not parse: %v", err)
	}
	if len(back.Cases) != len(run.Cases) || len(back.Cases[0].Samples) != 4 {
		t.Errorf("bench.json has %d cases (first with %d samples), want %d with 4", len(back.Cases), len(back.Cases[0].Samples), len(run.Cases))
	}
	h, err := os.ReadFile(filepath.Join(dir, "bench.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(h)
	for _, want := range []string{"<svg", "about keepalive", "throughput", "latency distribution",
		"server memory against idle keep-alive connections", "TCP states over time", "workers by state"} {
		if !strings.Contains(html, want) {
			t.Errorf("bench.html lacks %q", want)
		}
	}
	// Self-contained: nothing is loaded from elsewhere.
	for _, bad := range []string{"<script src", "<link ", `src="http`, `href="http`, "url(http", "@import"} {
		if strings.Contains(html, bad) {
			t.Errorf("bench.html contains %q: not self-contained", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bench.txt")); err != nil {
		t.Errorf("bench.txt: %v", err)
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{0.123, "ms", "0.12ms"},
		{12.3, "ms", "12ms"},
		{1500, "ms", "1.50s"},
		{3, "", "3"},
		{2.5, "", "2.5"},
		{250.4, "KB", "250 KB"},
		{25.04, "KB", "25.0 KB"},
		{42.2, "%", "42%"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("FormatValue(%g, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestUnknownFigures(t *testing.T) {
	run := testRun()
	c := &Case{Scenario: "keepalive", Name: "64k", Target: "nginx"}
	c.Add("rps", 500, "req/s", true)
	c.AddUnknown("p50", "ms", true)
	c.AddUnknown("busy workers", "", true)
	c.AddMaybe("RSS", 3, false, "MB", true)
	c.AddMaybe("server CPU", 0, true, "%", true) // a known 0 stays 0
	run.Cases = append(run.Cases, c)

	tab := Table(run)
	row := lineWith(t, tab, "nginx", "64k")
	for _, want := range []string{"busy workers n/a", "RSS n/a", "server CPU 0%"} {
		if !strings.Contains(row, want) {
			t.Errorf("table row lacks %q: %s", want, row)
		}
	}
	if f := strings.Fields(row); len(f) < 4 || f[2] != "500" || f[3] != "n/a" {
		t.Errorf("table row's P50 is not n/a: %s", row)
	}
	if strings.Contains(row, "busy workers 0") {
		t.Errorf("an unknown figure shows as 0: %s", row)
	}
	if !strings.Contains(tab, "n/a: a figure the bench cannot know") {
		t.Errorf("table does not explain n/a:\n%s", tab)
	}
	if _, ok := c.Figure("busy workers"); ok {
		t.Error("Figure reports an unknown figure as known")
	}

	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{`{"name":"busy workers","value":null,"unknown":true,"key":true}`,
		`"name":"server CPU","value":0,`} {
		if !strings.Contains(strings.ReplaceAll(js, `"key":true,"unknown":true`, `"unknown":true,"key":true`), want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	var back Case
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if f, _ := back.Lookup("busy workers"); !f.Unknown {
		t.Errorf("busy workers read back as known: %+v", f)
	}
	if f, _ := back.Lookup("server CPU"); f.Unknown || f.Value != 0 {
		t.Errorf("server CPU read back as %+v", f)
	}

	var h strings.Builder
	if err := WriteHTML(&h, run, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.String(), "busy workers n/a") {
		t.Error("HTML summary does not show busy workers n/a")
	}
}

func TestPremiseNotReached(t *testing.T) {
	tests := []struct {
		name    string
		reached bool
		want    string
	}{
		{"reached", true, ""},
		{"not reached", false, "premise not reached: children recycled by MaxConnectionsPerChild (no child exited in 1.0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := testRun()
			c := &Case{Scenario: "churn", Name: "20 conns/child", Target: "event"}
			c.Add("children exited", 0, "", true)
			c.Expect(tt.reached, "children recycled by MaxConnectionsPerChild", "no child exited in 1.0s")
			run.Scenarios = append(run.Scenarios, "churn")
			run.Cases = append(run.Cases, c)
			if got := c.NotReached(); got != tt.want {
				t.Errorf("NotReached() = %q, want %q", got, tt.want)
			}
			row := lineWith(t, Table(run), "churn", "event")
			if has := strings.Contains(row, "premise not reached"); has == tt.reached {
				t.Errorf("table row (reached=%v): %s", tt.reached, row)
			}
			b, _ := json.Marshal(c)
			if want := fmt.Sprintf(`"premise":{"reached":%v`, tt.reached); !strings.Contains(string(b), want) {
				t.Errorf("JSON lacks %s: %s", want, b)
			}
			var h strings.Builder
			if err := WriteHTML(&h, run, nil); err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(h.String(), `class="warn">20 conns/child on event: premise not reached`); has == tt.reached {
				t.Errorf("HTML warning shown=%v for reached=%v", has, tt.reached)
			}
		})
	}
}

// lineWith returns the first line of s holding every one of subs.
func lineWith(t *testing.T, s string, subs ...string) string {
	t.Helper()
	for line := range strings.SplitSeq(s, "\n") {
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(line, sub)
		}
		if ok {
			return line
		}
	}
	t.Fatalf("no line with %q in:\n%s", subs, s)
	return ""
}

// overlaps reports whether two rectangles share any area.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// inside reports whether p lies within r.
func inside(p vg.Point, r vg.Rectangle) bool {
	return p.X >= r.Min.X && p.X <= r.Max.X && p.Y >= r.Min.Y && p.Y <= r.Max.Y
}

// TestChartLegendsBesideThePlot: every chart's legend lies outside its
// data area, within the canvas, and no plotted point falls in it.
func TestChartLegendsBesideThePlot(t *testing.T) {
	many := make([]Series, 12) // as many as TCP states over time can have
	for i := range many {
		many[i] = Series{Name: fmt.Sprintf("server STATE_%d", i), X: []float64{0, 1, 2, 3}, Y: []float64{0, 50, 100, float64(i)}, Color: i}
	}
	lat := []Series{
		{Name: "event", X: []float64{0, 50, 90, 99, 99.9, 100}, Y: []float64{0.1, 0.3, 0.5, 2, 5, 9}},
		{Name: "apache-prefork", X: []float64{0, 50, 90, 99, 99.9, 100}, Y: []float64{0.2, 1, 3, 20, 80, 120}, Color: 1},
	}
	type gen func() (string, layout, error)
	tests := []struct {
		name string
		gen  gen
	}{
		{"bars", func() (string, layout, error) {
			return barChart("t", "req/s", []string{"1k", "64k", "1m"}, []Bars{
				{Name: "event", Values: []float64{60000, 30000, 6000}}, {Name: "nginx", Values: []float64{56000, 27000, 1700}, Color: 1}})
		}},
		{"lines", func() (string, layout, error) { return lineChart("t", "s", "sockets", many, 4.6*vg.Inch, 2.6*vg.Inch) }},
		{"latency", func() (string, layout, error) { return latencyChart("t", lat) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg, lay, err := tt.gen()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(svg, "<svg") {
				t.Fatalf("not an svg: %.60s", svg)
			}
			if lay.Legend.Size().X <= 0 || lay.Legend.Size().Y <= 0 {
				t.Fatalf("no legend: %+v", lay)
			}
			if overlaps(lay.Legend, lay.Data) {
				t.Errorf("legend %v overlaps the data area %v", lay.Legend, lay.Data)
			}
			if !inside(lay.Legend.Min, lay.Canvas) || !inside(lay.Legend.Max, lay.Canvas) {
				t.Errorf("legend %v leaves the canvas %v", lay.Legend, lay.Canvas)
			}
			for i, line := range lay.Lines {
				for _, p := range line {
					if inside(p, lay.Legend) {
						t.Errorf("line %d's point %v lies under the legend %v", i, p, lay.Legend)
					}
				}
			}
		})
	}
}

// TestZeroBarsVisible: a zero bar gets a visible marker on the baseline
// and the label "0"; an unknown one the label "n/a" and no marker.
func TestZeroBarsVisible(t *testing.T) {
	svg, lay, err := barChart("slowloris: throughput", "req/s", []string{"no-timeout", "slow-read"}, []Bars{
		{Name: "prefork", Values: []float64{0, 0}},
		{Name: "event", Values: []float64{0, 75000}, Color: 2},
		{Name: "nginx", Values: []float64{math.NaN(), 70000}, Color: 3},
		{Name: "apache", Values: []float64{NotRun, 60000}, Color: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.Marks) != 3 {
		t.Fatalf("%d zero markers, want 3 (prefork twice, event once): %+v", len(lay.Marks), lay.Marks)
	}
	for _, m := range lay.Marks {
		if m.Size().Y < 2 || m.Size().X < 4 {
			t.Errorf("zero marker %v is too small to see", m)
		}
		if m.Min.Y < lay.Data.Min.Y-0.01 || m.Max.Y > lay.Data.Max.Y {
			t.Errorf("zero marker %v is outside the data area %v", m, lay.Data)
		}
	}
	if got := strings.Join(lay.Labels, ","); got != "0,0,0,n/a,–" {
		t.Errorf("labels %q, want 0,0,0,n/a,–", got)
	}
	if !strings.Contains(svg, ">n/a<") || !strings.Contains(svg, ">0<") {
		t.Error("the SVG lacks the 0 and n/a labels")
	}
	// All zero: the axis still shows the markers.
	if _, lay, err := barChart("t", "req/s", []string{"a"}, []Bars{{Name: "x", Values: []float64{0}}}); err != nil || len(lay.Marks) != 1 {
		t.Errorf("all-zero chart: %v, %d markers", err, len(lay.Marks))
	}
}
