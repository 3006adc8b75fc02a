package site

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

func TestNewServer(t *testing.T) {
	tests := []struct {
		name string
		edit func(*conf.Config)
		// wanted fields
		read, write, idle time.Duration
		noKeepAlive       bool
		body              int
		expect            bool
	}{
		{name: "Apache defaults", read: 20 * time.Second, write: 60 * time.Second, idle: 5 * time.Second,
			body: 1 << 30, expect: true},
		{name: "header stage off", edit: func(c *conf.Config) { c.HTTP.RequestReadTimeout.Header = conf.ReadStage{} },
			read: 60 * time.Second, write: 60 * time.Second, idle: 5 * time.Second, body: 1 << 30, expect: true},
		{name: "KeepAlive Off", edit: func(c *conf.Config) { c.HTTP.KeepAlive = false },
			read: 20 * time.Second, write: 60 * time.Second, idle: 5 * time.Second, noKeepAlive: true, body: 1 << 30, expect: true},
		{name: "KeepAliveTimeout 0", edit: func(c *conf.Config) { c.HTTP.KeepAliveTimeout = 0 },
			read: 20 * time.Second, write: 60 * time.Second, noKeepAlive: true, body: 1 << 30, expect: true},
		{name: "LimitRequestBody 0", edit: func(c *conf.Config) { c.HTTP.LimitRequestBody = 0 },
			read: 20 * time.Second, write: 60 * time.Second, idle: 5 * time.Second, body: math.MaxInt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("")
			if tc.edit != nil {
				tc.edit(cfg)
			}
			srv := newTestSite(t, cfg, Options{}).NewServer()
			if srv.Name != "gohttpd" || srv.NoDefaultServerHeader {
				t.Errorf("Name = %q, NoDefaultServerHeader = %v; want gohttpd, false", srv.Name, srv.NoDefaultServerHeader)
			}
			if srv.Handler == nil || srv.ErrorHandler == nil || srv.HeaderReceived == nil {
				t.Error("Handler, ErrorHandler or HeaderReceived not set")
			}
			if srv.ReadTimeout != tc.read || srv.WriteTimeout != tc.write || srv.IdleTimeout != tc.idle {
				t.Errorf("timeouts read/write/idle = %v/%v/%v, want %v/%v/%v",
					srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, tc.read, tc.write, tc.idle)
			}
			if srv.DisableKeepalive != tc.noKeepAlive {
				t.Errorf("DisableKeepalive = %v, want %v", srv.DisableKeepalive, tc.noKeepAlive)
			}
			if srv.MaxRequestBodySize != tc.body {
				t.Errorf("MaxRequestBodySize = %d, want %d", srv.MaxRequestBodySize, tc.body)
			}
			if (srv.ExpectHandler != nil) != tc.expect {
				t.Errorf("ExpectHandler set = %v, want %v", srv.ExpectHandler != nil, tc.expect)
			}
			if srv.MaxRequestsPerConn != 0 {
				t.Errorf("MaxRequestsPerConn = %d, want 0 (the handler applies MaxKeepAliveRequests)", srv.MaxRequestsPerConn)
			}
			if srv.ReadBufferSize != 20480 || srv.Concurrency != 400 {
				t.Errorf("ReadBufferSize, Concurrency = %d, %d; want 20480, 400", srv.ReadBufferSize, srv.Concurrency)
			}
		})
	}
}

// TestCloseStopsGoroutines checks that Close stops fasthttp.FS's cache
// cleaner, so Sites built and closed (one per generation) leak nothing.
func TestCloseStopsGoroutines(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	// Warm up fasthttp's process-wide goroutines (the Date header updater).
	{
		s, err := New(testConfig(root), Options{})
		if err != nil {
			t.Fatal(err)
		}
		addr := serveUntil(t, s)
		if got := get(t, addr, req("GET", "/")).StatusCode(); got != 200 {
			t.Fatalf("GET / = %d", got)
		}
	}
	before := runtime.NumGoroutine()
	for range 5 {
		for _, root := range []string{root, ""} {
			s, err := New(testConfig(root), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close() = %v", err)
			}
		}
	}
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

// serveUntil is serve for a Site the test closes itself.
func serveUntil(t *testing.T, s *Site) string {
	t.Helper()
	t.Cleanup(func() { s.Close() })
	return serve(t, s)
}
