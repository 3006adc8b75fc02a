package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/sample"
	"github.com/gohttpd/gohttpd/bench/target"
)

// The h2 scenario: HTTP/2, over TLS (ALPN h2, the https scenario's
// certificate) and h2c (prior knowledge), on the 1 KB file, with the
// bench's own HTTP/2 load generator (load.H2Runner).
//
//	tls-1x1, -1x10, -1x100   one connection with 1, 10, 100 streams in
//	                         flight: what multiplexing buys (prefork
//	                         serves one stream at a time per connection,
//	                         as mod_http2 there, so its 1x100 is its 1x1)
//	tls-100x1, -10x10        the same 100 requests in flight as 1x100,
//	                         over 100 connections of one stream and 10 of
//	                         ten
//	h2c-...                  the same five cases over h2c
//	idle-h2-tls, idle-h2c    memory (RSS and PSS of the server's process
//	                         tree) per idle h2 connection, each opened and
//	                         answered once, on a fresh server; idle-h1
//	                         the same for HTTP/1.1 keep-alive connections
//
// Cases are named without dots so that thresholds can name them:
// event.h2.tls-10x10.rps>=1.0*nginx.

// h2Shapes are the load cases: connections x streams per connection.
var h2Shapes = []struct{ conns, streams int }{
	{1, 1}, {1, 10}, {1, 100}, {10, 10}, {100, 1},
}

// h2Directives are the scenario's directives: HTTP/2 on every listener,
// 100 streams per connection (Apache's default, said aloud; nginx's is
// 128), no bound on requests per connection (MaxKeepAliveRequests does
// not bound h2 streams in gohttpd or Apache 2.4, but nginx's matched
// keepalive_requests 100 would end each h2 connection after 100
// streams), and a pool for 100 connections.
func h2Directives(mpm string) []string {
	return append([]string{"Protocols h2 h2c http/1.1", "H2MaxSessionStreams 100", "MaxKeepAliveRequests 0"},
		poolDirectives(mpm, 100)...)
}

// extSkip says why scenario sc does not run on the --target ext ("" if
// it runs, or ext is nil): an https:// target runs https and h2 (over
// TLS), an h2c:// one only h2, an http:// one neither.
func extSkip(sc *scenario, ext *target.Server) string {
	switch {
	case ext == nil:
		return ""
	case sc.h2:
		if ext.TLSOnly() || ext.H2COnly() {
			return ""
		}
		return "needs an https:// (h2 over TLS) or h2c:// (prior knowledge) --target"
	case ext.H2COnly():
		return "an h2c:// --target runs only the h2 scenario"
	case ext.TLSOnly() != sc.tls:
		return tlsSkip(sc.tls)
	}
	return ""
}

// h2Transport is one way of speaking HTTP/2 to a server.
type h2Transport struct {
	name string // "tls" or "h2c"
	addr string
	tls  *tls.Config
}

// h2Transports are the server's HTTP/2 listeners.
func h2Transports(srv *target.Server) []h2Transport {
	var out []h2Transport
	if srv.TLSAddr != "" {
		out = append(out, h2Transport{"tls", srv.TLSAddr, tlsClient(tls.NewLRUClientSessionCache(256), nil)})
	}
	switch {
	case srv.H2CAddr != "":
		out = append(out, h2Transport{"h2c", srv.H2CAddr, nil})
	case srv.Kind == target.KindGohttpd || srv.Kind == target.KindApache:
		out = append(out, h2Transport{"h2c", srv.Addr, nil}) // H2Direct on the plain listener
	}
	return out
}

// view is srv as seen on addr, for the sampler (TCP states by port).
func view(srv *target.Server, addr string) *target.Server {
	v := *srv
	v.Addr = addr
	_, p, _ := net.SplitHostPort(addr)
	v.Port, _ = strconv.Atoi(p)
	return &v
}

