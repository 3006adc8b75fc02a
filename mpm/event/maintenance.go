package event

import (
	"log/slog"

	"github.com/gohttpd/gohttpd/mpm"
)

// PolicyConfig holds the event directives the master's maintenance pass
// uses, after conf applied Apache's defaults and event_check_config.
type PolicyConfig struct {
	StartServers      int // children at start (default 3)
	MinSpareThreads   int // fewest idle workers over all children (default 75)
	MaxSpareThreads   int // most idle workers over all children (default 250)
	ThreadsPerChild   int // workers per child (default 25)
	MaxRequestWorkers int // most workers over all active children (default 400)
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
