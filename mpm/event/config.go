package event

import (
	"time"

	"github.com/gohttpd/gohttpd/mpm"
)

// Config holds the event directives this engine uses; cmd/gohttpd fills it
// from the configuration snapshot, whose defaults are conf's (this package
// has none): a zero Config is refused by Validate.
type Config struct {
	// ThreadsPerChild is the number of workers in this child, at least 1;
	// it must not exceed the scoreboard's ThreadLimit.
	ThreadsPerChild int
	// AsyncRequestWorkerFactor bounds the connections a child accepts:
	// ThreadsPerChild + idle workers × AsyncRequestWorkerFactor, the
	// factor truncated to an integer as Apache 2.4 does. Positive.
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
	// fasthttp.Server. Positive (conf's WaitTimeout).
	Timeout time.Duration
	// OneShot registers connections level-triggered and one-shot
	// (EPOLLONESHOT), re-armed with EPOLL_CTL_MOD each time one is parked,
	// instead of once, edge-triggered, for both directions (the default).
	// The EpollTrigger directive (OneShot or Edge) sets it; see
	// poller_linux.go for the difference.
	OneShot bool
	// NetpollWait makes the loop wait in Go's netpoller rather than block
	// its thread in epoll_wait: for handlers that wait on Go network
	// connections (a reverse proxy's backends), so that one thread
	// waits for both. See poller.f (poller_linux.go). Since issue 18 the
	// loop always does (raw system calls on the hot path made it the
	// cheaper wait for static files too); the field is kept and implied.
	NetpollWait bool
}

// Lingering close (Apache's MAX_SECS_TO_LINGER and SECONDS_TO_LINGER): after shutdown(SHUT_WR) the loop
// drains the client for lingerWait after the last bytes it sent, never
// longer than lingerMax in all.
const (
	lingerWait = 2 * time.Second
	lingerMax  = 30 * time.Second
)

// Validate reports every impossible value as an *mpm.ConfigError naming
// its directive. It only checks: the defaults are conf's.
func (cfg Config) Validate() error {
	c := mpm.ConfigCheck{Engine: "event"}
	c.Check(cfg.ThreadsPerChild >= 1, "ThreadsPerChild", cfg.ThreadsPerChild, "must be at least 1")
	c.Check(cfg.AsyncRequestWorkerFactor > 0, "AsyncRequestWorkerFactor", cfg.AsyncRequestWorkerFactor, "must be positive")
	c.Check(cfg.MaxConnectionsPerChild >= 0, "MaxConnectionsPerChild", cfg.MaxConnectionsPerChild, "must not be negative")
	c.Check(cfg.KeepAliveTimeout >= 0, "KeepAliveTimeout", cfg.KeepAliveTimeout, "must not be negative")
	c.Check(cfg.Timeout > 0, "Timeout", cfg.Timeout, "must be positive")
	return c.Err()
}

// workerFactor is AsyncRequestWorkerFactor truncated as Apache does:
// worker_factor = factor×16 (an int), then worker_factor/16 in integer
// arithmetic, so 2.5 counts as 2 and 0.9 as 0.
func (cfg Config) workerFactor() int {
	return int(cfg.AsyncRequestWorkerFactor*16) / 16
}
