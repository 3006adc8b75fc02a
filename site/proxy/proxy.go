package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/errorlog"
)

// DefaultTimeout is the server's Timeout when Options.Timeout is 0
// (Apache's default of 60 s), used where neither timeout= nor
// ProxyTimeout is set.
const DefaultTimeout = 60 * time.Second

// Options are what the site passes besides the configuration.
type Options struct {
	// ServerName is the virtual host's ServerName, sent as
	// X-Forwarded-Server.
	ServerName string
	// Timeout is the server's Timeout directive (DefaultTimeout if 0).
	Timeout time.Duration
	// TimeoutStatus is the status for a backend that does not answer
	// within the timeout. 0 means 502, what Apache 2.4 answers ("502 Proxy
	// Error", "Error reading from remote server"); set 504 for Gateway
	// Timeout.
	TimeoutStatus int
	// TLSConfig is used for https:// and wss:// backends (nil: Go's
	// defaults, certificates verified).
	TLSConfig *tls.Config
	// NoUpgrade: the engine cannot hijack connections (RequestCtx.Hijack
	// is not honoured), so upgrade requests are not tunnelled: they go to
	// the backend as ordinary requests without their Upgrade header. Set
	// it for the event engine until its request loop supports Hijack.
	NoUpgrade bool
	// Logger receives the lines that happen after Serve returned: a
	// backend failing in the middle of a streamed body (AH01110), a
	// WebSocket tunnel timing out. nil: they are dropped.
	Logger *slog.Logger
}

// Proxy serves the ProxyPass lines of one server or virtual host. It is
// safe for concurrent use and holds the backends' connection pools and
// error states: build one per configuration and keep it for the
// configuration's life.
type Proxy struct {
	srv       *conf.ProxyServer
	opts      Options
	timeout   time.Duration
	routes    []*route
	balancers map[string]*balancer

	mu      sync.Mutex
	workers map[conf.ProxyWorker]*worker
	aliases sync.Map // *conf.ProxyPass (a <Location>'s) → *route
}

// New builds the Proxy of a server's configuration. The workers of
// <Location> ProxyPass lines are made on first use.
func New(srv *conf.ProxyServer, opts Options) (*Proxy, error) {
	if srv == nil {
		srv = &conf.ProxyServer{}
	}
	p := &Proxy{
		srv: srv, opts: opts,
		balancers: make(map[string]*balancer),
		workers:   make(map[conf.ProxyWorker]*worker),
	}
	p.timeout = srv.Timeout
	if p.timeout <= 0 {
		p.timeout = opts.Timeout
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	for i := range srv.Balancers {
		cb := &srv.Balancers[i]
		b := &balancer{name: cb.Name, method: cb.LBMethod, maxAttempts: cb.MaxAttempts,
			forceRecovery: !cb.NoForceRecovery}
		for _, m := range cb.Members {
			w := p.worker(m)
			w.member = true
			b.members = append(b.members, w)
		}
		if b.maxAttempts < 0 {
			b.maxAttempts = len(b.members) - 1
		}
		p.balancers[b.name] = b
	}
	for i := range srv.Passes {
		r, err := p.compile(&srv.Passes[i])
		if err != nil {
			return nil, err
		}
		p.routes = append(p.routes, r)
	}
	return p, nil
}

func (p *Proxy) compile(pass *conf.ProxyPass) (*route, error) {
	r, err := compileRoute(pass)
	if err != nil {
		return nil, fmt.Errorf("proxy: %s: %w", pass.Path, err)
	}
	if pass.Balancer != "" && p.balancers[pass.Balancer] == nil {
		return nil, fmt.Errorf("proxy: %s: no balancer %s", pass.Path, pass.Balancer)
	}
	if !pass.Exclude && pass.Balancer == "" {
		r.w = p.worker(pass.Worker)
	}
	return r, nil
}

// worker returns the shared worker for a configuration (Apache shares
// workers with the same URL; here the same URL and parameters).
func (p *Proxy) worker(c conf.ProxyWorker) *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w := p.workers[c]; w != nil {
		return w
	}
	if strings.Contains(c.URL, "$") {
		// a ProxyPassMatch target: the worker is the scheme://host part.
		scheme, hostport, _ := conf.ProxyHostPort(c.URL)
		base := c
		base.URL = scheme + "://" + hostport
		if w := p.workers[base]; w != nil {
			p.workers[c] = w
			return w
		}
		w := newWorker(base, p.timeout, p.opts.TLSConfig)
		p.workers[base], p.workers[c] = w, w
		return w
	}
	w := newWorker(c, p.timeout, p.opts.TLSConfig)
	p.workers[c] = w
	return w
}

