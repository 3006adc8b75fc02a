package main

import (
	"fmt"
	"log/slog"
	"math"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/h1"
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
		KeepAliveTimeout:         cfg.HTTP.ParkTimeout(),
		Timeout:                  cfg.HTTP.WaitTimeout(),
		OneShot:                  e.EpollTrigger == conf.TriggerOneShot,
		NetpollWait:              configProxies(cfg),
	}
}

// protocolOptions is how every engine reads requests: HttpProtocolOptions
// and the LimitRequest* limits.
func protocolOptions(cfg *conf.Config) h1.Options {
	h := &cfg.HTTP
	return h1.Options{
		Unsafe:            h.ProtocolOptions.Unsafe,
		RegisteredMethods: h.ProtocolOptions.RegisteredMethods,
		Require10:         h.ProtocolOptions.Require10,
		MaxLine:           unlimited(h.LimitRequestLine),
		MaxField:          unlimited(h.LimitRequestFieldSize),
		MaxFields:         unlimited(h.LimitRequestFields),
	}
}

// unlimited maps a LimitRequest* value of 0 (no limit) to one h1 never
// reaches (h1 reads 0 as Apache's default).
func unlimited(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}

// policiesFor returns the master-side maintenance policies of cfg's
// engine, one per listener bucket (nb), each with its share of the limits
// (mpm.SplitBuckets). prefork keeps one policy over all children, as
// Apache's prefork does (its children still land in buckets by slot).
func policiesFor(cfg *conf.Config, nb int, log *slog.Logger) []mpm.Policy {
	if nb <= 1 || cfg.MPM == conf.Prefork {
		return []mpm.Policy{policyFor(cfg, log)}
	}
	e := cfg.Engine
	shares := mpm.SplitBuckets(mpm.Limits{
		StartServers: e.StartServers, MaxRequestWorkers: e.MaxRequestWorkers,
		MinSpareThreads: e.MinSpareThreads, MaxSpareThreads: e.MaxSpareThreads,
		ThreadsPerChild: e.ThreadsPerChild,
	}, nb)
	out := make([]mpm.Policy, len(shares))
	for b, l := range shares {
		c := *cfg
		c.Engine.StartServers, c.Engine.MaxRequestWorkers = l.StartServers, l.MaxRequestWorkers
		c.Engine.MinSpareThreads, c.Engine.MaxSpareThreads = l.MinSpareThreads, l.MaxSpareThreads
		out[b] = policyFor(&c, log.With("bucket", b))
	}
	return out
}

// policyFor returns the master-side maintenance policy of cfg's engine.
func policyFor(cfg *conf.Config, log *slog.Logger) mpm.Policy {
	switch cfg.MPM {
	case conf.Prefork:
		return prefork.NewPolicy(preforkConfig(cfg), log)
	case conf.Worker:
		return worker.NewPolicy(workerConfig(cfg), log)
	default:
		return event.NewPolicy(eventPolicyConfig(cfg), log)
	}
}

// eventPolicyConfig is the event engine's master-side settings.
func eventPolicyConfig(cfg *conf.Config) event.PolicyConfig {
	e := cfg.Engine
	return event.PolicyConfig{
		StartServers:      e.StartServers,
		MinSpareThreads:   e.MinSpareThreads,
		MaxSpareThreads:   e.MaxSpareThreads,
		ThreadsPerChild:   e.ThreadsPerChild,
		MaxRequestWorkers: e.MaxRequestWorkers,
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

// threadLimit is the scoreboard's worker slots per process: ThreadLimit,
// which conf makes 1 for prefork (Apache's HARD_THREAD_LIMIT).
func threadLimit(cfg *conf.Config) int {
	return cfg.Engine.ThreadLimit
}
