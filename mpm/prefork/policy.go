package prefork

import (
	"fmt"
	"log/slog"

	"github.com/gohttpd/gohttpd/mpm"
)

// Config holds the prefork directives, after conf applied Apache's
// defaults and prefork_check_config's clamping (the defaults are conf's;
// Validate only checks, and refuses a zero Config).
type Config struct {
	StartServers      int // children at start
	MinSpareServers   int // fewest idle children
	MaxSpareServers   int // most idle children
	MaxRequestWorkers int // most children, so most concurrent connections
	// MaxConnectionsPerChild is how many connections a child serves before
	// it exits (0 = never).
	MaxConnectionsPerChild int
}

// Validate reports every impossible value as an *mpm.ConfigError.
func (cfg Config) Validate() error {
	c := mpm.ConfigCheck{Engine: "prefork"}
	c.Check(cfg.StartServers >= 1, "StartServers", cfg.StartServers, "must be at least 1")
	c.Check(cfg.MinSpareServers >= 1, "MinSpareServers", cfg.MinSpareServers, "must be at least 1")
	c.Check(cfg.MaxSpareServers >= cfg.MinSpareServers, "MaxSpareServers", cfg.MaxSpareServers, "must be at least MinSpareServers")
	c.Check(cfg.MaxRequestWorkers >= 1, "MaxRequestWorkers", cfg.MaxRequestWorkers, "must be at least 1")
	c.Check(cfg.MaxConnectionsPerChild >= 0, "MaxConnectionsPerChild", cfg.MaxConnectionsPerChild, "must not be negative")
	return c.Err()
}

// Policy is prefork's maintenance (prefork.c perform_idle_server_maintenance,
// over every child: with listener buckets its children still land in
// buckets by slot, as Apache's do): it keeps MinSpareServers to MaxSpareServers
// idle children, spawning 1, 2, 4 ... 32 per pass while short and retiring
// one idle child per pass while in excess.
type Policy struct {
	cfg Config
	log *slog.Logger

	rate        mpm.SpawnRate
	reportedMRW bool
}

var _ mpm.Policy = (*Policy)(nil)

// NewPolicy returns prefork's maintenance policy.
func NewPolicy(cfg Config, log *slog.Logger) *Policy {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Policy{cfg: cfg, log: log.With("module", "mpm_prefork")}
}

// StartChildren implements mpm.Policy.
func (p *Policy) StartChildren() int { return min(p.cfg.StartServers, p.cfg.MaxRequestWorkers) }

// MaxChildren implements mpm.Policy.
func (p *Policy) MaxChildren() int { return p.cfg.MaxRequestWorkers }

// ThreadsPerChild implements mpm.Policy: a prefork child is one worker.
func (p *Policy) ThreadsPerChild() int { return 1 }

// Maintain implements mpm.Policy. A child is idle while its slot is
// STARTING or READY (a starting child counts as idle, as in Apache).
func (p *Policy) Maintain(v mpm.View) mpm.Decision {
	idle, total := 0, 0
	retire := -1
	for _, c := range v.Children {
		if c.Retiring {
			continue
		}
		total++
		if v.Board.Worker(c.Slot, 0).State() <= mpm.StateReady {
			idle++
			// Retire the idle child in the highest slot, so the low slots
			// stay dense.
			if c.Slot > retire {
				retire = c.Slot
			}
		}
	}
	free := 0
	for _, s := range v.FreeSlots {
		if s < p.cfg.MaxRequestWorkers {
			free++
		}
	}
	free = min(free, p.cfg.MaxRequestWorkers-total)
	d := mpm.Decision{Retire: -1}
	switch {
	case idle > p.cfg.MaxSpareServers:
		d.Retire = retire
		p.rate.Reset()
	case idle < p.cfg.MinSpareServers:
		if free <= 0 {
			if !p.reportedMRW {
				p.log.Error("server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting")
				p.reportedMRW = true
			}
			p.rate.Reset()
			break
		}
		if p.rate.Busy() {
			p.log.Info(fmt.Sprintf("server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), spawning %d children, there are %d idle, and %d total children",
				min(p.rate.Rate(), free), idle, total))
		}
		d.Spawn = min(p.rate.Rate(), free)
		p.rate.Double()
	default:
		p.rate.Reset()
	}
	return d
}