func runH2(ctx context.Context, e *env) error {
	if e.fg != nil && e.fg.kind == target.KindApache {
		if err := target.ApacheHasHTTP2(e.fg.inst); err != nil {
			e.newCase("", nil).Notes = []string{"skipped: " + err.Error() + " (mod_http2)"}
			return nil
		}
	}
	dirs := h2Directives(e.engine())
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	tps := h2Transports(srv)
	for _, tp := range tps {
		if ctx.Err() != nil {
			break
		}
		if err := e.h2Loads(ctx, srv, tp, dirs); err != nil {
			e.stop(srv)
			return err
		}
	}
	e.stop(srv)
	return e.h2IdleCases(ctx, dirs)
}

// h2Loads runs the load cases on one transport.
func (e *env) h2Loads(ctx context.Context, srv *target.Server, tp h2Transport, dirs []string) error {
	path := srv.Path("1k.bin")
	// Warm up pools and caches (and, on TLS, the session cache).
	if r, err := load.NewH2(load.H2Config{Addr: tp.addr, Path: path, TLS: tp.tls, Connections: 10, Streams: 10,
		Duration: e.quick(500*time.Millisecond, 100*time.Millisecond), Timeout: time.Second}); err == nil {
		if res := r.Run(ctx); res.Err != nil {
			c := e.newCase(tp.name, dirs)
			c.Error = res.Err.Error()
			return nil
		}
	}
	v := view(srv, tp.addr)
	rps1 := 0.0
	for _, sh := range h2Shapes {
		if ctx.Err() != nil {
			return nil
		}
		c := e.newCase(fmt.Sprintf("%s-%dx%d", tp.name, sh.conns, sh.streams), dirs)
		p := e.observe(ctx, v)
		cpu0 := sample.TreeCPU(srv.PID)
		res, err := e.runH2Load(ctx, p, c, load.H2Config{
			Addr: tp.addr, Path: path, TLS: tp.tls, Connections: sh.conns, Streams: sh.streams,
			Duration: e.o.Duration, Timeout: 5 * time.Second,
		})
		cpu := sample.TreeCPU(srv.PID) - cpu0
		ss := p.finish(c)
		if err != nil {
			return err
		}
		addLoadFigures(c, c.Load, ss)
		addH2Figures(c, res, cpu, srv.PID > 0)
		addMax(c, ss, "busy workers", busy, "", false)
		if res.Err != nil {
			c.Error = res.Err.Error()
			return nil // the server does not speak h2 here: the next shapes would say the same
		}
		if sh.conns == 1 && sh.streams == 1 {
			rps1 = c.Load.RPS
		} else if sh.conns == 1 && rps1 > 0 {
			c.Add("vs 1x1", c.Load.RPS/rps1, "×", true)
		}
	}
	return e.h2Stall(ctx, srv, tp, dirs)
}

// h2Stall runs the stall case: on one connection, a stream of the 1 MB
// file whose window the client never returns (it stops on flow control
// after 64 KB and stays in progress) beside 10 streams of the 1 KB file.
// A server that answers a connection's streams concurrently answers the
// small ones; prefork, one stream at a time, answers none: they time out.
func (e *env) h2Stall(ctx context.Context, srv *target.Server, tp h2Transport, dirs []string) error {
	if ctx.Err() != nil {
		return nil
	}
	c := e.newCase(tp.name+"-stall", dirs)
	p := e.observe(ctx, view(srv, tp.addr))
	res, err := e.runH2Load(ctx, p, c, load.H2Config{
		Addr: tp.addr, Path: srv.Path("1k.bin"), Stall: srv.Path("1m.bin"), TLS: tp.tls, Connections: 1, Streams: 10,
		Duration: e.o.Duration, Timeout: max(min(time.Second, e.o.Duration/3), 100*time.Millisecond),
	})
	ss := p.finish(c)
	if err != nil {
		return err
	}
	addLoadFigures(c, c.Load, ss)
	c.Add("stalled streams", float64(res.Stalls), "", true)
	if res.Err != nil {
		c.Error = res.Err.Error()
		return nil
	}
	n := res.Requests + res.Errors.Total()
	c.Expect(res.Stalls > 0 && n > 0, "the 1 KB streams beside the stalled one answered or timed out",
		fmt.Sprintf("%d stalled streams, %d answered, %d failed", res.Stalls, res.Requests, res.Errors.Total()))
	c.Notes = append(c.Notes, "one stream of 1m.bin whose window the client never returns, beside 10 streams of 1k.bin on the same connection: "+
		"0 req/s and timeouts mean the server answers a connection's streams one at a time (prefork, as mod_http2 on prefork)")
	return nil
}

