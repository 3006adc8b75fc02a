package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/gohttpd/gohttpd/bench/sample"
	"gonum.org/v1/plot/vg"
)

// Describe, if set, returns a scenario's one-line description for the
// HTML report.
type Describe func(scenario string) string

// htmlSection is one scenario in the HTML report.
type htmlSection struct {
	Name, About string
	// Warnings are the cases' "premise not reached" notes.
	Warnings []string
	Charts   []template.HTML
	Details  []htmlDetail
}

// htmlDetail is one case's time-series charts.
type htmlDetail struct {
	Title  string
	Notes  []string
	Charts []template.HTML
}

// WriteHTML writes the self-contained HTML report.
func WriteHTML(w io.Writer, run *Run, about Describe) error {
	data := struct {
		Run      *Run
		Table    string
		Sections []htmlSection
		Sysctls  []string
	}{Run: run, Table: Table(run)}
	for k, v := range run.Machine.Sysctls {
		data.Sysctls = append(data.Sysctls, k+" = "+v)
	}
	slices.Sort(data.Sysctls)
	for _, sc := range run.Scenarios {
		s := htmlSection{Name: sc}
		if about != nil {
			s.About = about(sc)
		}
		cases := casesOf(run, sc)
		if len(cases) == 0 {
			continue
		}
		for _, c := range cases {
			if msg := c.NotReached(); msg != "" {
				s.Warnings = append(s.Warnings, c.Name+" on "+c.Target+": "+msg)
			}
		}
		for _, ch := range scenarioCharts(run, sc, cases) {
			s.Charts = append(s.Charts, template.HTML(ch))
		}
		for _, c := range cases {
			if len(c.Samples) == 0 {
				continue
			}
			d := htmlDetail{Title: c.Name + " on " + c.Target, Notes: slices.Clone(c.Notes)}
			if c.TimeWait != "" {
				d.Notes = append(d.Notes, c.TimeWait)
			}
			if len(c.Directives) > 0 {
				d.Notes = append([]string{"directives: " + strings.Join(c.Directives, "; ")}, d.Notes...)
			}
			for _, ch := range caseCharts(run, c) {
				d.Charts = append(d.Charts, template.HTML(ch))
			}
			s.Details = append(s.Details, d)
		}
		data.Sections = append(data.Sections, s)
	}
	return pageTemplate.Execute(w, data)
}

func casesOf(run *Run, scenario string) []*Case {
	var out []*Case
	for _, c := range run.Cases {
		if c.Scenario == scenario {
			out = append(out, c)
		}
	}
	return out
}

