package mpm

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/h2bridge"
)

// HTTP/2 in the engines (Protocols h2 h2c, mod_http2's directives).
//
// An engine builds one H2Server per child (NewH2) before mpm.Track wraps
// the site handler. It then offers HTTP/2 three ways, per listener as
// H2Config says:
//
//   - TLS: a connection that negotiated "h2" by ALPN goes to ServeH2.
//     gohttpd's master builds TLS configs that offer "h2" per server
//     chosen by SNI (H2Config.TLSOffersH2); given configs that do not,
//     the engine copies the listener's tls.Config with "h2" first in
//     NextProtos (also in what a GetConfigForClient returns).
//   - h2c prior knowledge (H2Direct): the first bytes of a cleartext
//     connection are the client preface; the connection goes to ServeH2.
//   - h2c Upgrade (H2Upgrade, of the listener or, with
//     H2Config.UpgradeFor, of the vhost the request selects): the site
//     handler is wrapped so that an HTTP/1.1 request with "Upgrade: h2c"
//     hijacks the connection
//     (fasthttp's Hijack, which every engine supports on cleartext) and
//     the bridge answers 101 and the request as stream 1.
//
// The connection-per-worker engines (prefork, worker) call ServeConn for
// every accepted connection; the worker that accepted it stays with it to
// its end, also as HTTP/2, its scoreboard slot 'W' while streams are
// answered and 'K' while none is (prefork answers one stream at a time,
// Options.OneStreamAtATime, as Apache's mod_http2 on prefork). The event
// engine hands an HTTP/2 connection to a goroutine of its own
// (ServeH2Owned): the bridge's connection loop reads it on that goroutine
// for its whole life, so it cannot be parked in epoll; its streams run on
// the bridge's stream workers and count in the process slot's HTTP/2
// counters (the status page shows them), not in a worker slot.
//
// Keep-alive (as Apache 2.4.71's mod_http2, checked with h2load and a
// raw client): KeepAliveTimeout is how long a connection with no open
// stream stays open (GOAWAY, then close); MaxKeepAliveRequests and
// KeepAlive Off do not limit the streams of a connection (Apache serves
// thousands on one connection with either); Timeout (or H2StreamTimeout)
// bounds a stream's reads and each write.
// A graceful stop sends GOAWAY on every connection and lets the open
// streams finish (Stop).

// H2Config is the HTTP/2 setup of a child, built by the master from the
// configuration (engines never import conf).
type H2Config struct {
	// Listeners is parallel to ChildDeps.Listeners; a short slice means
	// HTTP/1.1 only for the listeners it does not cover.
	Listeners []H2Listener
	// Options are the bridge's limits (H2MaxSessionStreams, H2WindowSize,
	// LimitRequest*, KeepAliveTimeout ...). OneStreamAtATime is set by
	// prefork itself.
	Options h2bridge.Options
	// TLSOffersH2: ChildDeps.TLS already lists "h2" in NextProtos where
	// Protocols allow it (per server chosen by SNI, as gohttpd's master
	// builds them): the engines add nothing (only reorder for
	// ClientOrder) and serve whatever negotiated "h2". Without it the
	// engines add "h2" on the listeners whose H2 is set.
	TLSOffersH2 bool
	// UpgradeFor, when set, decides per request whether "Upgrade: h2c"
	// is answered: the Protocols and H2Upgrade of the server the request
	// selects (Apache's r->server), instead of the listener's Upgrade.
	UpgradeFor func(ctx *fasthttp.RequestCtx) bool
	// MaxOwned bounds the HTTP/2 connections a child serves on goroutines
	// of its own (the event engine's hand-off, which takes them out of
	// the engine's connection count): past it a new one is closed at
	// once (logged). 0: no bound. prefork and worker are bounded by
	// their workers.
	MaxOwned int
}

