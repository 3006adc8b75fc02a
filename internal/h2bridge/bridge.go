// Package h2bridge serves HTTP/2 connections and bridges every stream to a
// fasthttp.RequestHandler, so the site chain written for HTTP/1.1 (vhosts,
// authz, static files, logs, status) serves HTTP/2 unchanged. All three
// engines share it (DESIGN.md, Round 2). ServeConn runs the bridge's own
// connection loop (native.go), built on golang.org/x/net/http2's Framer
// and hpack; Options.XNet, and ServeUpgrade always, use x/net/http2's
// server instead.
//
// # Using it from an engine
//
// Build one Bridge per child process (New) from the conf snapshot and the
// site handler. Then, for every connection the engine owns:
//
//   - TLS: after the handshake, if tlsConn.ConnectionState().NegotiatedProtocol
//     is "h2" (NextProtoTLS), call b.ServeConn(tlsConn) instead of the
//     HTTP/1.1 loop. The tls.Config must list "h2" in NextProtos only when
//     Protocols has h2 for that address (the TLS package's job).
//   - h2c prior knowledge (H2Direct): peek the first bytes of a cleartext
//     connection; if they start with the client preface (IsPreface), call
//     b.ServeConn(ReplayConn(conn, peeked)) — the bridge reads the preface itself.
//   - h2c Upgrade (H2Upgrade): when the HTTP/1.1 loop reads a request for
//     which IsH2CUpgrade(req) is true, stop the loop and call
//     b.ServeUpgrade(conn, req, br) with the bufio.Reader the loop read from
//     (it may hold bytes the client sent after the request); the bridge
//     writes the 101 itself and answers that request as stream 1.
//
// ServeConn blocks until the connection closes. The native loop reads the
// connection on the calling goroutine and runs each stream's handler on a
// worker goroutine of the Bridge (pooled: an idle worker exits after 2 s),
// at most MaxConcurrentStreams per connection. (x/net's server holds the
// calling goroutine, a reader goroutine, and a new goroutine per stream.)
// prefork passes Options.OneStreamAtATime (one handler at a time per
// connection, as Apache's mod_http2 on prefork).
//
// Shutdown sends GOAWAY on every connection of the bridge, lets the open
// streams finish and waits for ServeConn calls to return; Close closes them
// at once.
//
// What a handler sees: ctx.Request.Header.Protocol() is "HTTP/2.0" (so %H and
// %r say HTTP/2.0), ctx.RemoteAddr/LocalAddr are the TCP connection's,
// ctx.IsTLS and ctx.TLSConnectionState answer for the TLS connection,
// ctx.Conn() is a stand-in whose Read/Write fail (a handler must not write
// to the socket; Hijack is not possible in HTTP/2 and answers 500),
// ctx.ConnID is new per stream and ctx.ConnRequestNum is 0.
//
// # Configuration mapping (conf.HTTP2Config.Effective and core directives)
//
//	H2MaxSessionStreams   MaxConcurrentStreams (prefork: OneStreamAtATime)
//	H2WindowSize          InitialWindowSize
//	H2StreamMaxMemSize    StreamBufferSize
//	H2StreamTimeout       ReadTimeout, WriteTimeout (default: Timeout)
//	KeepAliveTimeout      IdleTimeout: GOAWAY and close for a connection
//	                      with no open stream for that long (Apache's
//	                      mod_http2 also waits KeepAliveTimeout when idle)
//	MaxKeepAliveRequests  not mapped by gohttpd (mpm/h2.go): Apache 2.4.71's
//	                      mod_http2 serves thousands of streams on one
//	                      connection with MaxKeepAliveRequests 5 or
//	                      KeepAlive Off. MaxStreamsPerConn (GOAWAY once idle
//	                      after N streams) stays for other callers.
//	LimitRequestFields    MaxRequestFields (431; over twice the limit, a
//	                      stream reset: what Apache 2.4.71 answers on h2)
//	LimitRequestFieldSize MaxRequestFieldSize (431), and with the above sizes
//	                      SETTINGS_MAX_HEADER_LIST_SIZE (MaxHeaderBytes), which
//	                      the Framer enforces while decoding HPACK (431 too)
//	LimitRequestLine      MaxRequestLine (414)
//	LimitRequestBody      MaxRequestBodySize (413)
//
// # Costs (measured on the 2-core build machine, loopback, go1.26.8)
//
// h2load -c10 -m10 for a 1 KB file through the event engine (one child
// pinned to one CPU, h2load on the other; /tmp/h2perf-measure.sh): the
// native loop costs 15-18 µs of server CPU per request on h2c and 17-24 µs
// over TLS, nginx 1.22 with one worker 20-24 µs and 17-20 µs, x/net's
// server 58-70 µs and 60-82 µs. x/net reads each frame with two
// unbuffered reads and flushes about once per response (5.6 reads and 5
// writes per request against the native loop's 0.2 and 0.1), and runs a
// goroutine per stream whose stack grows through the site chain, a select
// loop hand-off per frame, and an http.Request the bridge copies.
//
// An idle HTTP/2 connection (one request served, then silence) costs the
// native loop 1 goroutine and about 14 KB (heap + stack), x/net's server 2
// goroutines and about 21 KB, an idle fasthttp.Server.ServeConn HTTP/1.1
// connection 1 goroutine and about 17 KB (TestIdleConnCost, 1000
// connections, one mode per process, baseline of accepted-but-unserved
// sockets subtracted). Both HTTP/2 servers keep a goroutine blocked in
// Read for as long as the connection lives, so the event engine cannot
// park an idle h2 connection in epoll: it hands the connection to
// ServeConn on a goroutine of its own (not a pooled worker) and keeps
// IdleTimeout (KeepAliveTimeout) short. The idle timeout also runs from
// the start of a connection, before its first stream.
package h2bridge

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http2"
)