// caseNames lists a scenario's case names in first-seen order.
func caseNames(cases []*Case) []string {
	var out []string
	for _, c := range cases {
		if c.Name != "" && !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// targetColor keeps one palette color per target.
func targetColor(run *Run, t string) int {
	if i := slices.Index(run.Targets, t); i >= 0 {
		return i
	}
	return len(run.Targets)
}

// scenarioCharts draws a scenario's comparison charts: throughput, p50
// and p99 by target for each case, latency distributions, and memory
// against idle connections for idle-pressure.
func scenarioCharts(run *Run, sc string, cases []*Case) []string {
	var out []string
	names := caseNames(cases)
	fig := func(name string) []Bars {
		var sets []Bars
		for _, t := range run.Targets {
			b := Bars{Name: t, Color: targetColor(run, t)}
			any := false
			for _, n := range names {
				v := NotRun
				for _, c := range cases {
					if c.Target == t && c.Name == n {
						v = math.NaN() // unknown, unless the figure says
						if f, ok := c.Lookup(name); ok {
							any = true
							if !f.Unknown {
								v = f.Value
							}
						}
					}
				}
				b.Values = append(b.Values, v)
			}
			if any {
				sets = append(sets, b)
			}
		}
		return sets
	}
	add := func(s string, err error) {
		if err == nil {
			out = append(out, s)
		} else {
			out = append(out, "<p>chart failed: "+template.HTMLEscapeString(err.Error())+"</p>")
		}
	}
	if sets := fig("rps"); len(sets) > 0 {
		add(BarChart(sc+": throughput", "requests/s", names, sets))
		add(BarChart(sc+": p50 latency", "ms", names, fig("p50")))
		add(BarChart(sc+": p99 latency", "ms", names, fig("p99")))
	}
	for _, n := range names {
		var series []Series
		for _, c := range cases {
			if c.Name != n || c.Load == nil || len(c.Load.Distribution) == 0 {
				continue
			}
			s := Series{Name: c.Target, Color: targetColor(run, c.Target)}
			for _, p := range c.Load.Distribution {
				s.X = append(s.X, p.Percentile)
				s.Y = append(s.Y, p.Ms)
			}
			series = append(series, s)
		}
		if len(series) > 0 {
			add(LatencyChart(sc+" "+n+": latency distribution", series))
		}
	}
	var ramp []Series
	for _, c := range cases {
		if len(c.Ramp) == 0 {
			continue
		}
		rss := Series{Name: c.Target + " RSS", Color: targetColor(run, c.Target)}
		pss := Series{Name: c.Target + " PSS", Color: targetColor(run, c.Target), Dashed: true}
		for _, p := range c.Ramp {
			rss.X = append(rss.X, float64(p.Idle))
			rss.Y = append(rss.Y, float64(p.RSS)/(1<<20))
			pss.X = append(pss.X, float64(p.Idle))
			pss.Y = append(pss.Y, float64(p.PSS)/(1<<20))
		}
		ramp = append(ramp, rss, pss)
	}
	if len(ramp) > 0 {
		add(LineChart(sc+": server memory against idle keep-alive connections", "idle connections answered", "MB", ramp, 4.8*vg.Inch, 3.2*vg.Inch))
	}
	return out
}

// caseCharts draws one case's samples over time: TCP states on each side,
// and workers by state with the accept queue.
func caseCharts(run *Run, c *Case) []string {
	ss := c.Samples
	ts := make([]float64, len(ss))
	for i, s := range ss {
		ts[i] = s.T
	}
	series := func(name string, color int, dashed bool, f func(sample.Sample) float64) Series {
		s := Series{Name: name, X: ts, Color: color, Dashed: dashed}
		for _, x := range ss {
			s.Y = append(s.Y, f(x))
		}
		return s
	}
	var tcp []Series
	for i, st := range []string{"ESTABLISHED", "TIME_WAIT", "SYN_RECV", "SYN_SENT", "CLOSE_WAIT", "FIN_WAIT2"} {
		if maxTCP(ss, st, true) > 0 {
			tcp = append(tcp, series("server "+st, i, false, func(s sample.Sample) float64 { return float64(s.ServerTCP[st]) }))
		}
		if maxTCP(ss, st, false) > 0 {
			tcp = append(tcp, series("client "+st, i, true, func(s sample.Sample) float64 { return float64(s.ClientTCP[st]) }))
		}
	}
	var out []string
	w, h := 4.2*vg.Inch, 2.6*vg.Inch
	if s, err := LineChart("TCP states over time", "seconds", "sockets", tcp, w, h); err == nil {
		out = append(out, s)
	}
	letters := map[string]bool{}
	for _, s := range ss {
		for l := range s.Workers.States {
			letters[l] = true
		}
	}
	var wk []Series
	names := map[string]string{"_": "ready", "R": "read", "W": "write", "K": "keep-alive", "C": "closing",
		"L": "logging", "G": "graceful", "S": "starting", "I": "idle kill", "D": "dns"}
	order := []string{"_", "R", "W", "K", "C", "G", "L", "S", "I", "D"}
	for i, l := range order {
		if letters[l] {
			wk = append(wk, series(names[l], i, false, func(s sample.Sample) float64 { return float64(s.Workers.States[l]) }))
		}
	}
	if len(wk) == 0 {
		wk = append(wk, series("busy", 1, false, func(s sample.Sample) float64 { return float64(max(s.Workers.Busy, 0)) }))
	}
	wk = append(wk, series("accept queue", 9, true, func(s sample.Sample) float64 { return float64(max(s.AcceptQueue, 0)) }))
	if s, err := LineChart("workers by state, accept queue", "seconds", "count", wk, w, h); err == nil {
		out = append(out, s)
	}
	if c.Load != nil {
		var prev sample.Sample
		thr := Series{Name: "req/s", X: ts, Color: 0}
		cpuS := Series{Name: "server CPU %", X: ts, Color: 1, Dashed: true}
		cpuC := Series{Name: "client CPU %", X: ts, Color: 2, Dashed: true}
		for i, s := range ss {
			r := 0.0
			if i > 0 && s.T > prev.T {
				r = float64(s.Requests-prev.Requests) / (s.T - prev.T)
			}
			thr.Y = append(thr.Y, max(r, 0))
			cpuS.Y = append(cpuS.Y, s.ServerCPU)
			cpuC.Y = append(cpuC.Y, s.ClientCPU)
			prev = s
		}
		if s, err := LineChart("throughput over time", "seconds", "requests/s", []Series{thr}, w, h); err == nil {
			out = append(out, s)
		}
		if s, err := LineChart("CPU per side", "seconds", "% of one CPU", []Series{cpuS, cpuC}, w, h); err == nil {
			out = append(out, s)
		}
	}
	return out
}

func maxTCP(ss []sample.Sample, st string, server bool) int {
	m := 0
	for _, s := range ss {
		t := s.ClientTCP
		if server {
			t = s.ServerTCP
		}
		m = max(m, t[st])
	}
	return m
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"mb":   func(v int64) string { return fmt.Sprintf("%d MB", v) },
	"time": func(r *Run) string { return r.Started.Format("2006-01-02 15:04:05 MST") },
	"secs": func(r *Run) string { return fmt.Sprintf("%.0f s", r.Finished.Sub(r.Started).Seconds()) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>gohttpd bench {{time .Run}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
h1{font-size:1.5em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:12px}
table.m td{padding:.1em .8em .1em 0;vertical-align:top} .charts svg{margin:.3em;border:1px solid #eee}
.warn{color:#a40000;font-weight:600;margin:.2em 0} details{margin:.5em 0} summary{cursor:pointer;font-weight:600} .note{color:#555;font-size:.9em;margin:.2em 0}
</style></head><body>
<h1>gohttpd bench</h1>
<table class="m">
<tr><td>started</td><td>{{time .Run}} ({{secs .Run}}){{if .Run.Quick}}, --quick{{end}}{{if .Run.Interrupted}}, <b>interrupted</b>{{end}}</td></tr>
<tr><td>arguments</td><td><code>gohttpd bench{{range .Run.Args}} {{.}}{{end}}</code></td></tr>
<tr><td>machine</td><td>{{.Run.Machine.Hostname}}: {{.Run.Machine.CPUModel}}, {{.Run.Machine.CPUs}} CPUs, {{mb .Run.Machine.MemoryMB}}, kernel {{.Run.Machine.Kernel}}</td></tr>
<tr><td>software</td><td>{{.Run.Machine.Gohttpd}}; bench built with {{.Run.Machine.GoVersion}}, GOMAXPROCS {{.Run.Machine.GOMAXPROCS}}</td></tr>
<tr><td>pinning</td><td>{{.Run.Machine.Pinning}}</td></tr>
<tr><td>kernel settings</td><td>{{range .Sysctls}}{{.}}<br>{{end}}</td></tr>
</table>
<h2>Summary</h2>
<pre>{{.Table}}</pre>
{{range .Sections}}
<h2 id="{{.Name}}">{{.Name}}</h2>
<p>{{.About}}</p>
{{range .Warnings}}<p class="warn">{{.}}</p>{{end}}
<div class="charts">{{range .Charts}}{{.}}{{end}}</div>
{{range .Details}}<details><summary>{{.Title}}: over time</summary>
{{range .Notes}}<p class="note">{{.}}</p>{{end}}
<div class="charts">{{range .Charts}}{{.}}{{end}}</div></details>
{{end}}
{{end}}
<p class="note">Latency is measured by gohttpd bench's load generator (HdrHistogram; open-loop cases from each request's intended send time, in wrk2's model). Memory is RSS and PSS summed over the server's process tree; TCP states over time come from sock_diag, filtered by the server's port: they include sockets that earlier cases left on that port, while the close scenario's TIME_WAIT figures count only the case's own connections (by 4-tuple). n/a marks a figure the bench cannot know for that server (not 0); – a case that server did not run.</p>
</body></html>
`))
