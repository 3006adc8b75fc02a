package load

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// The HTTP/2 load generator. Each connection is one goroutine that owns a
// golang.org/x/net/http2 Framer over the raw connection (TLS with ALPN h2,
// or h2c with prior knowledge) and keeps up to Streams GET requests in
// flight: it writes HEADERS frames (END_STREAM, no body) into a buffer,
// flushes when it has read every frame the kernel had for it, and starts
// the next stream as each response ends. It honours the server's
// SETTINGS (SETTINGS_MAX_CONCURRENT_STREAMS caps the streams in flight,
// SETTINGS_HEADER_TABLE_SIZE the HPACK encoder's table; each is
// acknowledged), answers PINGs, returns received DATA to the server's
// flow-control windows with WINDOW_UPDATE frames (connection and stream),
// and stops opening streams after a GOAWAY, letting the streams the
// server accepted finish before it reconnects. Requests carry no body, so
// the server's windows never limit it.

// H2Config describes one HTTP/2 load run.
type H2Config struct {
	// Addr is the server's host:port (loopback only).
	Addr string
	// Authority is the :authority pseudo-header (default Addr).
	Authority string
	// Path is the request path (default "/").
	Path string
	// Connections is the number of connections, one goroutine each
	// (default 1).
	Connections int
	// Streams is the number of requests each connection keeps in flight
	// (default 1); the server's SETTINGS_MAX_CONCURRENT_STREAMS lowers it.
	Streams int
	// Duration bounds the run (required; at most MaxDuration).
	Duration time.Duration
	// MaxRequests ends the run after this many requests were sent (0:
	// only Duration ends it).
	MaxRequests int64
	// Timeout bounds each connect and handshake, and the wait for any
	// frame while streams are in flight (default 5 s).
	Timeout time.Duration
	// TLS, when set, speaks h2 over TLS (ALPN offers h2 and http/1.1,
	// and the server must select h2); nil speaks h2c with prior knowledge.
	TLS *tls.Config
	// ExpectStatus is the status that counts as a success (default 200).
	ExpectStatus int
	// StreamWindow is the receive window the client announces for each
	// stream (SETTINGS_INITIAL_WINDOW_SIZE; default 65535, h2load's), and
	// ConnWindow the connection's (default 1 GiB - 1, h2load's).
	StreamWindow, ConnWindow uint32
	// Stall, when set, is the path of one more stream each connection
	// opens first and whose window the client never returns: a response
	// larger than StreamWindow stops on flow control and stays in
	// progress for the connection's life. It shows whether the server
	// answers a connection's other streams while one of them waits
	// (prefork answers one stream at a time: it does not). It is not
	// counted as a request.
	Stall string
}

