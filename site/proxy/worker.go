package proxy

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// worker is one backend (Apache's proxy_worker): its connection pool, its
// error state and how busy it is.
type worker struct {
	cfg      conf.ProxyWorker
	scheme   string // http, https, ws, wss
	addr     string // host:port to dial
	hostHdr  string // Host header for the backend (port only when not default)
	hostname string // host without port, for log lines
	port     string
	path     string // URL path of the worker ("/x/"; "" none)
	tls      bool

	timeout, connTimeout, retry time.Duration

	hc *fasthttp.HostClient

	member     bool         // a BalancerMember: connect failures disable it
	busy       atomic.Int64 // requests in flight (bybusyness)
	errorUntil atomic.Int64 // unix nanoseconds; 0 when usable
	lbstatus   int64        // byrequests accumulator, guarded by balancer.mu
	lbfactor   int64
}

func newWorker(w conf.ProxyWorker, defTimeout time.Duration, tlsCfg *tls.Config) *worker {
	scheme, addr, path := conf.ProxyHostPort(w.URL)
	host, port, _ := net.SplitHostPort(addr)
	wk := &worker{
		cfg: w, scheme: scheme, addr: addr, path: path,
		hostname: host, port: port,
		tls:         scheme == "https" || scheme == "wss",
		timeout:     w.Timeout,
		connTimeout: w.ConnectionTimeout,
		retry:       w.Retry,
		lbfactor:    int64(w.LoadFactor),
	}
	if wk.timeout <= 0 {
		wk.timeout = defTimeout
	}
	if wk.connTimeout <= 0 {
		wk.connTimeout = wk.timeout
	}
	if !w.RetrySet {
		wk.retry = conf.ProxyDefaultRetry
	}
	if wk.lbfactor <= 0 {
		wk.lbfactor = 100
	}
	defPort := "80"
	if wk.tls {
		defPort = "443"
	}
	wk.hostHdr = addr
	if port == defPort {
		wk.hostHdr = host
		if strings.Contains(host, ":") {
			wk.hostHdr = "[" + host + "]"
		}
	}
	idle := w.TTL
	if idle <= 0 {
		idle = fasthttp.DefaultMaxIdleConnDuration
	}
	maxConns := w.Max
	if maxConns <= 0 {
		maxConns = fasthttp.DefaultMaxConnsPerHost
	}
	timeout, connTimeout := wk.timeout, wk.connTimeout
	tcpKeepAlive := time.Duration(-1) // keepalive=Off: no probes
	if w.KeepAlive {
		tcpKeepAlive = 0 // Go's default probe interval
	}
	dialer := &net.Dialer{Timeout: connTimeout, KeepAlive: tcpKeepAlive}
	acquire := w.Acquire
	if acquire <= 0 {
		acquire = timeout
	}
	wk.hc = &fasthttp.HostClient{
		Addr:      addr,
		IsTLS:     wk.tls,
		TLSConfig: tlsCfg,
		DialTimeout: func(a string, _ time.Duration) (net.Conn, error) {
			c, err := dialer.Dial("tcp", a)
			if err != nil {
				return nil, &dialError{err}
			}
			ic := &idleConn{Conn: c, timeout: timeout, peek: newPeeker(c)}
			if !wk.tls {
				ic.redial = func() (net.Conn, error) {
					return dialer.Dial("tcp", a)
				}
			}
			return ic, nil
		},
		MaxConns:            maxConns,
		MaxConnWaitTimeout:  acquire,
		MaxIdleConnDuration: idle,
		// Bodies are streamed both ways; nothing is buffered whole.
		StreamResponseBody:            true,
		DisablePathNormalizing:        true,
		NoDefaultUserAgentHeader:      true,
		DisableHeaderNamesNormalizing: true,
		// One retry on a new connection when a pooled one turns out
		// closed (never for a streamed body: fasthttp does not retry
		// those; never after a timeout).
		MaxIdemponentCallAttempts: 2,
		RetryIfErr: func(_ *fasthttp.Request, _ int, err error) (bool, bool) {
			var de *dialError
			return false, !isTimeout(err) && !errors.As(err, &de)
		},
		ReadBufferSize:  8192,
		WriteBufferSize: 8192,
	}
	return wk
}

// usable is PROXY_WORKER_IS_USABLE with ap_proxy_retry_worker: not in
// error state, or its retry time has passed.
func (w *worker) usable(now time.Time) bool {
	u := w.errorUntil.Load()
	return u == 0 || now.UnixNano() >= u
}