// Options are the limits of a Bridge. The zero value is Apache's defaults
// for mod_http2 and core where a value matters.
type Options struct {
	// MaxConcurrentStreams is H2MaxSessionStreams (Apache: 100), sent as
	// SETTINGS_MAX_CONCURRENT_STREAMS. A stream beyond it gets
	// REFUSED_STREAM (x/net's server also closes a connection that keeps
	// trying).
	MaxConcurrentStreams uint32
	// OneStreamAtATime is prefork's mode: the handler runs for one stream
	// of a connection at a time, the others waiting their turn, while
	// SETTINGS still advertise MaxConcurrentStreams. That is what Apache
	// 2.4.71's mod_http2 does on prefork (nghttp -nv against it shows
	// SETTINGS_MAX_CONCURRENT_STREAMS 100); advertising 1 would make
	// clients that send several requests before reading SETTINGS get
	// REFUSED_STREAM.
	OneStreamAtATime bool
	// InitialWindowSize is H2WindowSize (Apache: 65535): the flow-control
	// window a client may send per stream before the handler reads.
	InitialWindowSize int32
	// ConnWindowSize is the connection's receive window; 0 lets x/net pick
	// (1 MiB), never less than InitialWindowSize.
	ConnWindowSize int32
	// MaxReadFrameSize is SETTINGS_MAX_FRAME_SIZE (0: 16384, the protocol's
	// initial value and what Apache's mod_http2 keeps; x/net's own default,
	// 1 MiB, invites single DATA frames larger than the stream window, and
	// h2spec 4.2/1 and 4.2/3 fail with it).
	MaxReadFrameSize uint32
	// MaxHeaderBytes bounds a request's decoded header list
	// (SETTINGS_MAX_HEADER_LIST_SIZE, enforced by the Framer while decoding, so an
	// HPACK bomb stops there). 0: LimitRequestFields*(LimitRequestFieldSize+32)
	// capped at 1 MiB.
	MaxHeaderBytes int
	// MaxRequestFields is LimitRequestFields (Apache: 100; <0 none).
	MaxRequestFields int
	// MaxRequestFieldSize is LimitRequestFieldSize (Apache: 8190; <0 none):
	// the length of "name: value".
	MaxRequestFieldSize int
	// MaxRequestLine is LimitRequestLine (Apache: 8190; <0 none), checked
	// against "METHOD path HTTP/2.0".
	MaxRequestLine int
	// MaxRequestBodySize is LimitRequestBody (0: unlimited, as Apache).
	MaxRequestBodySize int64
	// StreamRequestBody hands the body to the handler as a stream
	// (ctx.RequestBodyStream) instead of reading it into memory first.
	StreamRequestBody bool
	// IdleTimeout is KeepAliveTimeout: a connection with no open stream for
	// this long gets GOAWAY and is closed (x/net's Server.IdleTimeout).
	// 0: 5 s, Apache's default.
	IdleTimeout time.Duration
	// ReadTimeout bounds how long a stream may take to send its headers
	// and body (Timeout); 0 none.
	ReadTimeout time.Duration
	// WriteTimeout is the write deadline per write to the socket (Timeout,
	// x/net's WriteByteTimeout); 0 none.
	WriteTimeout time.Duration
	// MaxStreamsPerConn is MaxKeepAliveRequests (0: unlimited): once that
	// many streams have started, the connection sends GOAWAY when it is
	// idle and closes, as an HTTP/1.1 connection closes after its N-th
	// request.
	MaxStreamsPerConn int
	// StreamBufferSize is H2StreamMaxMemSize (Apache: 65536): the buffer a
	// streamed response body (SetBodyStream, SendFile) is copied through.
	// 0: 32 KiB.
	StreamBufferSize int
	// Logger receives the handler's ctx.Logger() output.
	Logger fasthttp.Logger
	// ErrorLog receives x/net's connection errors (nil: discarded).
	ErrorLog *log.Logger
	// CountError is told each protocol error x/net counts (abuse metrics).
	CountError func(errType string)
	// PermitProhibitedCipherSuites is H2ModernTLSOnly Off: a TLS 1.2
	// connection with a cipher suite RFC 9113 prohibits is served instead
	// of closed with INADEQUATE_SECURITY.
	PermitProhibitedCipherSuites bool
	// StreamStart and StreamDone, if set, are called for every stream
	// the handler may see: StreamStart once ctx is initialised (ctx.Conn()
	// answers Underlying), before the request is read; StreamDone after
	// the response was written (or the stream reset), before ctx is
	// reused. They run on the stream's goroutine, several streams of one
	// connection at once.
	StreamStart, StreamDone func(ctx *fasthttp.RequestCtx)
	// XNet serves ServeConn's connections with x/net/http2's server
	// instead of the native loop (native.go). ServeUpgrade always uses
	// x/net.
	XNet bool
}