func (p *Proxy) alias(pass *conf.ProxyPass) (*route, error) {
	if r, ok := p.aliases.Load(pass); ok {
		return r.(*route), nil
	}
	r, err := p.compile(pass)
	if err != nil {
		return nil, err
	}
	got, _ := p.aliases.LoadOrStore(pass, r)
	return got.(*route), nil
}

// Target is where a request goes: the ProxyPass that matched and the
// backend path (canonical, with the query string).
type Target struct {
	Pass *conf.ProxyPass
	// Path is the origin-form request target for the backend
	// ("/x/a%20b?q=1"), built from the configuration's URL path and the
	// request's remaining path: never an absolute URL.
	Path string
	w    *worker
}

// Match is proxy_trans: the <Location>'s one-argument ProxyPass first
// (dir.Alias), then the server's ProxyPass lines in configuration order;
// the first that matches decides, and a "!" one means "not proxied". uri
// is the decoded, normalized URL-path (r->uri: fasthttp's ctx.Path()),
// query the raw query string (without '?'). ok is false when the request
// is not proxied.
func (p *Proxy) Match(uri string, query []byte, dir *conf.ProxyDir) (t Target, ok bool) {
	if uri == "" || uri[0] != '/' {
		return Target{}, false
	}
	if dir != nil && dir.Alias != nil {
		if r, err := p.alias(dir.Alias); err == nil {
			if t, ok, done := r.target(uri, query); done {
				return t, ok
			}
		}
	}
	for _, r := range p.routes {
		if t, ok, done := r.target(uri, query); done {
			return t, ok
		}
	}
	return Target{}, false
}

func (r *route) target(uri string, query []byte) (t Target, ok, done bool) {
	tail, matched := r.match(uri)
	if !matched {
		return Target{}, false, false
	}
	if r.pass.Exclude {
		return Target{}, false, true
	}
	path := canonPath(tail)
	if len(query) > 0 && !r.pass.NoQuery {
		// The query goes as received (r->args), but a '#' would end the
		// request target on the way (fasthttp's client drops a
		// fragment): it is sent encoded.
		q := string(query)
		if strings.IndexByte(q, '#') >= 0 {
			q = strings.ReplaceAll(q, "#", "%23")
		}
		path += "?" + q
	}
	return Target{Pass: r.pass, Path: path, w: r.w}, true, true
}

// Request is what Serve needs to know about the request besides ctx.
type Request struct {
	// Dir is the merged ProxyDir of the request's sections (nil: the
	// server's).
	Dir *conf.ProxyDir
	// ClientIP is r->useragent_ip, for X-Forwarded-For (mod_remoteip's
	// result where it applies).
	ClientIP string
	// Self is "scheme://host[:port]" of this server as the client named
	// it (ap_construct_url with UseCanonicalName Off), for
	// ProxyPassReverse when it maps a backend URL to a local path.
	Self string
	// Encode, when set, is the output filters' say on the body (mod_deflate,
	// mod_brotli): called once the backend's status and headers are in
	// ctx.Response and before its body is attached, with the body's size
	// (-1: unknown, chunked), it may change the headers and returns nil
	// (the body goes as it came) or a function that takes the body (and
	// closes it when it is an io.Closer, or leaves that to the reader it
	// returns) and returns the body to send and its size (-1: chunked).
	Encode func(ctx *fasthttp.RequestCtx, size int) func(io.Reader) (io.Reader, int)
}

// Entry is one error-log line, as Apache writes it.
type Entry struct {
	Level  slog.Level
	Module string // "proxy", "proxy_http", "proxy_balancer"
	Msg    string // "AH01114: HTTP: failed to make connection to backend: 127.0.0.1"
	Err    error  // the OS error shown as "(111)Connection refused: ", or nil
	// Client: Apache writes "[client ip:port]" on this line.
	Client bool
}

// Log writes the entry to l with errorlog's attribute keys; client is the
// "[client ip:port]" field, used when e.Client.
func (e Entry) Log(ctx context.Context, l *slog.Logger, client string) {
	attrs := make([]slog.Attr, 0, 3)
	attrs = append(attrs, slog.String(errorlog.KeyModule, e.Module))
	if client != "" && e.Client {
		attrs = append(attrs, slog.String(errorlog.KeyClient, client))
	}
	msg := e.Msg
	var errno syscall.Errno
	switch {
	case errors.As(e.Err, &errno):
		attrs = append(attrs, slog.Any(errorlog.KeyErr, errno))
	case e.Err != nil:
		// APR's own statuses (70007 timeout, 20014 internal error) have
		// no errno: their text goes in front of the message (after the
		// client field, where Apache puts it before).
		msg = errnoText(e.Err) + ": " + msg
	}
	l.LogAttrs(ctx, e.Level, msg, attrs...)
}

