package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gohttpd/gohttpd/bench/clients"
	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/sample"
	"github.com/gohttpd/gohttpd/bench/threshold"
)

// Run is one bench run: where it ran, with what, and every case's result.
type Run struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Machine  Machine   `json:"machine"`
	// Args are the bench's command-line arguments.
	Args []string `json:"args"`
	// Quick is set for --quick runs.
	Quick bool `json:"quick"`
	// Scenarios and Targets are what was asked for, in order.
	Scenarios []string `json:"scenarios"`
	Targets   []string `json:"targets"`
	Cases     []*Case  `json:"cases"`
	// Interrupted is set when the run was stopped before its end.
	Interrupted bool `json:"interrupted,omitempty"`
	// Skipped names the comparison servers that were asked for but could
	// not run (not installed), with the reason.
	Skipped []string `json:"skipped,omitempty"`
	// Thresholds are the --threshold checks' outcomes.
	Thresholds []threshold.Result `json:"thresholds,omitempty"`
}

// ThresholdsFailed reports whether any threshold failed.
func (r *Run) ThresholdsFailed() bool {
	for _, t := range r.Thresholds {
		if !t.Pass {
			return true
		}
	}
	return false
}

// Machine records where a run happened.
type Machine struct {
	Hostname  string `json:"hostname"`
	Kernel    string `json:"kernel"`
	CPUModel  string `json:"cpuModel"`
	CPUs      int    `json:"cpus"`
	MemoryMB  int64  `json:"memoryMB"`
	GoVersion string `json:"goVersion"`
	// Gohttpd is the version line of the gohttpd binary that was measured.
	Gohttpd string `json:"gohttpd"`
	// Pinning describes CPU pinning ("none" or "server CPUs [0], load
	// CPUs [1]").
	Pinning string `json:"pinning"`
	// GOMAXPROCS is the load generator's.
	GOMAXPROCS int `json:"gomaxprocs"`
	// Sysctls are kernel settings that shape the results.
	Sysctls map[string]string `json:"sysctls"`
	// Servers are the versions of the other servers the bench started
	// (--compare), by name.
	Servers map[string]string `json:"servers,omitempty"`
}

// Case is one measured case of a scenario on one target.
type Case struct {
	Scenario string `json:"scenario"`
	// Name tells the case apart within its scenario ("1k", "server-close").
	Name string `json:"case"`
	// Target is the engine or the external server's name.
	Target string `json:"target"`
	// Directives are the scenario's directives given to gohttpd.
	Directives []string `json:"directives,omitempty"`
	// Load is the main load's summary (nil when there was none).
	Load *load.Summary `json:"load,omitempty"`
	// Clients are the special clients' final counts, by kind.
	Clients map[string]clients.Stats `json:"clients,omitempty"`
	// Figures are the case's named results, in the order of the table.
	Figures []Figure `json:"figures"`
	// Ramp is memory against idle connections (idle-pressure only).
	Ramp []RampPoint `json:"ramp,omitempty"`
	// Samples are the sampler's observations during the case.
	Samples []sample.Sample `json:"samples"`
	// SamplerErrors are the samplers' first failure by source.
	SamplerErrors map[string]string `json:"samplerErrors,omitempty"`
	// Notes explain anything unusual.
	Notes []string `json:"notes,omitempty"`
	// Error is set when the case could not run.
	Error string `json:"error,omitempty"`
	// Premise says whether the case reached the condition it exists to
	// show (nil when it has none to check).
	Premise *Premise `json:"premise,omitempty"`
	// TimeWait says how the case's TIME_WAIT sockets were counted.
	TimeWait string `json:"timeWaitAccounting,omitempty"`
	// Seconds is the case's wall-clock time.
	Seconds float64 `json:"seconds"`
}