// Bridge serves HTTP/2 connections with one fasthttp handler.
type Bridge struct {
	opts    Options
	handler fasthttp.RequestHandler
	h1      *http.Server // carries MaxHeaderBytes; its Shutdown starts GOAWAY
	h2      *http2.Server
	ctxPool sync.Pool
	bufPool sync.Pool

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	natives  map[*nconn]struct{}
	work     chan *nstream // idle native stream workers take streams here
	quit     chan struct{} // closed by Close or a finished Shutdown: idle workers exit
	quitOnce sync.Once
	wg       sync.WaitGroup
	shutdown atomic.Bool
}

// Defaults of Options' zero fields (Apache's).
const (
	DefaultMaxConcurrentStreams = 100
	DefaultInitialWindowSize    = 65535
	DefaultIdleTimeout          = 5 * time.Second
	DefaultMaxReadFrameSize     = 16384
	DefaultMaxRequestFields     = 100
	DefaultMaxRequestFieldSize  = 8190
	DefaultMaxRequestLine       = 8190
	maxHeaderBytesCap           = 1 << 20
	copyBufferSize              = 32 << 10
)

// New returns a Bridge serving h with opts.
func New(opts Options, h fasthttp.RequestHandler) *Bridge {
	if opts.MaxConcurrentStreams == 0 {
		opts.MaxConcurrentStreams = DefaultMaxConcurrentStreams
	}
	if opts.InitialWindowSize == 0 {
		opts.InitialWindowSize = DefaultInitialWindowSize
	}
	if opts.ConnWindowSize != 0 && opts.ConnWindowSize < opts.InitialWindowSize {
		opts.ConnWindowSize = opts.InitialWindowSize
	}
	if opts.MaxReadFrameSize == 0 {
		opts.MaxReadFrameSize = DefaultMaxReadFrameSize
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxRequestFields == 0 {
		opts.MaxRequestFields = DefaultMaxRequestFields
	}
	if opts.MaxRequestFieldSize == 0 {
		opts.MaxRequestFieldSize = DefaultMaxRequestFieldSize
	}
	if opts.MaxRequestLine == 0 {
		opts.MaxRequestLine = DefaultMaxRequestLine
	}
	if opts.MaxHeaderBytes == 0 {
		n := maxHeaderBytesCap
		if opts.MaxRequestFields > 0 && opts.MaxRequestFieldSize > 0 {
			// 32 is HPACK's per-field overhead in the header list size.
			n = min(n, opts.MaxRequestFields*(opts.MaxRequestFieldSize+32))
		}
		opts.MaxHeaderBytes = n
	}
	b := &Bridge{opts: opts, handler: h, conns: make(map[net.Conn]struct{}), natives: make(map[*nconn]struct{}), work: make(chan *nstream), quit: make(chan struct{})}
	b.ctxPool.New = func() any { return new(fasthttp.RequestCtx) }
	bufSize := copyBufferSize
	if opts.StreamBufferSize > 0 {
		bufSize = opts.StreamBufferSize
	}
	b.bufPool.New = func() any { p := make([]byte, bufSize); return &p }
	b.h2 = &http2.Server{
		MaxConcurrentStreams:         opts.MaxConcurrentStreams,
		MaxReadFrameSize:             opts.MaxReadFrameSize,
		IdleTimeout:                  opts.IdleTimeout,
		WriteByteTimeout:             opts.WriteTimeout,
		MaxUploadBufferPerStream:     opts.InitialWindowSize,
		MaxUploadBufferPerConnection: opts.ConnWindowSize,
		CountError:                   opts.CountError,
		PermitProhibitedCipherSuites: opts.PermitProhibitedCipherSuites,
	}
	b.h1 = b.baseServer()
	// ConfigureServer registers the h2 server's connections with h1, so
	// h1.Shutdown sends GOAWAY on each of them (x/net's only way to reach
	// all connections served by ServeConn).
	if err := http2.ConfigureServer(b.h1, b.h2); err != nil {
		panic(err) // only fails for a TLSConfig we do not set
	}
	return b
}

func (b *Bridge) baseServer() *http.Server {
	el := b.opts.ErrorLog
	if el == nil {
		el = log.New(io.Discard, "", 0)
	}
	return &http.Server{
		MaxHeaderBytes: b.opts.MaxHeaderBytes,
		ReadTimeout:    b.opts.ReadTimeout,
		ErrorLog:       el,
	}
}

// ErrShutdown is returned for connections offered after Shutdown or Close.
var ErrShutdown = errors.New("h2bridge: shut down")

// ServeConn serves c, already negotiated as HTTP/2 (ALPN "h2" on a
// *tls.Conn, or cleartext whose next bytes are the client preface), until it
// closes. It closes c.
func (b *Bridge) ServeConn(c net.Conn) error {
	if b.opts.XNet {
		return b.serve(c, nil, nil)
	}
	if !b.track(c) {
		c.Close()
		return ErrShutdown
	}
	defer b.untrack(c)
	_ = c.SetDeadline(time.Time{})
	b.serveNative(c)
	return c.Close()
}

func (b *Bridge) trackNative(nc *nconn) {
	b.mu.Lock()
	b.natives[nc] = struct{}{}
	stopping := b.shutdown.Load()
	b.mu.Unlock()
	if stopping {
		nc.shutdown()
	}
}

func (b *Bridge) untrackNative(nc *nconn) {
	b.mu.Lock()
	delete(b.natives, nc)
	b.mu.Unlock()
}

func (b *Bridge) serve(c net.Conn, up *http.Request, settings []byte) error {
	if !b.track(c) {
		c.Close()
		return ErrShutdown
	}
	defer b.untrack(c)
	// Deadlines an engine set for the handshake or the HTTP/1.1 request
	// must not cut the HTTP/2 session: x/net keeps its own timers.
	_ = c.SetDeadline(time.Time{})
	cs := newConnState(b, c)
	b.h2.ServeConn(c, &http2.ServeConnOpts{
		Context:        context.Background(),
		BaseConfig:     b.h1,
		Handler:        cs,
		UpgradeRequest: up,
		Settings:       settings,
	})
	return c.Close()
}

func (b *Bridge) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shutdown.Load() {
		return false
	}
	b.conns[c] = struct{}{}
	b.wg.Add(1)
	return true
}