// withDefaults returns c with defaults filled in, or an error.
func (c H2Config) withDefaults() (H2Config, error) {
	if err := CheckLoopback(c.Addr); err != nil {
		return c, err
	}
	if c.Authority == "" {
		c.Authority = c.Addr
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.Connections == 0 {
		c.Connections = 1
	}
	if c.Streams == 0 {
		c.Streams = 1
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.ExpectStatus == 0 {
		c.ExpectStatus = 200
	}
	if c.StreamWindow == 0 {
		c.StreamWindow = 65535
	}
	if c.ConnWindow == 0 {
		c.ConnWindow = 1<<30 - 1
	}
	switch {
	case c.Connections < 1 || c.Connections > MaxConnections:
		return c, fmt.Errorf("load: Connections %d out of range 1-%d", c.Connections, MaxConnections)
	case c.Streams < 1 || c.Streams > 1<<16:
		return c, fmt.Errorf("load: Streams %d out of range 1-65536", c.Streams)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return c, fmt.Errorf("load: Duration %s out of range (0, %s]", c.Duration, MaxDuration)
	case c.MaxRequests < 0:
		return c, fmt.Errorf("load: MaxRequests %d is negative", c.MaxRequests)
	case c.Timeout < 0:
		return c, fmt.Errorf("load: Timeout %s is negative", c.Timeout)
	case c.StreamWindow > 1<<31-1 || c.ConnWindow > 1<<31-1 || c.ConnWindow < 65535:
		return c, fmt.Errorf("load: windows %d/%d out of range", c.StreamWindow, c.ConnWindow)
	}
	return c, nil
}

// ErrNotH2 is wrapped when the server does not speak HTTP/2 (no ALPN h2,
// an HTTP/1.x answer to the preface, or a first frame that is not
// SETTINGS). A run stops at the first such error.
var ErrNotH2 = errors.New("the server does not speak HTTP/2")

// H2Runner is one HTTP/2 load run. Completed and Failed may be called
// while it runs.
type H2Runner struct {
	cfg     H2Config
	conns   []*h2conn
	shards  []shard
	left    atomic.Int64
	stopped atomic.Bool
	start   time.Time
	end     time.Time

	fatalOnce sync.Once
	fatal     error
	cancel    context.CancelFunc
}

// NewH2 checks cfg and prepares a run.
func NewH2(cfg H2Config) (*H2Runner, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &H2Runner{cfg: cfg}
	r.left.Store(cfg.MaxRequests)
	r.shards = make([]shard, min(cfg.Connections, maxShards))
	for i := range r.shards {
		r.shards[i].h = NewHistogram()
	}
	r.conns = make([]*h2conn, cfg.Connections)
	for i := range r.conns {
		r.conns[i] = &h2conn{r: r, shard: &r.shards[i%len(r.shards)]}
	}
	return r, nil
}

// Config returns the run's configuration with defaults filled in.
func (r *H2Runner) Config() H2Config { return r.cfg }

// Completed returns the number of successful responses so far.
func (r *H2Runner) Completed() int64 {
	var n int64
	for _, c := range r.conns {
		n += c.completed.Load()
	}
	return n
}

// Failed returns the number of failed requests so far.
func (r *H2Runner) Failed() int64 {
	var n int64
	for _, c := range r.conns {
		n += c.failed.Load()
	}
	return n
}

// H2Result is what an HTTP/2 run measured: the figures of an HTTP/1.1
// run (Result; its Config carries Addr, Path, Connections, Duration and
// TLS) and the HTTP/2 ones.
type H2Result struct {
	*Result
	// Streams is the configured streams per connection; MaxStreams the
	// largest number in flight on one connection (after the server's
	// SETTINGS_MAX_CONCURRENT_STREAMS); ServerMaxStreams the smallest
	// SETTINGS_MAX_CONCURRENT_STREAMS a server announced (0: none).
	Streams, MaxStreams int
	ServerMaxStreams    uint32
	// Stalls counts the stalled streams opened (H2Config.Stall).
	Stalls int64
	// GoAways counts GOAWAY frames received; Resets RST_STREAM frames.
	GoAways, Resets int64
	// WindowUpdates counts the WINDOW_UPDATE frames sent.
	WindowUpdates int64
	// Err is the reason the run stopped early (ErrNotH2...), or nil.
	Err error
}

// Run runs the load until Duration passes, MaxRequests were sent, ctx is
// done, or the server turns out not to speak HTTP/2 (H2Result.Err).
// Streams still in flight when the run ends are counted as unfinished.
func (r *H2Runner) Run(ctx context.Context) *H2Result {
	r.start = time.Now()
	r.end = r.start.Add(r.cfg.Duration)
	runCtx, cancel := context.WithDeadline(ctx, r.end)
	defer cancel()
	r.cancel = cancel
	var wg sync.WaitGroup
	for _, c := range r.conns {
		wg.Go(func() { c.run(runCtx) })
	}
	// The watcher unblocks every connection when the run is cut short
	// (ctx, or a fatal error); at the deadline every read deadline ends.
	watchDone := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		select {
		case <-runCtx.Done():
			if ctx.Err() != nil || r.fatalErr() != nil {
				r.stopped.Store(true)
				for _, c := range r.conns {
					c.interrupt()
				}
			}
		case <-watchDone:
		}
	})
	wg.Wait()
	close(watchDone)
	watcher.Wait()
	return r.result(time.Since(r.start))
}

