package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/mpm/event"
	"github.com/gohttpd/gohttpd/mpm/prefork"
	"github.com/gohttpd/gohttpd/mpm/worker"
)

// The only place that knows every engine: it maps the configuration
// snapshot onto each engine's own Config and picks the engine by name.

func preforkConfig(cfg *conf.Config) prefork.Config {
	e := cfg.Engine
	return prefork.Config{
		StartServers:           e.StartServers,
		MinSpareServers:        e.MinSpareServers,
		MaxSpareServers:        e.MaxSpareServers,
		MaxRequestWorkers:      e.MaxRequestWorkers,
		MaxConnectionsPerChild: e.MaxConnectionsPerChild,
	}
}

func workerConfig(cfg *conf.Config) worker.Config {
	e := cfg.Engine
	return worker.Config{
		StartServers:           e.StartServers,
		MinSpareThreads:        e.MinSpareThreads,
		MaxSpareThreads:        e.MaxSpareThreads,
		ThreadsPerChild:        e.ThreadsPerChild,
		MaxRequestWorkers:      e.MaxRequestWorkers,
		MaxConnectionsPerChild: e.MaxConnectionsPerChild,
	}
}

func eventConfig(cfg *conf.Config) event.Config {
	e := cfg.Engine
	return event.Config{
		ThreadsPerChild:          e.ThreadsPerChild,
		AsyncRequestWorkerFactor: e.AsyncRequestWorkerFactor,
		MaxConnectionsPerChild:   e.MaxConnectionsPerChild,
		KeepAliveTimeout:         keepAliveTimeout(cfg),
		Timeout:                  cfg.HTTP.Timeout,
		OneShot:                  e.EpollTrigger == conf.TriggerOneShot,
	}
}

// keepAliveTimeout is 0 when keep-alive is off, as the event engine wants.
func keepAliveTimeout(cfg *conf.Config) time.Duration {
	if !cfg.HTTP.KeepAlive {
		return 0
	}
	return cfg.HTTP.KeepAliveTimeout
}

// policyFor returns the master-side maintenance policy of cfg's engine.
func policyFor(cfg *conf.Config, log *slog.Logger) mpm.Policy {
	switch cfg.MPM {
	case conf.Prefork:
		return prefork.NewPolicy(preforkConfig(cfg), log)
	case conf.Worker:
		return worker.NewPolicy(workerConfig(cfg), log)
	default:
		e := cfg.Engine
		return event.NewPolicy(event.PolicyConfig{
			StartServers:      e.StartServers,
			MinSpareThreads:   e.MinSpareThreads,
			MaxSpareThreads:   e.MaxSpareThreads,
			ThreadsPerChild:   e.ThreadsPerChild,
			MaxRequestWorkers: e.MaxRequestWorkers,
		}, log)
	}
}

// childFor returns the child-side serving loop of cfg's engine.
func childFor(cfg *conf.Config, deps mpm.ChildDeps) (mpm.ChildServer, error) {
	switch cfg.MPM {
	case conf.Prefork:
		return prefork.New(preforkConfig(cfg), deps)
	case conf.Worker:
		return worker.New(workerConfig(cfg), deps)
	case conf.Event:
		return event.New(eventConfig(cfg), deps)
	}
	return nil, fmt.Errorf("unknown MPM %q", cfg.MPM)
}

// threadLimit is the scoreboard's worker slots per process: 1 for prefork
// (Apache's HARD_THREAD_LIMIT), ThreadLimit otherwise.
func threadLimit(cfg *conf.Config) int {
	if cfg.MPM == conf.Prefork {
		return 1
	}
	return cfg.Engine.ThreadLimit
}
