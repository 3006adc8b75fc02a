package mpm

import (
	"log/slog"
	"net"
	"sync/atomic"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
)

// A ChildServer is an engine's child-side half: the serving loop of one
// child process (prefork: one connection at a time; worker: a fixed pool;
// event: an epoll loop and a pool).
//
// Serve serves connections from the child's listeners until Stop, calling
// ready once it accepts connections; it returns nil after a requested stop,
// or the error that stopped it (an error wrapping ErrChildSick or
// ErrChildFatal picks the exit code). Stop(true) is a graceful stop: stop
// accepting (close this child's listener copies), set Draining, let busy
// workers finish their request and answer it with Connection: close; an
// idle keep-alive connection is kept until its next request, which is
// answered with Connection: close, or until KeepAliveTimeout closes it
// (closing idle connections at once races with clients reusing them: that
// is how Apache loses requests in a graceful restart). For a graceful stop
// of the whole server the master sends PodGracefulStop, and an engine that
// implements IdleCloser (event) then closes its idle connections at once,
// as Apache's event MPM does. Serve returns when no connection is left. Stop(false) closes everything at once. Stop may be
// called more than once and from any goroutine; a later Stop(false)
// upgrades a graceful stop.
type ChildServer interface {
	Serve(ready func()) error
	Stop(graceful bool)
}

// ChildDeps is what every engine's child-side half is built from. The
// engine owns Listeners from then on and closes them when it stops.
type ChildDeps struct {
	// Listeners are the listening sockets, non-blocking, in the order of
	// the configuration. Each is a *net.TCPListener whose SyscallConn gives
	// the raw descriptor (the event engine polls it).
	Listeners []net.Listener
	// Server is a fasthttp.Server configured by the site: Handler (the whole
	// request chain: limits, routing, keep-alive decision, access log),
	// ErrorHandler, timeouts (ReadTimeout/WriteTimeout = Timeout,
	// IdleTimeout = KeepAliveTimeout), buffer sizes and body limit. Engines
	// call ServeConn on it, or (event) read its settings and call Handler.
	Server *fasthttp.Server
	// Protocol is how strictly requests are read (HttpProtocolOptions and
	// the LimitRequest* limits): engines read every connection through an
	// h1.Validator with these options.
	Protocol h1.Options
	// Board is the shared scoreboard; this child owns process slot Slot and
	// worker slots (Slot, 0..ThreadsPerChild-1).
	Board      *Scoreboard
	Slot       int
	Generation uint64
	// Draining is set by the engine when a graceful stop begins; the site
	// reads it to answer Connection: close (Apache's is_mpm_running check).
	Draining *atomic.Bool
	// VHost is "ServerName:port" for the scoreboard's vhost column.
	VHost string
	Log   *slog.Logger
}

// StopState is how far a child has been told to stop: not at all,
// gracefully, or at once. A later immediate stop upgrades a graceful one;
// nothing downgrades. The zero value is "serving".
type StopState struct{ level atomic.Int32 }

// Raise records a stop order.
func (s *StopState) Raise(graceful bool) {
	want := int32(2)
	if graceful {
		want = 1
	}
	for {
		old := s.level.Load()
		if old >= want || s.level.CompareAndSwap(old, want) {
			return
		}
	}
}

// Stopping reports whether any stop was ordered.
func (s *StopState) Stopping() bool { return s.level.Load() != 0 }

// Immediate reports whether an immediate stop was ordered.
func (s *StopState) Immediate() bool { return s.level.Load() == 2 }