// Figure is one named number of a case.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	// Key marks the figures the terminal table shows.
	Key bool `json:"key,omitempty"`
	// Unknown marks a figure the bench could not measure on this target
	// (busy workers of a server without mod_status, memory without a
	// pid): the table and the HTML show it as n/a, and bench.json's value
	// is null, never 0.
	Unknown bool `json:"unknown,omitempty"`
}

// Unknown is how the table and charts show an unknown figure.
const Unknown = "n/a"

// figureJSON is Figure's JSON form, with a null value when unknown.
type figureJSON struct {
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Unit    string   `json:"unit,omitempty"`
	Key     bool     `json:"key,omitempty"`
	Unknown bool     `json:"unknown,omitempty"`
}

// MarshalJSON writes an unknown figure's value as null.
func (f Figure) MarshalJSON() ([]byte, error) {
	j := figureJSON{Name: f.Name, Unit: f.Unit, Key: f.Key, Unknown: f.Unknown}
	if !f.Unknown {
		j.Value = &f.Value
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a null value as unknown.
func (f *Figure) UnmarshalJSON(b []byte) error {
	var j figureJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("report: figure: %w", err)
	}
	*f = Figure{Name: j.Name, Unit: j.Unit, Key: j.Key, Unknown: j.Unknown || j.Value == nil}
	if j.Value != nil {
		f.Value = *j.Value
	}
	return nil
}

// RampPoint is the server's memory with a number of idle connections.
type RampPoint struct {
	Idle int   `json:"idle"` // idle connections the server answered
	Open int   `json:"open"` // idle connections open on the client side
	RSS  int64 `json:"rss"`
	PSS  int64 `json:"pss"`
	Busy int   `json:"busyWorkers"`
	// Processes counts the server's processes.
	Processes int `json:"processes"`
}

// Add appends a figure; key figures appear in the terminal table.
func (c *Case) Add(name string, v float64, unit string, key bool) {
	c.Figures = append(c.Figures, Figure{Name: name, Value: v, Unit: unit, Key: key})
}

// AddUnknown appends a figure the bench could not measure on this target.
func (c *Case) AddUnknown(name, unit string, key bool) {
	c.Figures = append(c.Figures, Figure{Name: name, Unit: unit, Key: key, Unknown: true})
}

// AddMaybe appends a figure with value v when known is set, else as
// unknown.
func (c *Case) AddMaybe(name string, v float64, known bool, unit string, key bool) {
	if !known {
		c.AddUnknown(name, unit, key)
		return
	}
	c.Add(name, v, unit, key)
}

// Figure returns the value of the named figure and whether it exists and
// is known.
func (c *Case) Figure(name string) (float64, bool) {
	f, ok := c.Lookup(name)
	return f.Value, ok && !f.Unknown
}

// Lookup returns the named figure, known or not.
func (c *Case) Lookup(name string) (Figure, bool) {
	for _, f := range c.Figures {
		if f.Name == name {
			return f, true
		}
	}
	return Figure{}, false
}

// Premise says whether a case reached the condition it exists to show
// (children recycled, slow clients connected, ...). A case that did not
// reached it measured something else: the table and the HTML say so.
type Premise struct {
	// Reached is false when the condition was not met.
	Reached bool `json:"reached"`
	// What names the condition ("children recycled by
	// MaxConnectionsPerChild"); Why says what was seen instead.
	What string `json:"what"`
	Why  string `json:"why,omitempty"`
}

// NotReached returns the case's "premise not reached: ..." note, or "".
func (c *Case) NotReached() string {
	if c.Premise == nil || c.Premise.Reached {
		return ""
	}
	msg := "premise not reached: " + c.Premise.What
	if c.Premise.Why != "" {
		msg += " (" + c.Premise.Why + ")"
	}
	return msg
}

// Expect records whether the case reached its premise what; why says
// what was seen when it did not.
func (c *Case) Expect(reached bool, what, why string) {
	c.Premise = &Premise{Reached: reached, What: what}
	if !reached {
		c.Premise.Why = why
	}
}