// fail records the run's fatal error and stops the run.
func (r *H2Runner) fail(err error) {
	r.fatalOnce.Do(func() {
		r.fatal = err
		r.stopped.Store(true)
		r.cancel()
	})
}

func (r *H2Runner) fatalErr() error {
	if r.stopped.Load() {
		return r.fatal
	}
	return nil
}

// claim takes one request from the budget. It never takes the budget
// below 0, so that requests given back (refused streams, streams above a
// GOAWAY's last stream id) are sent again.
func (r *H2Runner) claim() bool {
	if r.cfg.MaxRequests == 0 {
		return true
	}
	for {
		n := r.left.Load()
		if n <= 0 {
			return false
		}
		if r.left.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

func (r *H2Runner) result(elapsed time.Duration) *H2Result {
	res := &H2Result{Result: &Result{
		Config: Config{Addr: r.cfg.Addr, Host: r.cfg.Authority, Path: r.cfg.Path, Connections: r.cfg.Connections,
			Duration: r.cfg.Duration, MaxRequests: r.cfg.MaxRequests, Timeout: r.cfg.Timeout, TLS: r.cfg.TLS,
			ExpectStatus: r.cfg.ExpectStatus, Pipeline: 1},
		Elapsed: elapsed, Latency: NewHistogram(),
	}, Streams: r.cfg.Streams}
	for i := range r.shards {
		res.Latency.Merge(r.shards[i].h)
	}
	for _, c := range r.conns {
		res.Requests += c.completed.Load()
		res.Bytes += c.bytes
		res.Connects += c.connects
		res.Resumed += c.resumed
		if res.TLS == nil {
			res.TLS = c.tlsState
		}
		res.Unfinished += c.unfinished
		res.Errors.Merge(c.errs)
		res.MaxStreams = max(res.MaxStreams, c.maxInFlight)
		res.Stalls += c.stalls
		if c.serverMax > 0 && (res.ServerMaxStreams == 0 || c.serverMax < res.ServerMaxStreams) {
			res.ServerMaxStreams = c.serverMax
		}
		res.GoAways += c.goaways
		res.Resets += c.resets
		res.WindowUpdates += c.windowUpdates
	}
	res.Err = r.fatal
	return res
}

// dialH2 connects to cfg.Addr and, over TLS, runs the handshake and
// checks that the server selected h2.
func dialH2(cfg *H2Config, deadline time.Time) (net.Conn, *tls.ConnectionState, error) {
	d := net.Dialer{Deadline: deadline}
	c, err := d.Dial("tcp", cfg.Addr)
	if err != nil {
		return nil, nil, err
	}
	if cfg.TLS == nil {
		return c, nil, nil
	}
	tc := cfg.TLS.Clone()
	// http/1.1 too, so that a server without h2 completes the handshake
	// and the run can say what it selected.
	tc.NextProtos = []string{"h2", "http/1.1"}
	t := tls.Client(c, tc)
	t.SetDeadline(deadline)
	if err := t.Handshake(); err != nil {
		c.Close()
		var alert tls.AlertError
		if errors.As(err, &alert) && alert == 120 { // no_application_protocol
			return nil, nil, fmt.Errorf("load: %s: tls handshake: %w: %w", cfg.Addr, err, ErrNotH2)
		}
		return nil, nil, fmt.Errorf("tls handshake: %w", err)
	}
	t.SetDeadline(time.Time{})
	cs := t.ConnectionState()
	if cs.NegotiatedProtocol != "h2" {
		t.Close()
		return nil, nil, fmt.Errorf("load: %s: ALPN selected %q, not h2: %w", cfg.Addr, cs.NegotiatedProtocol, ErrNotH2)
	}
	return t, &cs, nil
}
