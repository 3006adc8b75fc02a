package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// mainFigures are shown in their own columns; other key figures go to
// the last column.
var mainFigures = []string{"rps", "p50", "p99", "errors"}

// Table renders the run as an aligned text table: one row per case.
func Table(run *Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gohttpd bench  %s  %s  %d CPUs  kernel %s  %s  pinning: %s\n",
		run.Started.Format("2006-01-02 15:04:05"), run.Machine.CPUModel, run.Machine.CPUs,
		run.Machine.Kernel, run.Machine.GoVersion, run.Machine.Pinning)
	if len(run.Machine.Servers) > 0 {
		var vs []string
		for name, v := range run.Machine.Servers {
			vs = append(vs, name+": "+v)
		}
		slices.Sort(vs)
		fmt.Fprintf(&b, "compared with %s\n", strings.Join(vs, "; "))
	}
	for _, s := range run.Skipped {
		fmt.Fprintf(&b, "SKIPPED %s\n", s)
	}
	if run.Quick {
		b.WriteString("(--quick run: short durations, for a first look)\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tCASE\tTARGET\tREQ/S\tP50\tP99\tERRORS\tFIGURES")
	last := ""
	for _, c := range byScenario(run) {
		sc := c.Scenario
		if sc == last {
			sc = ""
		}
		last = c.Scenario
		row := []string{sc, c.Name, c.Target}
		for _, name := range mainFigures {
			f, ok := c.Lookup(name)
			row = append(row, cell(f, ok))
		}
		row = append(row, otherFigures(c))
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	for _, n := range footnotes(run) {
		b.WriteString("\n" + n)
	}
	if len(footnotes(run)) > 0 {
		b.WriteString("\n")
	}
	if len(run.Thresholds) > 0 {
		b.WriteString("\nTHRESHOLDS\n")
		for _, t := range run.Thresholds {
			b.WriteString(t.Message + "\n")
		}
	}
	return b.String()
}

// byScenario orders the cases by scenario (in run order), keeping their
// order within a scenario.
func byScenario(run *Run) []*Case {
	out := slices.Clone(run.Cases)
	rank := func(c *Case) int {
		if i := slices.Index(run.Scenarios, c.Scenario); i >= 0 {
			return i
		}
		return len(run.Scenarios)
	}
	slices.SortStableFunc(out, func(a, b *Case) int { return rank(a) - rank(b) })
	return out
}

// cell formats a main figure: "-" when the case has none, "n/a" when
// it is unknown.
func cell(f Figure, ok bool) string {
	switch {
	case !ok:
		return "-"
	case f.Unknown:
		return Unknown
	case f.Name == "rps" || f.Name == "errors":
		return fmt.Sprintf("%.0f", f.Value)
	}
	return FormatMs(f.Value)
}

// figureText formats a figure as "name value".
func figureText(f Figure) string {
	if f.Unknown {
		return f.Name + " " + Unknown
	}
	return f.Name + " " + FormatValue(f.Value, f.Unit)
}

// otherFigures lists a case's other key figures, its error and its notes
// about skipping.
func otherFigures(c *Case) string {
	var parts []string
	for _, f := range c.Figures {
		if !f.Key || isMain(f.Name) {
			continue
		}
		parts = append(parts, figureText(f))
	}
	if msg := c.NotReached(); msg != "" {
		parts = append([]string{msg}, parts...)
	}
	if c.Error != "" {
		msg := c.Error
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		parts = append(parts, "ERROR: "+msg)
	}
	if len(c.Figures) == 0 && c.Error == "" {
		parts = append(parts, c.Notes...)
	}
	return strings.Join(parts, ", ")
}

func isMain(name string) bool {
	for _, m := range mainFigures {
		if m == name {
			return true
		}
	}
	return false
}

// FormatMs prints milliseconds with a unit that suits them.
func FormatMs(ms float64) string {
	switch {
	case ms >= 1000:
		return fmt.Sprintf("%.2fs", ms/1000)
	case ms >= 10:
		return fmt.Sprintf("%.0fms", ms)
	case ms >= 1:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.2fms", ms)
}

// FormatValue prints a figure with its unit.
func FormatValue(v float64, unit string) string {
	switch unit {
	case "ms":
		return FormatMs(v)
	case "":
		if v == math.Trunc(v) {
			return fmt.Sprintf("%.0f", v)
		}
		return fmt.Sprintf("%.1f", v)
	case "%":
		return fmt.Sprintf("%.0f%%", v)
	case "KB", "MB", "MB/s":
		if v >= 100 {
			return fmt.Sprintf("%.0f %s", v, unit)
		}
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.0f %s", v, unit)
}

// footnotes explain the table: how TIME_WAIT was counted, and what n/a
// means when a figure is unknown.
func footnotes(run *Run) []string {
	var out []string
	unknown := false
	for _, c := range run.Cases {
		if c.TimeWait != "" && !slices.Contains(out, c.TimeWait) {
			out = append(out, c.TimeWait)
		}
		for _, f := range c.Figures {
			unknown = unknown || f.Unknown
		}
	}
	if unknown {
		out = append(out, Unknown+": a figure the bench cannot know for that server (busy workers without mod_status ?auto, memory and CPU without its pid), not 0")
	}
	return out
}