// setError puts the worker in error state for its retry time.
func (w *worker) setError(now time.Time) { w.errorUntil.Store(now.Add(w.retry).UnixNano()) }

// clearError is a worker that came back.
func (w *worker) clearError() {
	if w.errorUntil.Load() != 0 {
		w.errorUntil.Store(0)
	}
}

// dialError marks a failure to connect (503 as Apache's
// ap_proxy_connect_backend failing).
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// idleConn gives each Read and Write its own deadline (ProxyTimeout or
// timeout=), as APR socket timeouts do in Apache: the timeout is for one
// read or write, not for the whole response.
//
// It also does what Apache's ap_proxy_check_connection does before reusing
// a pooled connection: when a request with a body starts (the first write
// after reading a response), a connection the backend closed meanwhile
// (its keep-alive timeout) is replaced by a new one, so that the request,
// even one with a streamed body that cannot be retried, is not lost to
// that race. A request without a body skips the check (a system call):
// the HostClient retries it on a new connection when the pooled one turns
// out closed (RetryIfErr).
type idleConn struct {
	net.Conn
	timeout time.Duration
	redial  func() (net.Conn, error) // nil: no replacement (TLS)
	peek    *peeker
	read    bool // last operation was a read
}

func (c *idleConn) Read(p []byte) (int, error) {
	if c.timeout > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	c.read = true
	if c.peek != nil {
		return c.peek.rawRead(p)
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if c.read {
		c.read = false
		if !bodyless(p) && !c.peek.alive() {
			if c.redial == nil {
				return 0, errConnClosed
			}
			nc, err := c.redial()
			if err != nil {
				return 0, &dialError{err}
			}
			_ = c.Conn.Close()
			c.Conn, c.peek = nc, newPeeker(nc)
		}
	}
	if c.timeout > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	}
	if c.peek != nil {
		return c.peek.rawWrite(p)
	}
	return c.Conn.Write(p)
}

// bodyless reports whether p, the first bytes of a request, hold its whole
// head and the head announces no body (no Content-Length or
// Transfer-Encoding field).
func bodyless(p []byte) bool {
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		return false
	}
	head := p[:end+2]
	for i := bytes.IndexByte(head, '\n'); i >= 0 && i+1 < len(head); {
		line := head[i+1:]
		if hasFieldPrefix(line, "content-length:") || hasFieldPrefix(line, "transfer-encoding:") {
			return false
		}
		j := bytes.IndexByte(line, '\n')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return true
}

func hasFieldPrefix(line []byte, name string) bool {
	return len(line) >= len(name) && strings.EqualFold(string(line[:len(name)]), name)
}

var errConnClosed = errors.New("proxy: pooled backend connection closed by the backend")

func isTimeout(err error) bool {
	if errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// balancer is one balancer://name.
type balancer struct {
	name        string
	method      conf.ProxyLBMethod
	maxAttempts int
	// forceRecovery is forcerecovery=On (the default): when every member
	// is in error state, all are retried at once.
	forceRecovery bool
	members       []*worker
	mu            sync.Mutex
}

// pick is find_best_byrequests or find_best_bybusyness over the usable
// members not in skip; nil when none is usable.
func (b *balancer) pick(now time.Time, skip []*worker) *worker {
	b.mu.Lock()
	defer b.mu.Unlock()
	var best *worker
	var total int64
	for _, w := range b.members {
		if !w.usable(now) || contains(skip, w) {
			continue
		}
		switch b.method {
		case conf.LBByBusyness:
			// Least busy; ties go to the larger lbstatus (round robin
			// among equally idle members), as mod_lbmethod_bybusyness.
			w.lbstatus += w.lbfactor
			total += w.lbfactor
			if best == nil || w.busy.Load() < best.busy.Load() ||
				(w.busy.Load() == best.busy.Load() && w.lbstatus > best.lbstatus) {
				best = w
			}
		default:
			w.lbstatus += w.lbfactor
			total += w.lbfactor
			if best == nil || w.lbstatus > best.lbstatus {
				best = w
			}
		}
	}
	if best != nil {
		best.lbstatus -= total
	}
	return best
}

// recover is mod_proxy_balancer's force_recovery.
func (b *balancer) recover(now time.Time) {
	if !b.forceRecovery {
		return
	}
	for _, w := range b.members {
		if w.usable(now) {
			return
		}
	}
	for _, w := range b.members {
		w.errorUntil.Store(0)
	}
}

func contains(ws []*worker, w *worker) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}