func (b *Bridge) untrack(c net.Conn) {
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
	b.wg.Done()
}

// Shutdown sends GOAWAY on every connection, refuses new ones, and waits
// until the open streams have finished and the connections have closed, or
// ctx is done (then it closes what is left and returns ctx.Err()).
func (b *Bridge) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	b.shutdown.Store(true)
	natives := make([]*nconn, 0, len(b.natives))
	for nc := range b.natives {
		natives = append(natives, nc)
	}
	b.mu.Unlock()
	for _, nc := range natives {
		nc.shutdown()
	}
	// No listener and no HTTP/1 connection belongs to h1: Shutdown only runs
	// the OnShutdown hook x/net registered (GOAWAY on each connection).
	_ = b.h1.Shutdown(ctx)
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		b.stopWorkers()
		return nil
	case <-ctx.Done():
		b.Close()
		<-done
		return ctx.Err()
	}
}

// stopWorkers makes the idle stream workers exit (busy ones exit when
// their stream is done).
func (b *Bridge) stopWorkers() { b.quitOnce.Do(func() { close(b.quit) }) }

// Close closes every connection at once.
func (b *Bridge) Close() {
	b.mu.Lock()
	b.shutdown.Store(true)
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.stopWorkers()
}

// Active returns the number of connections being served.
func (b *Bridge) Active() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

