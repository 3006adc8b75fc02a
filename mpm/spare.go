package mpm

import (
	"fmt"
	"log/slog"
)

// SpareThreads is the threaded engines' maintenance policy (worker.c and
// event.c perform_idle_server_maintenance for one listener bucket; with
// several, the master runs one per bucket over that bucket's slots): idle
// workers are counted across the children of the current generation;
// below MinSpareThreads whole children are added at 1, 2, 4 ... 32 per
// pass, above MaxSpareThreads one child is retired per pass. The worker
// and event packages wrap it with their own defaults.
type SpareThreads struct {
	StartServers      int
	MinSpareThreads   int
	MaxSpareThreads   int
	Threads           int // ThreadsPerChild
	MaxRequestWorkers int
	Log               *slog.Logger
	// Module names the engine in log lines ("mpm_worker", "mpm_event").
	Module string

	rate            SpawnRate
	reportedMRW     bool
	reportedMinimum bool
}

var _ Policy = (*SpareThreads)(nil)

// StartChildren implements Policy: min(StartServers, daemons_limit).
func (p *SpareThreads) StartChildren() int { return min(p.StartServers, p.MaxChildren()) }

// MaxChildren implements Policy: daemons_limit = MaxRequestWorkers /
// ThreadsPerChild (conf has already rounded and capped both).
func (p *SpareThreads) MaxChildren() int { return max(1, p.MaxRequestWorkers/max(1, p.Threads)) }

// ThreadsPerChild implements Policy.
func (p *SpareThreads) ThreadsPerChild() int { return p.Threads }

// Maintain implements Policy.
func (p *SpareThreads) Maintain(v View) Decision {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	idle, active, activeChildren := 0, 0, 0
	retire, retireIdle := -1, -1
	for _, c := range v.Children {
		proc := v.Board.Process(c.Slot)
		current := c.Generation == v.Generation && !c.Retiring
		if current {
			activeChildren++
		}
		childIdle := 0
		for j := range min(p.Threads, v.Board.ThreadLimit()) {
			st := v.Board.Worker(c.Slot, j).State()
			if st <= StateReady && current && !proc.NotAccepting() {
				childIdle++
			}
			if st >= StateReady && st < StateGraceful {
				active++
			}
		}
		idle += childIdle
		// Retire the current child with the most idle workers (Apache lets
		// whichever child reads the pipe of death go, busy or not).
		if current && childIdle > retireIdle {
			retire, retireIdle = c.Slot, childIdle
		}
	}
	d := Decision{Retire: -1}
	switch {
	case idle > p.MaxSpareThreads:
		d.Retire = retire
		p.rate.Reset()
	case idle < p.MinSpareThreads:
		switch {
		case active >= p.MaxRequestWorkers || activeChildren >= p.MaxChildren():
			if idle == 0 && !p.reportedMRW {
				log.Error("server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting", "module", p.Module)
				p.reportedMRW = true
			} else if idle > 0 && !p.reportedMinimum {
				log.Error("server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting", "module", p.Module)
				p.reportedMinimum = true
			}
			p.rate.Reset()
		case len(v.FreeSlots) == 0:
			log.Error("scoreboard is full, not at MaxRequestWorkers.Increase ServerLimit.", "module", p.Module)
			p.rate.Reset()
		default:
			n := min(len(v.FreeSlots), p.rate.Rate(), p.MaxChildren()-activeChildren)
			if p.rate.Busy() {
				log.Info(fmt.Sprintf("server seems busy, (you may need to increase StartServers, ThreadsPerChild or Min/MaxSpareThreads), spawning %d children, there are around %d idle threads, %d active children, and %d children that are shutting down",
					n, idle, activeChildren, len(v.Children)-activeChildren), "module", p.Module)
			}
			d.Spawn = n
			p.rate.Double()
		}
	default:
		p.rate.Reset()
	}
	return d
}
