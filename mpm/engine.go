package mpm

import (
	"crypto/tls"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/internal/proxyproto"
)

// A ChildServer is an engine's child-side half: the serving loop of one
// child process (prefork: one connection at a time; worker: a fixed pool;
// event: an epoll loop and a pool). The contract is the package doc's.
type ChildServer interface {
	// Serve serves connections from the child's listeners until Stop,
	// calling ready once it accepts connections. It returns nil after a
	// requested stop, or the error that stopped it (one wrapping
	// ErrChildSick or ErrChildFatal picks the exit code). It is called
	// once, on the child's main goroutine.
	//
	// Threading: ready runs on Serve's goroutine, before Serve blocks.
	Serve(ready func()) error
	// Stop orders a stop in mode.
	//
	// Threading: Stop may be called from any goroutine (RunChild calls it
	// from the goroutine that reads the pipe of death), before or during
	// Serve, and more than once: a stronger mode upgrades a weaker one,
	// nothing downgrades.
	Stop(mode StopMode)
}

// A StopMode is how a child stops: one mode per pipe-of-death order, in
// increasing strength.
type StopMode int32

const (
	// StopGraceful (PodGraceful: a restart or a retirement): stop
	// accepting, close the listener copies, set Draining; busy workers
	// finish their request and answer it with Connection: close; an idle
	// keep-alive connection is kept until its next request, answered with
	// Connection: close, or until KeepAliveTimeout closes it (closing idle
	// connections at once races with clients reusing them: that is how
	// Apache loses requests in a graceful restart). Serve returns when no
	// connection is left.
	StopGraceful StopMode = iota + 1
	// StopGracefulIdle (PodGracefulStop: a graceful stop of the whole
	// server) is StopGraceful, except that an engine that parks idle
	// keep-alive connections (event) closes them at once, as Apache's
	// event MPM does, since no generation will serve their next request.
	// The other engines treat it as StopGraceful.
	StopGracefulIdle
	// StopImmediate (PodImmediate, or the master went away): close every
	// connection at once; Serve returns when busy handlers have returned
	// (the event engine waits for them at most a second).
	StopImmediate
)

// PodMode is the StopMode of a pipe-of-death order (PodGraceful,
// PodGracefulStop, PodImmediate); an unknown order stops at once.
func PodMode(order byte) StopMode {
	switch order {
	case PodGraceful:
		return StopGraceful
	case PodGracefulStop:
		return StopGracefulIdle
	}
	return StopImmediate
}

func (m StopMode) String() string {
	switch m {
	case 0:
		return "serving"
	case StopGraceful:
		return "graceful"
	case StopGracefulIdle:
		return "graceful-idle"
	case StopImmediate:
		return "immediate"
	}
	return "StopMode(" + strconv.Itoa(int(m)) + ")"
}

// RequestNumberer is a connection that numbers its requests: the event
// engine's, whose RequestCtx comes from RequestCtx.Init2, where
// ctx.ConnRequestNum stays 0. The site reads it through ctx.Conn() for
// MaxKeepAliveRequests and %k.
type RequestNumberer interface {
	// ConnRequestNum is the number of the request being served, 1 for
	// the first.
	ConnRequestNum() uint64
}

// ProtocolConn is a connection an engine reads through an h1.Validator
// (Conn, the event engine's): the site finds the raw request line, the
// HttpProtocolOptions violation and HTTP/0.9 through ctx.Conn().
type ProtocolConn interface {
	// RequestLine is the raw request line of the request being read, or
	// nil.
	RequestLine() []byte
	// ProtocolError is the violation that ended the connection's input
	// (an *h1.Error), or nil.
	ProtocolError() error
	// HTTP09 reports whether the connection carries an HTTP/0.9 request.
	HTTP09() bool
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
	// call ServeConn on it, or (event) serve it with internal/h1serve,
	// whose Settings table says which fields are honoured.
	//
	// Threading: Handler, ErrorHandler, HeaderReceived, ContinueHandler and
	// ExpectHandler run on the engine's workers, many at once; a
	// HijackHandler runs on a goroutine of its own.
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
	//
	// Threading: stored by the goroutine that calls Stop, read by the
	// handlers on the engine's workers.
	Draining *atomic.Bool
	// VHost is "ServerName:port" for the scoreboard's vhost column.
	VHost string
	Log   *slog.Logger
	// TLS is parallel to Listeners: the TLS configuration of each
	// listener (SSLEngine on, Listen ... https), nil for a plain one; a
	// short or nil slice means plain for the listeners it does not
	// cover. Engines handshake with crypto/tls (tls.Server) and then read
	// the plaintext through the Validator as on a plain connection. The
	// config is shared, never modified by the engine (internal/tlsconf's
	// Set.Config()).
	TLS []*tls.Config
	// HandshakeTimeout bounds a TLS handshake (RequestReadTimeout's
	// handshake= stage); 0 means Timeout (Server.WriteTimeout), or 60 s
	// when that is 0 too.
	HandshakeTimeout time.Duration
	// H2 is the HTTP/2 setup (Protocols, H2*): nil or all-off serves
	// HTTP/1.1 only. See NewH2 (h2.go).
	H2 *H2Config
	// PlainHTTP, when set, is called on the worker after a client that
	// spoke plain HTTP on a TLS listener was answered with
	// PlainHTTPResponse: resp is what was written (nil when the write
	// failed). The site logs it as mod_ssl does (AH01996 at info,
	// and the access log line of the faked "GET / HTTP/1.0" 400).
	PlainHTTP PlainHTTPFunc
	// ProxyProtocol, when set, says which connections start with a PROXY
	// protocol header (RemoteIPProxyProtocol): engines read it before
	// TLS and HTTP (ReadProxyHeader; the event engine in its loop).
	ProxyProtocol *proxyproto.Options
}

// TLSFor returns the TLS configuration of listener i, nil if it is plain.
func (d *ChildDeps) TLSFor(i int) *tls.Config {
	if i < 0 || i >= len(d.TLS) {
		return nil
	}
	return d.TLS[i]
}

// HandshakeDeadline is how long a TLS handshake may take (see
// HandshakeTimeout).
func (d *ChildDeps) HandshakeDeadline() time.Duration {
	switch {
	case d.HandshakeTimeout > 0:
		return d.HandshakeTimeout
	case d.Server != nil && d.Server.WriteTimeout > 0:
		return d.Server.WriteTimeout
	}
	return 60 * time.Second
}

// StopState is how far a child has been told to stop: the strongest
// StopMode ordered so far. The zero value is "serving".
//
// Threading: safe for concurrent use.
type StopState struct{ mode atomic.Int32 }

// Raise records a stop order; a weaker one than already recorded is
// ignored. It reports whether the mode changed.
func (s *StopState) Raise(m StopMode) bool {
	for {
		old := s.mode.Load()
		if old >= int32(m) {
			return false
		}
		if s.mode.CompareAndSwap(old, int32(m)) {
			return true
		}
	}
}

// Mode returns the strongest stop ordered, 0 if none.
func (s *StopState) Mode() StopMode { return StopMode(s.mode.Load()) }

// Stopping reports whether any stop was ordered.
func (s *StopState) Stopping() bool { return s.mode.Load() != 0 }

// Immediate reports whether an immediate stop was ordered.
func (s *StopState) Immediate() bool { return s.Mode() == StopImmediate }
