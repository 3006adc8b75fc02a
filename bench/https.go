package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gohttpd/gohttpd/bench/load"
	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/sample"
	"github.com/gohttpd/gohttpd/bench/target"
)

// The https scenario: TLS costs, on the server's HTTPS listener (a
// generated ECDSA P-256 certificate, the same for gohttpd, Apache and
// nginx; see target/tls.go), or on an https:// --target.
//
//	keepalive-1k       keep-alive throughput of the 1 KB file over TLS
//	handshake-full     a new connection per request, no session cache: a
//	                   full handshake each time, with Go's default key
//	                   shares (X25519MLKEM768 and X25519: a Go server picks
//	                   the hybrid, OpenSSL 3.0 X25519)
//	handshake-x25519   the same offering X25519 only, so that every server
//	                   does the same key exchange
//	handshake-resumed  a new connection per request resuming its session
//	                   (a shared client session cache: tickets)
//	idle-tls           memory per idle keep-alive TLS connection: the
//	                   server's RSS with and without N handshaken, idle
//	                   connections; idle-plain the same on plain HTTP
//
// The handshake cases report the server's CPU time per connection (its
// process tree's user+system time over the run, divided by the
// connections): the figure to compare across servers when the load
// generator, which does its own half of every handshake, is the
// bottleneck.

// tlsClient is the load generator's TLS configuration: any certificate
// is accepted (the bench's own, self-signed).
func tlsClient(cache tls.ClientSessionCache, curves []tls.CurveID) *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, ServerName: "bench", ClientSessionCache: cache, CurvePreferences: curves}
}

func runHTTPS(ctx context.Context, e *env) error {
	dirs := poolDirectives(e.engine(), e.o.Connections)
	if err := e.idleCases(ctx, dirs); err != nil {
		return err
	}
	srv, err := e.start(ctx, dirs)
	if err != nil {
		return err
	}
	defer e.stop(srv)
	if srv.TLSAddr == "" {
		return fmt.Errorf("bench: %s has no HTTPS listener", srv.Name)
	}
	ts := *srv // the HTTPS listener's view, for the sampler
	ts.Addr, ts.Port = srv.TLSAddr, srv.TLSPort()
	if !srv.TLSOnly() {
		e.warmup(ctx, srv.Addr, srv.Path("1k.bin"), 4)
	}

	type tcase struct {
		name   string
		cfg    *tls.Config
		close  load.CloseMode
		hsCost bool
	}
	cases := []tcase{
		{"keepalive-1k", tlsClient(tls.NewLRUClientSessionCache(1024), nil), load.KeepAlive, false},
		{"handshake-full", tlsClient(nil, nil), load.ServerClose, true},
		{"handshake-x25519", tlsClient(nil, []tls.CurveID{tls.X25519}), load.ServerClose, true},
		{"handshake-resumed", tlsClient(tls.NewLRUClientSessionCache(1024), nil), load.ServerClose, true},
	}
	for _, tc := range cases {
		if ctx.Err() != nil {
			return nil
		}
		c := e.newCase(tc.name, dirs)
		conns := e.o.Connections
		if tc.hsCost {
			// Handshakes are CPU-bound on both sides: a few connections
			// keep one server CPU busy.
			conns = min(conns, 8)
		}
		p := e.observe(ctx, &ts)
		cpu0 := sample.TreeCPU(srv.PID)
		res, err := e.runLoad(ctx, p, c, load.Config{
			Addr: srv.TLSAddr, Path: srv.Path("1k.bin"), Connections: conns,
			Duration: e.o.Duration, Close: tc.close, TLS: tc.cfg, Timeout: 5 * time.Second,
		})
		cpu := sample.TreeCPU(srv.PID) - cpu0
		ss := p.finish(c)
		if err != nil {
			return err
		}
		addLoadFigures(c, c.Load, ss)
		addTLSFigures(c, res, cpu, srv.PID > 0, tc.hsCost)
	}
	return nil
}