// H2Listener is what one listener offers (the Protocols of the server
// that owns the address: its first <VirtualHost>, else the main server).
type H2Listener struct {
	// H2 advertises "h2" in ALPN on a TLS listener (Protocols h2).
	H2 bool
	// Direct serves h2c with prior knowledge on a cleartext listener
	// (Protocols h2c, H2Direct on).
	Direct bool
	// DirectTLS serves HTTP/2 with prior knowledge on a TLS listener
	// when ALPN did not choose h2 (Protocols h2, H2Direct on; see
	// h2direct.go).
	DirectTLS bool
	// Upgrade answers "Upgrade: h2c" on a cleartext listener (Protocols
	// h2c, H2Upgrade on).
	Upgrade bool
	// ClientOrder is ProtocolsHonorOrder Off: ALPN picks the client's
	// first protocol among those offered, not the server's.
	ClientOrder bool
	// Options, when set, replace H2Config.Options for this listener's
	// connections (the owning vhost's own H2MaxSessionStreams,
	// H2WindowSize ...: Apache takes a session's settings from the base
	// server of its connection).
	Options *h2bridge.Options
}

func (c *H2Config) enabled() bool {
	if c == nil {
		return false
	}
	return c.TLSOffersH2 || c.UpgradeFor != nil || slices.ContainsFunc(c.Listeners, func(l H2Listener) bool { return l.H2 || l.Direct || l.Upgrade })
}

// H2Server is a child's HTTP/2 side: the bridge over the site handler,
// the TLS configs that advertise h2, and the connections being served.
type H2Server struct {
	cfg    *H2Config
	Bridge *h2bridge.Bridge // H2Config.Options' bridge
	// bridges is parallel to cfg.Listeners: the bridge of each listener
	// (Bridge, or one of its own Options); all lists every bridge once.
	bridges []*h2bridge.Bridge
	all     []*h2bridge.Bridge
	lns     []net.Listener
	tls     []*tls.Config
	proc    *Process
	site    fasthttp.RequestHandler
	vhost   string // the scoreboard's vhost column (ChildDeps.VHost)

	// waits holds, per HTTP/1.1 connection a handler upgraded, the channel
	// closed when the HTTP/2 side ends (connection-per-worker engines wait
	// on it: the worker stays with its connection).
	waits sync.Map // net.Conn → chan struct{}

	owned atomic.Int32 // connections ServeH2Owned serves
	log   *slog.Logger

	stopOnce sync.Once
	stopWG   sync.WaitGroup
	cancel   context.CancelFunc
	stopCtx  context.Context
}

// NewH2 prepares HTTP/2 for a child over deps: it returns nil when
// deps.H2 enables nothing. It replaces deps.TLS by copies that advertise
// h2 where allowed and wraps deps.Server.Handler to answer h2c upgrades;
// call it before Track. oneStream is prefork's one stream at a time.
func NewH2(deps *ChildDeps, oneStream bool) *H2Server {
	if !deps.H2.enabled() || deps.Server == nil {
		return nil
	}
	opts := deps.H2.Options
	opts.OneStreamAtATime = oneStream
	h := &H2Server{cfg: deps.H2, lns: deps.Listeners, site: deps.Server.Handler, vhost: deps.VHost, log: deps.Log}
	if deps.Board != nil {
		h.proc = deps.Board.Process(deps.Slot)
	}
	opts.StreamStart, opts.StreamDone = h.streamStart, h.streamDone
	h.Bridge = h2bridge.New(opts, h.begin)
	h.all = []*h2bridge.Bridge{h.Bridge}
	h.bridges = make([]*h2bridge.Bridge, len(deps.H2.Listeners))
	for i, l := range deps.H2.Listeners {
		h.bridges[i] = h.Bridge
		if l.Options != nil {
			o := *l.Options
			o.OneStreamAtATime = oneStream
			o.StreamStart, o.StreamDone = h.streamStart, h.streamDone
			h.bridges[i] = h2bridge.New(o, h.begin)
			h.all = append(h.all, h.bridges[i])
		}
	}
	h.stopCtx, h.cancel = context.WithCancel(context.Background())
	if len(deps.TLS) > 0 {
		h.tls = make([]*tls.Config, len(deps.TLS))
		for i, c := range deps.TLS {
			h.tls[i] = c
			l := h.listener(i)
			switch {
			case c == nil:
			case !deps.H2.TLSOffersH2 && l.H2:
				h.tls[i] = advertiseH2(c, true, l.ClientOrder)
			case deps.H2.TLSOffersH2 && l.ClientOrder:
				h.tls[i] = advertiseH2(c, false, true)
			}
		}
		deps.TLS = h.tls
	}
	if deps.H2.UpgradeFor != nil || slices.ContainsFunc(deps.H2.Listeners, func(l H2Listener) bool { return l.Upgrade }) {
		site := deps.Server.Handler
		deps.Server.Handler = func(ctx *fasthttp.RequestCtx) {
			if !h.upgrade(ctx) {
				site(ctx)
			}
		}
	}
	return h
}