// IsPreface reports whether p starts the HTTP/2 client connection preface
// ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); a prefix of it counts when shorter.
func IsPreface(p []byte) bool {
	n := min(len(p), len(http2.ClientPreface))
	return n > 0 && string(p[:n]) == http2.ClientPreface[:n]
}

// PrefaceLen is the length of the client preface, the bytes an engine peeks
// to tell h2c prior knowledge from HTTP/1.1 (the first 3, "PRI", suffice to
// rule out every HTTP/1.1 method fasthttp accepts except a method named PRI).
const PrefaceLen = len(http2.ClientPreface)

// ReplayConn returns c with peeked served before c's own bytes, for an
// engine that peeked at the start of a connection.
func ReplayConn(c net.Conn, peeked []byte) net.Conn {
	if len(peeked) == 0 {
		return c
	}
	return &replayConn{Conn: c, r: io.MultiReader(bytesReader(peeked), c)}
}

type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func bytesReader(p []byte) io.Reader {
	q := make([]byte, len(p))
	copy(q, p)
	return &sliceReader{q}
}

type sliceReader struct{ p []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.p) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.p)
	r.p = r.p[n:]
	return n, nil
}

// bufferedConn reads through the HTTP/1.1 loop's bufio.Reader first.
type bufferedConn struct {
	net.Conn
	br *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	if c.br.Buffered() > 0 {
		return c.br.Read(p)
	}
	return c.Conn.Read(p)
}

