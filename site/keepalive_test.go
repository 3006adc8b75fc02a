package site

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// statusHandler answers with the status in the query argument s.
func statusHandler(ctx *fasthttp.RequestCtx) {
	s, _ := strconv.Atoi(string(ctx.QueryArgs().Peek("s")))
	ctx.SetStatusCode(s)
	ctx.SetBodyString("status " + strconv.Itoa(s))
}

func TestKeepAlive(t *testing.T) {
	const (
		get11     = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
		get11KA   = "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
		get11KAuc = "GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive\r\n\r\n"
		get11Cl   = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
		get10     = "GET / HTTP/1.0\r\n\r\n"
		get10KA   = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	)
	type exchange struct {
		raw       string
		keepAlive string // the Keep-Alive header wanted ("" = none)
		close     bool   // Connection: close wanted, and the connection closed after it
	}
	type kaCase struct {
		name     string
		edit     func(*conf.Config)
		stopping bool
		steps    []exchange
	}
	tests := []kaCase{
		{name: "HTTP/1.1 persists without Keep-Alive header", steps: []exchange{{raw: get11}, {raw: get11}}},
		{name: "HTTP/1.1 keep-alive token", steps: []exchange{
			{raw: get11KA, keepAlive: "timeout=5, max=100"},
			{raw: get11KAuc, keepAlive: "timeout=5, max=99"},
			{raw: get11},
			{raw: get11KA, keepAlive: "timeout=5, max=97"},
		}},
		{name: "HTTP/1.1 close", steps: []exchange{{raw: get11Cl, close: true}}},
		{name: "HTTP/1.0 closes", steps: []exchange{{raw: get10, close: true}}},
		{name: "HTTP/1.0 keep-alive", steps: []exchange{
			{raw: get10KA, keepAlive: "timeout=5, max=100"},
			{raw: get10KA, keepAlive: "timeout=5, max=99"},
			{raw: get10, close: true},
		}},
		{name: "MaxKeepAliveRequests counts down", edit: func(c *conf.Config) { c.HTTP.MaxKeepAliveRequests = 3 }, steps: []exchange{
			{raw: get11KA, keepAlive: "timeout=5, max=3"},
			{raw: get11KA, keepAlive: "timeout=5, max=2"},
			{raw: get11KA, keepAlive: "timeout=5, max=1"},
			{raw: get11KA, close: true},
		}},
		{name: "MaxKeepAliveRequests without token", edit: func(c *conf.Config) { c.HTTP.MaxKeepAliveRequests = 1 }, steps: []exchange{
			{raw: get11},
			{raw: get11, close: true},
		}},
		{name: "MaxKeepAliveRequests 0 is unlimited", edit: func(c *conf.Config) { c.HTTP.MaxKeepAliveRequests = 0 }, steps: []exchange{
			{raw: get11KA, keepAlive: "timeout=5"},
			{raw: get11KA, keepAlive: "timeout=5"},
		}},
		{name: "KeepAliveTimeout in whole seconds", edit: func(c *conf.Config) { c.HTTP.KeepAliveTimeout = 2500 * time.Millisecond }, steps: []exchange{
			{raw: get11KA, keepAlive: "timeout=2, max=100"},
		}},
		{name: "KeepAlive Off", edit: func(c *conf.Config) { c.HTTP.KeepAlive = false }, steps: []exchange{{raw: get11KA, close: true}}},
		{name: "KeepAliveTimeout 0", edit: func(c *conf.Config) { c.HTTP.KeepAliveTimeout = 0 }, steps: []exchange{{raw: get11, close: true}}},
		{name: "stopping", stopping: true, steps: []exchange{{raw: get11KA, close: true}}},
	}
	for _, status := range []int{400, 408, 411, 413, 414, 500, 501, 503} {
		tests = append(tests, kaCase{name: fmt.Sprintf("status %d drops the connection", status), steps: []exchange{
			{raw: fmt.Sprintf("GET /status?s=%d HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", status), close: true},
		}})
	}
	for _, status := range []int{200, 204, 301, 403, 404, 405, 412, 416} {
		tests = append(tests, kaCase{name: fmt.Sprintf("status %d keeps the connection", status), steps: []exchange{
			{raw: fmt.Sprintf("GET /status?s=%d HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", status), keepAlive: "timeout=5, max=100"},
		}})
	}

	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(root)
			cfg.Site.Locations = []conf.Location{{Path: "/status", Handler: "status"}}
			if tc.edit != nil {
				tc.edit(cfg)
			}
			var stopping atomic.Bool
			stopping.Store(tc.stopping)
			_, addr := startSite(t, cfg, Options{
				Handlers: map[string]fasthttp.RequestHandler{"status": statusHandler},
				Stopping: stopping.Load,
			})
			c := dial(t, addr)
			for i, step := range tc.steps {
				resp := c.do(step.raw)
				if got := string(resp.Header.Peek("Keep-Alive")); got != step.keepAlive {
					t.Errorf("request %d: Keep-Alive = %q, want %q", i+1, got, step.keepAlive)
				}
				if got := resp.ConnectionClose(); got != step.close {
					t.Errorf("request %d: Connection: close = %v, want %v (Connection: %q)", i+1, got, step.close, resp.Header.Peek("Connection"))
				}
				if step.keepAlive != "" {
					if got := string(resp.Header.Peek("Connection")); got != "Keep-Alive" && got != "keep-alive" {
						t.Errorf("request %d: Connection = %q, want Keep-Alive", i+1, got)
					}
				}
				if step.close {
					if !c.closed() {
						t.Errorf("request %d: connection still open after Connection: close", i+1)
					}
					return
				}
			}
			if !c.stillOpen() {
				t.Error("connection closed after the last request, want it open")
			}
		})
	}
}

func TestKeepAliveIdleTimeout(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	cfg := testConfig(root)
	cfg.HTTP.KeepAliveTimeout = 150 * time.Millisecond
	_, addr := startSite(t, cfg, Options{})
	c := dial(t, addr)
	if resp := c.do(req("GET", "/")); resp.StatusCode() != 200 || resp.ConnectionClose() {
		t.Fatalf("GET / = %d (close %v), want 200 kept alive", resp.StatusCode(), resp.ConnectionClose())
	}
	start := time.Now()
	if !c.closed() {
		t.Fatal("idle keep-alive connection not closed")
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("idle connection closed after %v, want about KeepAliveTimeout (150ms)", d)
	}
}