func (h *H2Server) listener(i int) H2Listener {
	if i < 0 || i >= len(h.cfg.Listeners) {
		return H2Listener{}
	}
	return h.cfg.Listeners[i]
}

// ListenerOf returns what the listener that accepted a connection with
// local address la offers (the listener with la's port and address, or
// a wildcard address, as ListenerTLS).
func (h *H2Server) ListenerOf(la net.Addr) H2Listener {
	return h.listener(listenerIndex(h.lns, la))
}

// bridgeOf is the bridge of the listener of local address la.
func (h *H2Server) bridgeOf(la net.Addr) *h2bridge.Bridge {
	if i := listenerIndex(h.lns, la); i >= 0 && i < len(h.bridges) {
		return h.bridges[i]
	}
	return h.Bridge
}

// listenerIndex is the index in lns of the listener of local address la,
// -1 for none.
func listenerIndex(lns []net.Listener, la net.Addr) int {
	a, ok := la.(*net.TCPAddr)
	if !ok {
		return -1
	}
	wild := -1
	for i, ln := range lns {
		l, ok := ln.Addr().(*net.TCPAddr)
		if !ok || l.Port != a.Port {
			continue
		}
		if l.IP.Equal(a.IP) {
			return i
		}
		if (l.IP == nil || l.IP.IsUnspecified()) && wild < 0 {
			wild = i
		}
	}
	return wild
}

// advertiseH2 returns a copy of c with "h2" first in NextProtos (addH2), also in
// the configs its GetConfigForClient returns (copied once each). With
// clientOrder each handshake gets a copy whose NextProtos follow the
// client's order (crypto/tls picks the server's first protocol the client
// offers).
func advertiseH2(c *tls.Config, addH2, clientOrder bool) *tls.Config {
	withH2 := withH2
	if !addH2 {
		withH2 = func(p []string) []string { return p }
	}
	out := c.Clone()
	out.NextProtos = withH2(c.NextProtos)
	if clientOrder {
		base := out.Clone()
		get := c.GetConfigForClient
		out.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			cfg := base
			if get != nil {
				got, err := get(hello)
				if err != nil {
					return nil, err
				}
				if got != nil {
					cfg = got
				}
			}
			cp := cfg.Clone()
			cp.GetConfigForClient = nil
			cp.NextProtos = clientFirst(withH2(cfg.NextProtos), hello.SupportedProtos)
			return cp, nil
		}
		return out
	}
	if get := c.GetConfigForClient; get != nil {
		// The copies are cached by the config GetConfigForClient returned
		// (one per server, as a TLS package selecting by SNI returns); a
		// GetConfigForClient making a new config per handshake gets a
		// new copy each time past maxH2Copies, never an unbounded cache.
		var (
			cache sync.Map // *tls.Config → *tls.Config
			n     atomic.Int32
		)
		out.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			cfg, err := get(hello)
			if cfg == nil || err != nil {
				return cfg, err
			}
			if v, ok := cache.Load(cfg); ok {
				return v.(*tls.Config), nil
			}
			cp := cfg.Clone()
			cp.NextProtos = withH2(cfg.NextProtos)
			if n.Add(1) > maxH2Copies {
				return cp, nil
			}
			v, _ := cache.LoadOrStore(cfg, cp)
			return v.(*tls.Config), nil
		}
	}
	return out
}