// tlsStater is what fasthttp's ctx.IsTLS looks for on ctx.Conn().
type tlsStater interface {
	Handshake() error
	ConnectionState() tls.ConnectionState
}

// streamConn is the ctx.Conn() of every stream of one connection: it
// answers the addresses (and, for TLS, the state) of the real connection
// and refuses I/O.
type streamConn struct {
	local, remote net.Addr
	// under is the connection given to ServeConn or ServeUpgrade.
	under net.Conn
}

// Underlying returns the connection the engine gave ServeConn (or
// ServeUpgrade) for this stream's connection: an engine finds its own
// per-connection state (scoreboard slot, stream counts) through it.
func (s *streamConn) Underlying() net.Conn { return s.under }

// Unwrapper is a connection wrapped around another: the bridge looks
// through it (after checking the wrapper itself for TLS) to tell a TLS
// connection from a plain one.
type Unwrapper interface{ Unwrap() net.Conn }

var errStreamConn = errors.New("h2bridge: no direct I/O on an HTTP/2 stream")

func (s *streamConn) Read([]byte) (int, error)         { return 0, errStreamConn }
func (s *streamConn) Write([]byte) (int, error)        { return 0, errStreamConn }
func (s *streamConn) Close() error                     { return nil }
func (s *streamConn) LocalAddr() net.Addr              { return s.local }
func (s *streamConn) RemoteAddr() net.Addr             { return s.remote }
func (s *streamConn) SetDeadline(time.Time) error      { return nil }
func (s *streamConn) SetReadDeadline(time.Time) error  { return nil }
func (s *streamConn) SetWriteDeadline(time.Time) error { return nil }

type tlsStreamConn struct {
	streamConn
	// state is the connection's, taken once: the handshake is over, and
	// handlers ask for it on every request (SNI checks, %{SSL_*}).
	state tls.ConnectionState
}

func (s *tlsStreamConn) Handshake() error                     { return nil }
func (s *tlsStreamConn) ConnectionState() tls.ConnectionState { return s.state }

func newStreamConn(c net.Conn) net.Conn {
	sc := streamConn{local: c.LocalAddr(), remote: c.RemoteAddr(), under: c}
	var inner net.Conn = c
	for {
		if ts, ok := inner.(tlsStater); ok {
			return &tlsStreamConn{streamConn: sc, state: ts.ConnectionState()}
		}
		switch x := inner.(type) {
		case *replayConn:
			inner = x.Conn
			continue
		case *bufferedConn:
			inner = x.Conn
			continue
		case Unwrapper:
			inner = x.Unwrap()
			continue
		}
		return &sc
	}
}

// Sniff reads the start of a cleartext connection until it either matches
// the HTTP/2 client preface in full or differs from it, and returns a conn
// that replays what was read. h2 is true for prior-knowledge h2c (hand the
// returned conn to ServeConn); otherwise give it to the HTTP/1.1 loop. It
// blocks on reads: engines call it in a worker, under a read deadline.
func Sniff(c net.Conn) (rc net.Conn, h2 bool, err error) {
	buf := make([]byte, PrefaceLen)
	n := 0
	for n < PrefaceLen {
		m, err := c.Read(buf[n:])
		n += m
		if n == 0 && err != nil {
			return c, false, err
		}
		if !IsPreface(buf[:n]) {
			return ReplayConn(c, buf[:n]), false, nil
		}
		if err != nil {
			return ReplayConn(c, buf[:n]), false, err
		}
	}
	return ReplayConn(c, buf), true, nil
}

// Stopping reports whether Shutdown or Close was called.
func (b *Bridge) Stopping() bool { return b.shutdown.Load() }

// NextProtoTLS is HTTP/2's ALPN protocol name, "h2".
const NextProtoTLS = http2.NextProtoTLS
