package event

import (
	"log/slog"

	"github.com/gohttpd/gohttpd/mpm"
)

// PolicyConfig holds the event directives the master's maintenance pass
// uses, after conf applied Apache's defaults and event_check_config (the
// defaults are conf's; Validate only checks).
type PolicyConfig struct {
	StartServers      int // children at start
	MinSpareThreads   int // fewest idle workers over all children
	MaxSpareThreads   int // most idle workers over all children
	ThreadsPerChild   int // workers per child
	MaxRequestWorkers int // most workers over all active children
}

// Validate reports every impossible value as an *mpm.ConfigError.
func (cfg PolicyConfig) Validate() error {
	c := mpm.ConfigCheck{Engine: "event"}
	c.Check(cfg.StartServers >= 1, "StartServers", cfg.StartServers, "must be at least 1")
	c.Check(cfg.MinSpareThreads >= 1, "MinSpareThreads", cfg.MinSpareThreads, "must be at least 1")
	c.Check(cfg.MaxSpareThreads >= cfg.MinSpareThreads, "MaxSpareThreads", cfg.MaxSpareThreads, "must be at least MinSpareThreads")
	c.Check(cfg.ThreadsPerChild >= 1, "ThreadsPerChild", cfg.ThreadsPerChild, "must be at least 1")
	c.Check(cfg.MaxRequestWorkers >= cfg.ThreadsPerChild, "MaxRequestWorkers", cfg.MaxRequestWorkers, "must be at least ThreadsPerChild")
	return c.Err()
}

// NewPolicy returns the event engine's maintenance policy: Apache's
// spare-thread algorithm at whole-child granularity. Idle workers of a
// child that stopped accepting (admission) do not count as spare; active
// children stay within MaxRequestWorkers/ThreadsPerChild while gracefully
// finishing ones may use the slots up to ServerLimit.
func NewPolicy(cfg PolicyConfig, log *slog.Logger) mpm.Policy {
	return &mpm.SpareThreads{
		StartServers:      cfg.StartServers,
		MinSpareThreads:   cfg.MinSpareThreads,
		MaxSpareThreads:   cfg.MaxSpareThreads,
		Threads:           cfg.ThreadsPerChild,
		MaxRequestWorkers: cfg.MaxRequestWorkers,
		Log:               log,
		Module:            "mpm_event",
	}
}