// String is the entry as the error log shows it without time, pid and
// client: "[proxy:error] (111)Connection refused: AH00957: ...".
func (e Entry) String() string {
	s := "[" + e.Module + ":" + levelName(e.Level) + "] "
	if e.Err != nil {
		s += errnoText(e.Err) + ": "
	}
	return s + e.Msg
}

func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warn"
	case l >= slog.LevelInfo:
		return "info"
	}
	return "debug"
}

// errnoText is APR's "(111)Connection refused" for a syscall error, the
// timeout text for a timeout, else the error's text.
func errnoText(err error) string {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		return fmt.Sprintf("(%d)%s", int(errno), strings.ToUpper(errno.Error()[:1])+errno.Error()[1:])
	case isTimeout(err):
		return "(70007)The timeout specified has expired"
	}
	return "(20014)Internal error (specific information not available)"
}

// Result is what Serve did.
type Result struct {
	// Status is 0 when the response (or a 101 and the tunnel) was set up
	// in ctx; otherwise the site sends its error page with this status:
	// 503 (no backend connection), 502 (bad or no response), 504 (with
	// Options.TimeoutStatus), 403 (bad query string), 405 (CONNECT).
	Status int
	// Reason is the reason phrase Apache uses with Status ("Proxy Error"
	// for 502 and 504, else ""), and Notes the text Apache puts in its
	// error page ("Error reading from remote server"), "" for none.
	Reason, Notes string
	// Backend is the worker URL that served (or failed) the request.
	Backend string
	// Log holds the error-log lines, in order.
	Log []Entry
}

func (res *Result) log(e Entry) { res.Log = append(res.Log, e) }

// Serve proxies the request in ctx to t (from Match). On success the
// backend's status, headers (hop-by-hop ones stripped, ProxyPassReverse
// applied) and a streamed body are in ctx.Response; a WebSocket upgrade
// hijacks the connection (see the package doc). ctx.Request must not be
// used by the caller afterwards.
func (p *Proxy) Serve(ctx *fasthttp.RequestCtx, t Target, r *Request) Result {
	var res Result
	if r.Dir == nil {
		r.Dir = p.srv.Dir
	}
	if ctx.IsConnect() {
		// CONNECT is forward proxying (mod_proxy_connect), never a
		// reverse-proxied request.
		res.Status = fasthttp.StatusMethodNotAllowed
		return res
	}
	if q := ctx.URI().QueryString(); len(q) > 0 && !t.Pass.NoQuery && badQuery(q) {
		res.Status = fasthttp.StatusForbidden
		res.log(Entry{Level: slog.LevelError, Module: "proxy_http", Client: true,
			Msg: "AH10408: To be forwarded query string contains control characters or spaces"})
		return res
	}
	if t.Pass.Balancer == "" {
		w := t.w
		if w == nil { // a Target not made by Match
			w = p.worker(t.Pass.Worker)
		}
		res.Backend = w.cfg.URL
		p.serveWorker(ctx, t, r, w, "", &res)
		return res
	}
	b := p.balancers[t.Pass.Balancer]
	var tried []*worker
	for attempt := 0; attempt <= b.maxAttempts; attempt++ {
		now := time.Now()
		b.recover(now)
		w := b.pick(now, tried)
		if w == nil {
			break
		}
		tried = append(tried, w)
		res = Result{Backend: w.cfg.URL, Log: res.Log}
		if failedConnect := p.serveWorker(ctx, t, r, w, b.name, &res); !failedConnect {
			return res
		}
	}
	if len(tried) > 0 && res.Status != 0 {
		return res
	}
	res.Status = fasthttp.StatusServiceUnavailable
	res.log(Entry{Level: slog.LevelError, Module: "proxy_balancer", Client: true,
		Msg: fmt.Sprintf("AH01170: %s: All workers are in error state", b.name)})
	return res
}

// serveWorker sends the request to one worker. It reports whether the
// connection could not be made (a balancer then tries another member).
func (p *Proxy) serveWorker(ctx *fasthttp.RequestCtx, t Target, r *Request, w *worker, bal string, res *Result) (failedConnect bool) {
	path := t.Path
	if bal != "" {
		path = canonJoin(w.path, t.Path)
	}
	// busy counts requests in flight for bybusyness, until the body is
	// sent or the tunnel ends.
	w.busy.Add(1)
	held := false
	defer func() {
		if !held {
			w.busy.Add(-1)
		}
	}()

	if up := upgradeWanted(ctx, w); up != "" && !p.opts.NoUpgrade {
		failedConnect, held = p.tunnel(ctx, r, w, path, up, res)
		return failedConnect
	}

	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	p.buildRequest(ctx, req, r, w, path)
	err := w.hc.Do(req, resp)
	fasthttp.ReleaseRequest(req)
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		return p.backendError(ctx, w, err, res)
	}
	w.clearError()
	held = p.copyResponse(ctx, resp, r, w)
	return false
}