// runH2Load runs one HTTP/2 load with a progress line and stores its
// summary in c.
func (e *env) runH2Load(ctx context.Context, p *probe, c *report.Case, cfg load.H2Config) (*load.H2Result, error) {
	r, err := load.NewH2(cfg)
	if err != nil {
		return nil, err
	}
	p.h2.Store(r)
	var res *load.H2Result
	e.withProgress(c, cfg.Duration, r, func() load.Summary {
		res = r.Run(ctx)
		s := res.Summary()
		s.Pipeline = 0 // no HTTP/1.1 pipelining: streams are the h2 figures
		return s
	})
	return res, nil
}

// addH2Figures adds what an HTTP/2 load negotiated and cost.
func addH2Figures(c *report.Case, res *load.H2Result, cpu float64, hasPID bool) {
	c.Add("streams/conn", float64(res.Streams), "", false)
	c.Add("max in flight/conn", float64(res.MaxStreams), "", false)
	c.AddMaybe("server max streams", float64(res.ServerMaxStreams), res.ServerMaxStreams > 0, "", false)
	c.Add("connections", float64(res.Connects), "", false)
	c.Add("GOAWAY", float64(res.GoAways), "", false)
	c.Add("RST_STREAM", float64(res.Resets), "", false)
	if res.Requests > 0 {
		c.AddMaybe("server CPU/req", cpu*1e6/float64(res.Requests), hasPID, "µs", true)
	}
	if cs := res.TLS; cs != nil {
		c.Notes = append(c.Notes, fmt.Sprintf("negotiated %s over %s %s", cs.NegotiatedProtocol,
			tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite)))
	}
	if res.ServerMaxStreams > 0 && int(res.ServerMaxStreams) < res.Streams {
		c.Notes = append(c.Notes, fmt.Sprintf("the server allows %d streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS): %d were kept in flight, not %d",
			res.ServerMaxStreams, res.MaxStreams, res.Streams))
	}
}

// h2IdleCases measure the memory per idle connection: h2 over TLS, h2c
// and HTTP/1.1 keep-alive, each on a freshly started server.
func (e *env) h2IdleCases(ctx context.Context, dirs []string) error {
	n := e.quickN(400, 200)
	// The connections stay open while the others are opened and the
	// memory is read (KeepAliveTimeout is how long an h2 connection with
	// no stream stays open; nginx: keepalive_timeout).
	dirs = append(dirs[:len(dirs):len(dirs)], "KeepAliveTimeout 60")
	switch e.engine() {
	case "prefork", "worker":
		// Each connection holds a worker there: stay within the pool.
		n = min(n, 100-2)
	case "event":
		// An h2 connection leaves the event loop for a goroutine of its
		// own, at most ThreadsPerChild x (1 + AsyncRequestWorkerFactor)
		// per child (as Apache's bound on a process's connections).
		dirs = append(dirs[:len(dirs):len(dirs)], "AsyncRequestWorkerFactor 8")
	}
	kinds := []string{"idle-h2-tls", "idle-h2c", "idle-h1"}
	for _, kind := range kinds {
		if ctx.Err() != nil {
			return nil
		}
		if e.ext != nil && kind != map[bool]string{false: "idle-h2-tls", true: "idle-h2c"}[e.ext.H2COnly()] {
			continue // an external target speaks one of them
		}
		srv, err := e.start(ctx, dirs)
		if err != nil {
			return err
		}
		c := e.newCase(kind, dirs)
		err = e.h2Idle(ctx, c, srv, kind, n)
		e.stop(srv)
		if err != nil {
			c.Notes = append(c.Notes, "idle memory not measured: "+err.Error())
		}
	}
	return nil
}