// clientFirst orders server's protocols as the client listed them; those
// the client did not list keep their order after.
func clientFirst(server, client []string) []string {
	out := make([]string, 0, len(server))
	for _, p := range client {
		if slices.Contains(server, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, p := range server {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// maxH2Copies bounds advertiseH2's cache of per-server configs.
const maxH2Copies = 1024

func withH2(protos []string) []string {
	if slices.Contains(protos, h2bridge.NextProtoTLS) {
		return protos
	}
	if len(protos) == 0 {
		protos = []string{"http/1.1"}
	}
	return append([]string{h2bridge.NextProtoTLS}, protos...)
}

// ServeConn serves tc, accepted by a connection-per-worker engine (prefork,
// worker), to its end: TLS or cleartext, HTTP/1.1 or HTTP/2. With h nil it
// is the HTTP/1.1-only path.
func ServeConn(deps ChildDeps, h *H2Server, tc *Conn) {
	cfg := ListenerTLS(deps.Listeners, deps.TLS, tc)
	if h == nil {
		if cfg != nil {
			ServeTLS(deps, tc, cfg)
		} else {
			deps.Server.ServeConn(tc)
		}
		return
	}
	if cfg != nil {
		h.serveTLS(deps, tc, cfg)
		return
	}
	var c net.Conn = tc
	if h.ListenerOf(tc.LocalAddr()).Direct {
		d := deps.Server.ReadTimeout
		if d <= 0 {
			d = 60 * time.Second
		}
		tc.TCPConn.SetReadDeadline(time.Now().Add(d))
		raw := tc.H2Raw()
		rc, isH2, err := h2bridge.Sniff(raw)
		tc.TCPConn.SetReadDeadline(time.Time{})
		switch {
		case isH2:
			h.ServeH2(rc, tc.Worker)
			return
		case err != nil && rc == raw:
			tc.Close() // nothing read
			return
		}
		c = &replayed{Conn: tc, r: rc}
	}
	deps.Server.ServeConn(c)
	h.wait(c)
}

// serveTLS is ServeTLS with ALPN: "h2" goes to the bridge.
func (h *H2Server) serveTLS(deps ChildDeps, tc *Conn, cfg *tls.Config) {
	t := tls.Server(tc.H2Raw(), cfg) // H2Raw: the bytes read past a PROXY v1 line, and its client
	name := ""
	if deps.Server != nil {
		name = deps.Server.Name
	}
	if err := Handshake(t, deps.HandshakeDeadline(), name); err != nil {
		if deps.Log != nil && !errors.Is(err, ErrPlainHTTP) {
			deps.Log.Debug("tls handshake failed", "client", tc.RemoteAddr().String(), "err", err)
		}
		tc.Close()
		return
	}
	if t.ConnectionState().NegotiatedProtocol == h2bridge.NextProtoTLS {
		h.ServeH2(t, tc.Worker)
		return
	}
	if h.ListenerOf(tc.LocalAddr()).DirectTLS {
		h.serveDirectTLS(deps, tc, t) // h2direct.go
		return
	}
	cs := t.ConnectionState()
	deps.Server.ServeConn(&TLSConn{Conn: t, Plain: tc, Version: cs.Version, Cipher: cs.CipherSuite})
}

// replayed is a cleartext connection whose first bytes were read to look
// for the h2c preface: reads come from r (those bytes, then the socket),
// through the Validator as on the *Conn.
type replayed struct {
	*Conn
	r io.Reader
}

func (c *replayed) Read(p []byte) (int, error) {
	if c.Validator == nil {
		return c.r.Read(p)
	}
	return c.Validator.Read(c.r, p)
}

// stopValidating makes reads bypass the Validator from now on (an h2c
// upgrade).
func (c *Conn) stopValidating() { c.Validator = nil }

// h2Conn is an HTTP/2 connection as the bridge serves it: the connection,
// the scoreboard slot of the worker that owns it (nil in the event
// engine) and its streams in progress.
type h2Conn struct {
	net.Conn
	w      *Worker
	proc   *Process
	mu     sync.Mutex // one writer of w at a time; guards active, done
	active int
	done   bool // closed: the slot is the engine's again
}

// Unwrap lets the bridge find the TLS connection beneath.
func (c *h2Conn) Unwrap() net.Conn { return c.Conn }

// ScoreboardWorker implements WorkerConn.
func (c *h2Conn) ScoreboardWorker() *Worker { return c.w }

// ServeH2 serves c, negotiated as HTTP/2 (ALPN h2, or the h2c preface
// next), on the calling goroutine until it closes; w is the scoreboard
// slot of the worker that owns the connection, nil for none.
func (h *H2Server) ServeH2(c net.Conn, w *Worker) {
	hc := &h2Conn{Conn: c, w: w, proc: h.proc}
	h.opened(hc)
	defer h.closed(hc)
	h.bridgeOf(c.LocalAddr()).ServeConn(hc)
}

// ServeH2Owned is ServeH2 on a goroutine the H2Server owns (the event
// engine's hand-off); Stop ends it.
func (h *H2Server) ServeH2Owned(c net.Conn) {
	if max := h.cfg.MaxOwned; max > 0 && int(h.owned.Add(1)) > max {
		h.owned.Add(-1)
		if h.log != nil {
			h.log.Warn("too many HTTP/2 connections in this process; closing a new one", "max", max, "client", c.RemoteAddr().String())
		}
		c.Close()
		return
	} else if max <= 0 {
		h.owned.Add(1)
	}
	h.stopWG.Go(func() {
		defer h.owned.Add(-1)
		h.ServeH2(c, nil)
	})
}

func (h *H2Server) opened(hc *h2Conn) {
	if hc.proc != nil {
		hc.proc.AddH2Conns(1)
		if hc.w == nil {
			// The event engine's async table: an HTTP/2 connection with
			// no stream is a keep-alive connection, as in Apache's event
			// MPM.
			hc.proc.AddConnections(1)
			hc.proc.AddKeepAlive(1)
		}
	}
	if hc.w != nil {
		hc.w.SetState(StateBusyKeepAlive)
	}
}

func (h *H2Server) closed(hc *h2Conn) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	hc.done = true
	if hc.proc != nil {
		hc.proc.AddH2Conns(-1)
		if hc.w == nil {
			hc.proc.AddConnections(-1)
			if hc.active == 0 {
				hc.proc.AddKeepAlive(-1)
			}
		}
	}
	if hc.w != nil {
		hc.w.SetState(StateClosing)
	}
}

// streamStart counts a stream on its connection's scoreboard slot
// (prefork, worker) or process slot (event).
func (h *H2Server) streamStart(ctx *fasthttp.RequestCtx) {
	hc := h2ConnOf(ctx)
	if hc == nil {
		return
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.done {
		return // handlers may run past the connection's end
	}
	hc.active++
	if hc.proc != nil {
		hc.proc.AddH2Streams(1)
		if hc.w == nil && hc.active == 1 {
			hc.proc.AddKeepAlive(-1)
		}
	}
	if hc.w != nil {
		hc.w.SetState(StateBusyRead)
	}
}

// streamDone accounts a finished stream.
func (h *H2Server) streamDone(ctx *fasthttp.RequestCtx) {
	hc := h2ConnOf(ctx)
	if hc == nil {
		return
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.done {
		if hc.proc != nil && hc.active > 0 {
			hc.proc.AddH2Streams(-1)
			hc.active--
		}
		return
	}
	hc.active--
	if hc.proc != nil {
		hc.proc.AddH2Streams(-1)
		if hc.w == nil {
			hc.proc.AddH2Requests(1)
			if hc.active == 0 {
				hc.proc.AddKeepAlive(1)
			}
		}
	}
	if hc.w != nil {
		hc.w.EndRequest(time.Now(), responseBytes(ctx))
		if hc.active == 0 {
			hc.w.SetState(StateBusyKeepAlive)
		}
	}
}

// begin shows a stream's request in its connection's scoreboard slot once
// the request is read (the bridge's handler).
func (h *H2Server) begin(ctx *fasthttp.RequestCtx) {
	if hc := h2ConnOf(ctx); hc != nil && hc.w != nil {
		hc.mu.Lock()
		if !hc.done {
			hc.w.BeginRequest(time.Now(), clientIP(ctx), h.vhost, requestLine(ctx))
			hc.w.SetState(StateBusyWrite)
		}
		hc.mu.Unlock()
	}
	h.site(ctx)
}

// setVHost is SetRequestVHost for a stream of c.
func (c *h2Conn) setVHost(vhost string) {
	if c.w != nil {
		c.mu.Lock()
		if !c.done {
			c.w.SetVHost(vhost)
		}
		c.mu.Unlock()
	}
}

// h2ConnOf finds the h2Conn of a stream's ctx.
func h2ConnOf(ctx *fasthttp.RequestCtx) *h2Conn {
	u, ok := ctx.Conn().(interface{ Underlying() net.Conn })
	if !ok {
		return nil
	}
	hc, _ := u.Underlying().(*h2Conn)
	return hc
}

// upgrade answers an "Upgrade: h2c" request on a cleartext listener that
// allows it by hijacking the connection for the bridge; it reports
// whether it did.
func (h *H2Server) upgrade(ctx *fasthttp.RequestCtx) bool {
	if !h2bridge.IsH2CUpgrade(&ctx.Request) || ctx.IsTLS() {
		return false
	}
	if f := h.cfg.UpgradeFor; f != nil {
		if !f(ctx) {
			return false
		}
	} else if !h.ListenerOf(ctx.LocalAddr()).Upgrade {
		return false
	}
	b := h.bridgeOf(ctx.LocalAddr())
	if h.stopCtx.Err() != nil || b.Stopping() {
		return false
	}
	req := new(fasthttp.Request)
	ctx.Request.CopyTo(req)
	var w *Worker
	var done chan struct{}
	under := ctx.Conn()
	if wc, ok := under.(slotConn); ok {
		// prefork, worker: the worker waits (ServeConn) for the HTTP/2
		// side and keeps its slot.
		w = wc.slot()
		done = make(chan struct{})
		h.waits.Store(under, done)
	}
	if pc, ok := under.(interface{ stopValidating() }); ok {
		// The client sends HTTP/2 frames after the 101: they are not
		// HTTP/1.1 for the Validator to check.
		pc.stopValidating()
	}
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		if done != nil {
			defer close(done)
		}
		hc := &h2Conn{Conn: c, w: w, proc: h.proc}
		h.opened(hc)
		defer h.closed(hc)
		if err := b.ServeUpgrade(hc, req, nil); errors.Is(err, h2bridge.ErrBadUpgrade) {
			c.Close()
		}
	})
	return true
}

// wait blocks until the HTTP/2 side of an upgraded connection c has
// ended (nothing to wait for when c was not upgraded).
func (h *H2Server) wait(c net.Conn) {
	if v, ok := h.waits.LoadAndDelete(c); ok {
		<-v.(chan struct{})
	}
}

// Stop is the engine's stop order for the HTTP/2 side: graceful modes send
// GOAWAY on every connection and let their streams finish (new
// connections get none); StopImmediate closes them.
func (h *H2Server) Stop(mode StopMode) {
	if h == nil {
		return
	}
	if mode == StopImmediate {
		h.cancel()
		for _, b := range h.all {
			b.Close()
		}
		return
	}
	h.stopOnce.Do(func() {
		for _, b := range h.all {
			h.stopWG.Go(func() { _ = b.Shutdown(h.stopCtx) })
		}
	})
}

// Wait waits until every connection ServeH2Owned took and the graceful
// shutdown have ended.
func (h *H2Server) Wait() {
	if h != nil {
		h.stopWG.Wait()
	}
}
