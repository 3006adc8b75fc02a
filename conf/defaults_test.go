package conf

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDefaultsTable checks every engine's built-in snapshot against the
// table in defaults.go (after clamping, which changes none of them).
func TestDefaultsTable(t *testing.T) {
	type row struct {
		start, minSrv, maxSrv, minThr, maxThr, tpc, tl, sl, mrw int
		factor                                                  float64
		trigger                                                 string
	}
	want := map[string]row{
		Prefork: {5, 5, 10, 0, 0, 1, 1, 256, 256, 0, ""},
		Worker:  {3, 0, 0, 75, 250, 25, 64, 16, 400, 0, ""},
		Event:   {3, 0, 0, 75, 250, 25, 64, 16, 400, 2, TriggerEdge},
	}
	for engine, w := range want {
		c := Default(engine)
		e := c.Engine
		got := row{e.StartServers, e.MinSpareServers, e.MaxSpareServers, e.MinSpareThreads, e.MaxSpareThreads,
			e.ThreadsPerChild, e.ThreadLimit, e.ServerLimit, e.MaxRequestWorkers, e.AsyncRequestWorkerFactor, e.EpollTrigger}
		if got != w || e.MaxConnectionsPerChild != 0 {
			t.Errorf("%s: Engine = %+v, want %+v", engine, got, w)
		}
		if len(c.Warnings) != 0 {
			t.Errorf("%s: the defaults are clamped: %q", engine, c.Warnings)
		}
		h := c.HTTP
		if c.ListenBacklog != 511 || c.AcceptFilter["http"] != "data" || c.AcceptFilter["https"] != "data" ||
			!h.KeepAlive || h.KeepAliveTimeout != 5*time.Second || h.MaxKeepAliveRequests != 100 ||
			h.Timeout != 60*time.Second || h.LimitRequestLine != 8190 || h.LimitRequestFieldSize != 8190 ||
			h.LimitRequestFields != 100 || h.LimitRequestBody != 1<<30 ||
			h.RequestReadTimeout.Header != (ReadStage{20 * time.Second, 40 * time.Second, 500}) ||
			h.RequestReadTimeout.Body != (ReadStage{20 * time.Second, 0, 500}) {
			t.Errorf("%s: ListenBacklog %d, AcceptFilter %v, HTTP %+v: not the table's", engine, c.ListenBacklog, c.AcceptFilter, h)
		}
	}
}

// TestKeepAliveOn is the one "keep-alive off" rule and the timeouts the
// event engine gets from it.
func TestKeepAliveOn(t *testing.T) {
	tests := []struct {
		on        bool
		kat       time.Duration
		timeout   time.Duration
		wantOn    bool
		wantPark  time.Duration
		wantWaits time.Duration
	}{
		{true, 5 * time.Second, 60 * time.Second, true, 5 * time.Second, 60 * time.Second},
		{false, 5 * time.Second, 10 * time.Second, false, 0, 10 * time.Second},
		{true, 0, 10 * time.Second, false, 0, 10 * time.Second},
		{true, 300 * time.Millisecond, 0, true, 300 * time.Millisecond, 60 * time.Second},
	}
	for _, tt := range tests {
		h := HTTPConfig{KeepAlive: tt.on, KeepAliveTimeout: tt.kat, Timeout: tt.timeout}
		if got := h.KeepAliveOn(); got != tt.wantOn {
			t.Errorf("KeepAlive %v, KeepAliveTimeout %v: KeepAliveOn = %v, want %v", tt.on, tt.kat, got, tt.wantOn)
		}
		if got := h.ParkTimeout(); got != tt.wantPark {
			t.Errorf("KeepAlive %v, KeepAliveTimeout %v: ParkTimeout = %v, want %v", tt.on, tt.kat, got, tt.wantPark)
		}
		if got := h.WaitTimeout(); got != tt.wantWaits {
			t.Errorf("Timeout %v: WaitTimeout = %v, want %v", tt.timeout, got, tt.wantWaits)
		}
	}
}

