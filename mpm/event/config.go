package event

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the event directives this engine uses; cmd/gohttpd fills it
// from the configuration snapshot. Zero fields take Apache's defaults (see
// each field), except KeepAliveTimeout, whose zero turns keep-alive off.
type Config struct {
	// ThreadsPerChild is the number of workers in this child. Default 25
	// (Apache's); it must not exceed the scoreboard's ThreadLimit.
	ThreadsPerChild int
	// AsyncRequestWorkerFactor bounds the connections a child accepts:
	// ThreadsPerChild + idle workers × AsyncRequestWorkerFactor, the
	// factor truncated to an integer as Apache 2.4 does. Default 2.
	AsyncRequestWorkerFactor float64
	// MaxConnectionsPerChild is the number of connections this child
	// accepts before it stops gracefully. 0 means unlimited.
	MaxConnectionsPerChild int
	// KeepAliveTimeout is how long an idle keep-alive connection is kept
	// parked. 0 turns keep-alive off: every response says
	// Connection: close.
	KeepAliveTimeout time.Duration
	// Timeout bounds every socket wait: reading a request once its first
	// byte arrived (each wait for more bytes), writing a response (each
	// wait for the client to take more) and write completion in the loop
	// (each wait for progress). It also bounds the wait for the first
	// byte of a new connection unless the fasthttp.Server has a
	// ReadTimeout, which then bounds that wait and each request's header
	// (and HeaderReceived's ReadTimeout each body), as under
	// fasthttp.Server. Default 60 s (Apache's).
	Timeout time.Duration
	// OneShot registers connections level-triggered and one-shot
	// (EPOLLONESHOT), re-armed with EPOLL_CTL_MOD each time one is parked,
	// instead of once, edge-triggered, for both directions (the default).
	// The EpollTrigger directive (OneShot or Edge) sets it; see
	// poller_linux.go for the difference.
	OneShot bool
}

// Apache's defaults for the event MPM (its documentation of
// ThreadsPerChild, AsyncRequestWorkerFactor and Timeout).
const (
	DefaultThreadsPerChild          = 25
	DefaultAsyncRequestWorkerFactor = 2
	DefaultTimeout                  = 60 * time.Second
)

// Lingering close (Apache's MAX_SECS_TO_LINGER and SECONDS_TO_LINGER): after shutdown(SHUT_WR) the loop
// drains the client for lingerWait after the last bytes it sent, never
// longer than lingerMax in all.
const (
	lingerWait = 2 * time.Second
	lingerMax  = 30 * time.Second
)

// withDefaults returns cfg with its zero fields set to Apache's defaults.
func (cfg Config) withDefaults() Config {
	if cfg.ThreadsPerChild == 0 {
		cfg.ThreadsPerChild = DefaultThreadsPerChild
	}
	if cfg.AsyncRequestWorkerFactor == 0 {
		cfg.AsyncRequestWorkerFactor = DefaultAsyncRequestWorkerFactor
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return cfg
}

// validate reports the first impossible value, naming its directive.
func (cfg Config) validate() error {
	var errs []error
	if cfg.ThreadsPerChild < 1 {
		errs = append(errs, fmt.Errorf("event: ThreadsPerChild %d: must be at least 1", cfg.ThreadsPerChild))
	}
	if cfg.AsyncRequestWorkerFactor < 0 {
		errs = append(errs, fmt.Errorf("event: AsyncRequestWorkerFactor %g: must not be negative", cfg.AsyncRequestWorkerFactor))
	}
	if cfg.MaxConnectionsPerChild < 0 {
		errs = append(errs, fmt.Errorf("event: MaxConnectionsPerChild %d: must not be negative", cfg.MaxConnectionsPerChild))
	}
	if cfg.KeepAliveTimeout < 0 {
		errs = append(errs, fmt.Errorf("event: KeepAliveTimeout %v: must not be negative", cfg.KeepAliveTimeout))
	}
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("event: Timeout %v: must not be negative", cfg.Timeout))
	}
	return errors.Join(errs...)
}

// workerFactor is AsyncRequestWorkerFactor truncated as Apache does:
// worker_factor = factor×16 (an int), then worker_factor/16 in integer
// arithmetic, so 2.5 counts as 2 and 0.9 as 0.
func (cfg Config) workerFactor() int {
	return int(cfg.AsyncRequestWorkerFactor*16) / 16
}