// idleCases measure the memory of idle TLS and plain connections, each
// on a freshly started server (so that neither reuses memory the other,
// or a load, left free).
func (e *env) idleCases(ctx context.Context, dirs []string) error {
	n := e.quickN(500, 200)
	if m := e.engine(); m == "prefork" || m == "worker" {
		// Each idle connection holds a worker there: stay within the pool.
		n = min(n, e.o.Connections-2)
	}
	for _, tlsOn := range []bool{true, false} {
		if ctx.Err() != nil {
			return nil
		}
		srv, err := e.start(ctx, dirs)
		if err != nil {
			return err
		}
		if !tlsOn && srv.TLSOnly() {
			return nil
		}
		name, addr, cfg := "idle-tls", srv.TLSAddr, tlsClient(nil, nil)
		if !tlsOn {
			name, addr, cfg = "idle-plain", srv.Addr, nil
		}
		c := e.newCase(name, dirs)
		perConn, held, err := idleMemory(ctx, srv, addr, cfg, n)
		e.stop(srv)
		if err != nil {
			c.Notes = append(c.Notes, "idle memory not measured: "+err.Error())
			continue
		}
		c.Add("idle conns", float64(held), "", true)
		c.Add("KB/idle conn", perConn/1024, "KB", true)
	}
	return nil
}

// addTLSFigures adds what the TLS connections negotiated and cost.
func addTLSFigures(c *report.Case, res *load.Result, cpu float64, hasPID, hsCost bool) {
	if cs := res.TLS; cs != nil {
		c.Notes = append(c.Notes, fmt.Sprintf("negotiated %s %s, key exchange %s",
			tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite), cs.CurveID))
	}
	if !hsCost {
		return
	}
	c.Add("conns/s", float64(res.Connects)/res.Elapsed.Seconds(), "conn/s", true)
	if res.Connects > 0 {
		c.Add("resumed", 100*float64(res.Resumed)/float64(res.Connects), "%", false)
		c.AddMaybe("server CPU/conn", cpu*1e6/float64(res.Connects), hasPID, "µs", true)
	}
}

// idleMemory opens up to n keep-alive connections to addr (TLS with cfg,
// else plain), each answered once and then left idle, and returns the
// growth of the server's RSS per connection held and how many were held.
func idleMemory(ctx context.Context, srv *target.Server, addr string, cfg *tls.Config, n int) (perConn float64, held int, err error) {
	if srv.PID <= 0 {
		return 0, 0, fmt.Errorf("no server pid")
	}
	rss := func() (int64, error) {
		m, err := sample.Memory(sample.Tree(srv.PID))
		return int64(m.RSS), err
	}
	before, err := rss()
	if err != nil {
		return 0, 0, err
	}
	req := []byte("GET " + srv.Path("empty.txt") + " HTTP/1.1\r\nHost: bench\r\n\r\n")
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				return
			}
			if cfg != nil {
				c = tls.Client(c, cfg)
			}
			c.SetDeadline(time.Now().Add(3 * time.Second))
			var buf [4096]byte
			if _, err := c.Write(req); err != nil {
				c.Close()
				return
			}
			if _, err := c.Read(buf[:]); err != nil {
				c.Close()
				return
			}
			c.SetDeadline(time.Time{})
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(conns) == 0 {
		return 0, 0, fmt.Errorf("no connection was held")
	}
	// Let the server park them and its allocator settle.
	sleep(ctx, 500*time.Millisecond)
	after, err := rss()
	if err != nil {
		return 0, 0, err
	}
	return float64(after-before) / float64(len(conns)), len(conns), nil
}

// tlsSkip says why a scenario does not run on a --target.
func tlsSkip(scenarioTLS bool) string {
	if scenarioTLS {
		return "needs an https:// --target"
	}
	return "an https:// --target runs only the https and h2 scenarios"
}