// TestKeepLimits is the restart-time ServerLimit/ThreadLimit check: the
// first generation's limits stay, the settings that depend on them are
// checked again with Apache's warnings, and the snapshot it is given is
// never changed.
func TestKeepLimits(t *testing.T) {
	tests := []struct {
		name      string
		conf      string
		sl, tl    int
		wantSL    int
		wantTL    int
		wantTPC   int
		wantMRW   int
		wantWarns []string
	}{
		{
			name: "unchanged", conf: "MPM event\n", sl: 16, tl: 64,
			wantSL: 16, wantTL: 64, wantTPC: 25, wantMRW: 400,
		},
		{
			name: "ServerLimit raised", conf: "MPM event\nServerLimit 32\nMaxRequestWorkers 800\n", sl: 16, tl: 64,
			wantSL: 16, wantTL: 64, wantTPC: 25, wantMRW: 400,
			wantWarns: []string{
				"changing ServerLimit to 32 from original value of 16 not allowed during restart",
				"WARNING: MaxRequestWorkers of 800 would require 32 servers and would exceed ServerLimit of 16, decreasing to 400. To increase, please see the ServerLimit directive.",
			},
		},
		{
			name: "ThreadLimit raised", conf: "MPM worker\nThreadLimit 128\nThreadsPerChild 100\nMaxRequestWorkers 400\n", sl: 16, tl: 64,
			wantSL: 16, wantTL: 64, wantTPC: 64, wantMRW: 384,
			wantWarns: []string{
				"changing ThreadLimit to 128 from original value of 64 not allowed during restart",
				"WARNING: ThreadsPerChild of 100 exceeds ThreadLimit of 64 threads, decreasing to 64. To increase, please see the ThreadLimit directive.",
				"WARNING: MaxRequestWorkers of 400 is not an integer multiple of ThreadsPerChild of 64, decreasing to nearest multiple 384, for a maximum of 6 servers.",
			},
		},
		{
			name: "prefork ServerLimit lowered", conf: "MPM prefork\nServerLimit 8\nMaxRequestWorkers 8\n", sl: 256, tl: 1,
			wantSL: 256, wantTL: 1, wantTPC: 1, wantMRW: 8,
			wantWarns: []string{"changing ServerLimit to 8 from original value of 256 not allowed during restart"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(Options{File: writeConf(t, "httpd.conf", "Listen 127.0.0.1:8080\n"+tt.conf)})
			if err != nil {
				t.Fatal(err)
			}
			before, err := c.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			n := c.KeepLimits(tt.sl, tt.tl)
			after, err := c.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("KeepLimits changed the snapshot it was given:\nbefore %s\nafter  %s", before, after)
			}
			if tt.wantWarns == nil && n != c {
				t.Errorf("KeepLimits with unchanged limits returned a new Config")
			}
			e := n.Engine
			if e.ServerLimit != tt.wantSL || e.ThreadLimit != tt.wantTL || e.ThreadsPerChild != tt.wantTPC || e.MaxRequestWorkers != tt.wantMRW {
				t.Errorf("ServerLimit %d ThreadLimit %d ThreadsPerChild %d MaxRequestWorkers %d, want %d %d %d %d",
					e.ServerLimit, e.ThreadLimit, e.ThreadsPerChild, e.MaxRequestWorkers, tt.wantSL, tt.wantTL, tt.wantTPC, tt.wantMRW)
			}
			// The restart warnings come first, then the file's own, then
			// those of the second check.
			var got []string
			for _, w := range n.Warnings {
				if !slices.Contains(c.Warnings, w) || strings.HasPrefix(w, "changing") {
					got = append(got, w)
				}
			}
			if !slices.Equal(got, tt.wantWarns) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantWarns, "\n"))
			}
			if len(tt.wantWarns) > 0 && n.Warnings[0] != tt.wantWarns[0] {
				t.Errorf("first warning %q, want the restart warning %q", n.Warnings[0], tt.wantWarns[0])
			}
		})
	}
}

// TestEnvTestHooks: the binary's test hooks (GOHTTPD_TEST_TICK, ...) are
// neither directives nor worth a notice; other unknown names still are.
func TestEnvTestHooks(t *testing.T) {
	c, err := Load(Options{SkipDocumentRootCheck: true,
		Environ: []string{"GOHTTPD_TEST_TICK=20ms", "GOHTTPD_TEST_BINARY=/tmp/x", "GOHTTPD_FOO=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(c.Notices, func(n string) bool { return strings.Contains(n, "GOHTTPD_TEST_") }) {
		t.Errorf("Notices = %q, want none about GOHTTPD_TEST_*", c.Notices)
	}
	if !slices.ContainsFunc(c.Notices, func(n string) bool { return strings.Contains(n, "GOHTTPD_FOO") }) {
		t.Errorf("Notices = %q, want one about GOHTTPD_FOO", c.Notices)
	}
}
