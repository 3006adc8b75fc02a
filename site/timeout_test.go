package site

import (
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

func TestReadTimeout(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "home"})
	const timeout = 200 * time.Millisecond
	configs := []struct {
		name string
		edit func(*conf.Config)
	}{
		{"Timeout", func(c *conf.Config) {
			c.HTTP.Timeout = timeout
			c.HTTP.RequestReadTimeout = conf.RequestReadTimeout{}
		}},
		{"RequestReadTimeout header", func(c *conf.Config) {
			c.HTTP.RequestReadTimeout.Header = conf.ReadStage{Timeout: timeout}
		}},
	}
	sends := []struct {
		name string
		raw  string
	}{
		{"silent client", ""},
		{"partial request line", "GET / HT"},
		{"partial header", "GET / HTTP/1.1\r\nHost: x\r\n"},
	}
	for _, cf := range configs {
		for _, sd := range sends {
			t.Run(cf.name+"/"+sd.name, func(t *testing.T) {
				cfg := testConfig(root)
				cf.edit(cfg)
				_, addr := startSite(t, cfg, Options{})
				start := time.Now()
				c := dial(t, addr)
				if sd.raw != "" {
					c.send(sd.raw)
				}
				resp := c.read(false)
				elapsed := time.Since(start)
				if resp.StatusCode() != 408 || !resp.ConnectionClose() {
					t.Errorf("status = %d (close %v), want 408 with Connection: close", resp.StatusCode(), resp.ConnectionClose())
				}
				if elapsed < timeout*3/4 {
					t.Errorf("answered after %v, want about %v", elapsed, timeout)
				}
				if !c.closed() {
					t.Error("connection still open after the timeout")
				}
				if got := get(t, addr, req("GET", "/")).StatusCode(); got != 200 {
					t.Errorf("GET / on a new connection: status = %d, want 200", got)
				}
			})
		}
	}
}

func TestBodyTimeout(t *testing.T) {
	s := &Site{cfg: testConfig("")}
	s.cfg.HTTP.Timeout = 60 * time.Second
	tests := []struct {
		name  string
		stage conf.ReadStage
		cl    int64
		want  time.Duration
	}{
		{"stage off", conf.ReadStage{}, 100, 60 * time.Second},
		{"MinRate extends", conf.ReadStage{Timeout: 20 * time.Second, MinRate: 500}, 5000, 30 * time.Second},
		{"capped", conf.ReadStage{Timeout: 20 * time.Second, MaxTimeout: 25 * time.Second, MinRate: 500}, 5000, 25 * time.Second},
		{"no MinRate", conf.ReadStage{Timeout: 20 * time.Second}, 5000, 20 * time.Second},
		{"chunked", conf.ReadStage{Timeout: 20 * time.Second, MinRate: 500}, -1, 60 * time.Second},
	}
	for _, tc := range tests {
		s.cfg.HTTP.RequestReadTimeout.Body = tc.stage
		if got := s.bodyTimeout(tc.cl); got != tc.want {
			t.Errorf("%s: bodyTimeout(%d) = %v, want %v", tc.name, tc.cl, got, tc.want)
		}
	}
}