// canonJoin is a balancer member's path followed by the request's.
func canonJoin(memberPath, path string) string {
	if memberPath == "" {
		return path
	}
	return strings.TrimSuffix(memberPath, "/") + path
}

// backendError maps a failed exchange to Apache's status and log lines.
func (p *Proxy) backendError(ctx *fasthttp.RequestCtx, w *worker, err error, res *Result) (failedConnect bool) {
	var de *dialError
	switch {
	case errors.As(err, &de), errors.Is(err, fasthttp.ErrNoFreeConns):
		res.Status = fasthttp.StatusServiceUnavailable
		if errors.As(err, &de) {
			res.log(Entry{Level: slog.LevelError, Module: "proxy", Err: de.err, Msg: fmt.Sprintf(
				"AH00957: %s: attempt to connect to %s (%s:%s) failed", w.scheme, w.addr, w.hostname, w.port)})
			if w.member {
				// A direct ProxyPass worker "ignores errors" in Apache
				// 2.4; a balancer member goes to error state for retry=.
				w.setError(time.Now())
				res.log(Entry{Level: slog.LevelError, Module: "proxy", Msg: fmt.Sprintf(
					"AH00959: ap_proxy_connect_backend disabling worker for (%s:%s) for %ds",
					w.hostname, w.port, int(w.retry/time.Second))})
			}
		}
		res.log(Entry{Level: slog.LevelError, Module: "proxy_http", Client: true, Msg: fmt.Sprintf(
			"AH01114: HTTP: failed to make connection to backend: %s", w.hostname)})
		return true
	case isTimeout(err):
		res.Status = fasthttp.StatusBadGateway
		if p.opts.TimeoutStatus != 0 {
			res.Status = p.opts.TimeoutStatus
		}
	default:
		res.Status = fasthttp.StatusBadGateway
	}
	res.Reason = "Proxy Error"
	res.Notes = "Error reading from remote server"
	res.log(Entry{Level: slog.LevelError, Module: "proxy_http", Client: true, Err: err, Msg: fmt.Sprintf(
		"AH01102: error reading status line from remote server %s:%s", w.hostname, w.port)})
	res.log(Entry{Level: slog.LevelError, Module: "proxy", Client: true, Msg: fmt.Sprintf(
		"AH00898: Error reading from remote server returned by %s", ctx.Path())})
	return false
}

// bodyStream is the backend's streamed body handed to the client's
// response; fasthttp closes it when the body is written (or the client
// went away), which releases the backend connection.
type bodyStream struct {
	resp *fasthttp.Response
	r    io.Reader
	once sync.Once

	busy   *atomic.Int64 // the worker's busy count, decremented on Close
	logger *slog.Logger  // Options.Logger, nil for none
	client string
	logged bool
}

// Read passes the backend's body on; a backend that fails mid-body is
// logged as Apache does (AH01110) and the client's response is cut short
// (fasthttp closes the client connection).
func (b *bodyStream) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.logger != nil && !b.logged {
		b.logged = true
		Entry{Level: slog.LevelError, Module: "proxy_http", Client: true, Err: err,
			Msg: "AH01110: error reading response"}.Log(context.Background(), b.logger, b.client)
	}
	return n, err
}

func (b *bodyStream) Close() error {
	b.once.Do(func() {
		_ = b.resp.CloseBodyStream()
		fasthttp.ReleaseResponse(b.resp)
		if b.busy != nil {
			b.busy.Add(-1)
		}
	})
	return nil
}

// dialer dials a backend for a tunnel.
func (w *worker) dial() (net.Conn, error) {
	ka := time.Duration(-1)
	if w.cfg.KeepAlive {
		ka = 0
	}
	c, err := (&net.Dialer{Timeout: w.connTimeout, KeepAlive: ka}).Dial("tcp", w.addr)
	if err != nil {
		return nil, &dialError{err}
	}
	if w.tls {
		cfg := &tls.Config{ServerName: w.hostname}
		if w.hc.TLSConfig != nil {
			cfg = w.hc.TLSConfig.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = w.hostname
			}
		}
		tc := tls.Client(c, cfg)
		_ = tc.SetDeadline(time.Now().Add(w.connTimeout))
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, &dialError{err}
		}
		_ = tc.SetDeadline(time.Time{})
		c = tc
	}
	return c, nil
}
