package report

import (
	"time"

	"github.com/gohttpd/gohttpd/bench/clients"
	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/sample"
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

// Figure returns the value of the named figure and whether it exists.
func (c *Case) Figure(name string) (float64, bool) {
	for _, f := range c.Figures {
		if f.Name == name {
			return f.Value, true
		}
	}
	return 0, false
}