// h2Idle measures one idle case on srv.
func (e *env) h2Idle(ctx context.Context, c *report.Case, srv *target.Server, kind string, n int) error {
	if srv.PID <= 0 {
		return fmt.Errorf("no server pid (--target-pid)")
	}
	mem := func() (sample.Mem, error) { return sample.Memory(sample.Tree(srv.PID)) }
	// A settled baseline: the server has started its children and pools.
	sleep(ctx, 300*time.Millisecond)
	before, err := mem()
	if err != nil {
		return err
	}
	var held int
	var closeAll func()
	switch kind {
	case "idle-h1":
		conns, err := holdH1(ctx, srv.Addr, srv.Path("empty.txt"), n)
		if err != nil {
			return err
		}
		held, closeAll = len(conns), func() {
			for _, c := range conns {
				c.Close()
			}
		}
	default:
		var tp *h2Transport
		for _, t := range h2Transports(srv) {
			if (t.name == "tls") == (kind == "idle-h2-tls") {
				tp = &t
			}
		}
		if tp == nil {
			return fmt.Errorf("no %s listener", kind)
		}
		idle, err := load.HoldH2(ctx, load.H2Config{Addr: tp.addr, Path: srv.Path("empty.txt"), TLS: tp.tls, Timeout: 3 * time.Second}, n)
		if err != nil {
			return err
		}
		if idle.Err != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("%d of %d connections held: %v", idle.Held(), n, idle.Err))
		}
		held, closeAll = idle.Held(), idle.Close
	}
	defer closeAll()
	c.Expect(held == n, fmt.Sprintf("%d idle connections held", n), fmt.Sprintf("%d held", held))
	// Let the server park them and its allocator settle.
	sleep(ctx, 500*time.Millisecond)
	after, err := mem()
	if err != nil {
		return err
	}
	c.Add("idle conns", float64(held), "", true)
	c.Add("KB RSS/idle conn", float64(after.RSS-before.RSS)/float64(held)/1024, "KB", true)
	c.Add("KB PSS/idle conn", float64(after.PSS-before.PSS)/float64(held)/1024, "KB", true)
	h2c, known := statusCount(srv, "H2Connections")
	if kind != "idle-h1" {
		c.AddMaybe("H2Connections (status)", float64(h2c), known, "", false)
	}
	return nil
}

// holdH1 opens up to n HTTP/1.1 keep-alive connections to addr, each
// answered once and then left idle.
func holdH1(ctx context.Context, addr, path string, n int) ([]net.Conn, error) {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n")
	var conns []net.Conn
	var firstErr error
	for range n {
		if ctx.Err() != nil {
			break
		}
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(3 * time.Second))
			var buf [4096]byte
			if _, err = c.Write(req); err == nil {
				_, err = c.Read(buf[:])
			}
			c.SetDeadline(time.Time{})
			if err != nil {
				c.Close()
			}
		}
		if err != nil {
			firstErr = cmpOr(firstErr, err)
			continue
		}
		conns = append(conns, c)
	}
	if len(conns) == 0 {
		return nil, fmt.Errorf("no connection was held: %w", cmpOr(firstErr, errors.New("interrupted")))
	}
	return conns, nil
}

// cmpOr returns the first non-nil error.
func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// statusCount reads one count of a /server-status?auto page (gohttpd's
// H2Connections, which the page shows only while there are some), and
// whether it is known: absent from gohttpd's page it is 0, absent from
// another server's it is unknown.
func statusCount(srv *target.Server, key string) (int, bool) {
	if srv.StatusURL == "" {
		return 0, false
	}
	cl := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := cl.Get(srv.StatusURL)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, false
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			return n, err == nil
		}
	}
	return 0, srv.Kind == target.KindGohttpd
}
