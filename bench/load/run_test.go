package load

import (
	"context"
	"errors"
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// testServer serves "hello" on /, 404 elsewhere; while stallUntil is in the
// future it holds each request until then.
type testServer struct {
	*httptest.Server
	stallUntil atomic.Int64 // Unix nanoseconds
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Until(time.Unix(0, ts.stallUntil.Load())); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello"))
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) addr() string { return ts.Listener.Addr().String() }

func TestRunClosedLoop(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name         string
		cfg          Config
		wantConnects func(n int64) bool
	}{
		{"keep-alive", Config{Connections: 4}, func(n int64) bool { return n == 4 }},
		{"pipelined", Config{Connections: 2, Pipeline: 4}, func(n int64) bool { return n == 2 }},
		{"server-close", Config{Connections: 4, Close: ServerClose}, func(n int64) bool { return n >= 200 }},
		{"client-close", Config{Connections: 4, Close: ClientClose,
			SourceAddrs: []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")}},
			func(n int64) bool { return n >= 200 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Addr, cfg.MaxRequests, cfg.Duration = ts.addr(), 200, 20*time.Second
			r, err := New(cfg)
			if err != nil {
				t.Fatalf("New(%+v) = %v", cfg, err)
			}
			res := r.Run(context.Background())
			if res.Requests != 200 || res.Errors.Total() != 0 {
				t.Errorf("Run(%s) = %d requests, errors %v; want 200, 0", tt.name, res.Requests, res.Errors)
			}
			if got := res.Latency.TotalCount(); got != 200 {
				t.Errorf("Run(%s) recorded %d latencies, want 200", tt.name, got)
			}
			if !tt.wantConnects(res.Connects) {
				t.Errorf("Run(%s) made %d connections", tt.name, res.Connects)
			}
			if res.Bytes < 200*5 {
				t.Errorf("Run(%s) read %d bytes, want at least %d", tt.name, res.Bytes, 200*5)
			}
		})
	}
}

func TestRunErrorKinds(t *testing.T) {
	ts := newTestServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tests := []struct {
		name string
		cfg  Config
		kind func(Errors) int64
	}{
		{"refused", Config{Addr: closed}, func(e Errors) int64 { return e.Refused }},
		{"status", Config{Addr: ts.addr(), Path: "/missing"}, func(e Errors) int64 { return e.Status }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.MaxRequests, cfg.Duration, cfg.Timeout = 5, 5*time.Second, time.Second
			r, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res := r.Run(context.Background())
			if got := tt.kind(res.Errors); got != 5 || res.Requests != 0 {
				t.Errorf("Run(%s) = %d requests, errors %v; want 5 %s errors", tt.name, res.Requests, res.Errors, tt.name)
			}
		})
	}
}

// TestRunOpenLoopCorrectsCoordinatedOmission stalls the server for 300 ms:
// the closed loop records one slow response per connection, the open loop
// also charges every request that was due during the stall.
func TestRunOpenLoopCorrectsCoordinatedOmission(t *testing.T) {
	ts := newTestServer(t)
	slowCount := func(rate float64) (slow, total int64) {
		cfg := Config{Addr: ts.addr(), Connections: 4, Duration: 1500 * time.Millisecond, Rate: rate}
		r, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		stall := time.AfterFunc(500*time.Millisecond, func() {
			ts.stallUntil.Store(time.Now().Add(300 * time.Millisecond).UnixNano())
		})
		defer stall.Stop()
		res := r.Run(context.Background())
		stall.Stop()
		h := res.Latency
		return h.TotalCount() - countBelow(h.Distribution(), 100_000), h.TotalCount()
	}
	closedSlow, closedTotal := slowCount(0)
	openSlow, openTotal := slowCount(200)
	// One slow response per connection, and a few more where a shared,
	// busy machine (the race detector, parallel test binaries) did not
	// schedule the test for 100 ms: 0.4% of the responses.
	if limit := 4 + closedTotal/250; closedSlow > limit {
		t.Errorf("closed loop: %d of %d responses over 100 ms, want at most %d (one per connection, and scheduling noise)", closedSlow, closedTotal, limit)
	}
	if openSlow < 2*closedSlow {
		t.Errorf("open loop: %d responses over 100 ms, closed loop %d; want the open loop's far more", openSlow, closedSlow)
	}
	// 200/s × 0.3 s = 60 requests fall due during the stall; the ones due
	// in its first 200 ms wait more than 100 ms.
	if openSlow < 25 {
		t.Errorf("open loop: %d of %d responses over 100 ms, want at least 25", openSlow, openTotal)
	}
}

// countBelow counts histogram values under v (in µs).
func countBelow(bars []hdrhistogram.Bar, v int64) int64 {
	var n int64
	for _, b := range bars {
		if b.To <= v {
			n += b.Count
		}
	}
	return n
}

func TestRunCancel(t *testing.T) {
	ts := newTestServer(t)
	ts.stallUntil.Store(time.Now().Add(time.Minute).UnixNano())
	r, err := New(Config{Addr: ts.addr(), Connections: 3, Duration: time.Minute, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	res := r.Run(ctx)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run after cancel took %s, want it to stop at once", d)
	}
	if res.Unfinished != 3 || res.Errors.Total() != 0 {
		t.Errorf("Run cancelled = %d unfinished, errors %v; want 3 unfinished, no errors", res.Unfinished, res.Errors)
	}
	ts.stallUntil.Store(0)
}

func TestConfigChecks(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"loopback v4", Config{Addr: "127.0.0.1:80", Duration: time.Second}, true},
		{"loopback v4 other", Config{Addr: "127.3.4.5:80", Duration: time.Second}, true},
		{"loopback v6", Config{Addr: "[::1]:80", Duration: time.Second}, true},
		{"localhost", Config{Addr: "localhost:80", Duration: time.Second}, true},
		{"private", Config{Addr: "10.0.0.1:80", Duration: time.Second}, false},
		{"public", Config{Addr: "8.8.8.8:80", Duration: time.Second}, false},
		{"name", Config{Addr: "example.com:80", Duration: time.Second}, false},
		{"no port", Config{Addr: "127.0.0.1", Duration: time.Second}, false},
		{"no duration", Config{Addr: "127.0.0.1:80"}, false},
		{"pipelined close", Config{Addr: "127.0.0.1:80", Duration: time.Second, Pipeline: 2, Close: ServerClose}, false},
		{"public source", Config{Addr: "127.0.0.1:80", Duration: time.Second, SourceAddrs: []netip.Addr{netip.MustParseAddr("192.168.1.1")}}, false},
		{"path with space", Config{Addr: "127.0.0.1:80", Duration: time.Second, Path: "/a b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if (err == nil) != tt.ok {
				t.Errorf("New(%+v) = %v, want ok=%v", tt.cfg, err, tt.ok)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want ErrKind
	}{
		{&net.OpError{Op: "dial", Err: errors.New("x")}, KindOther},
		{errStatus, KindStatus},
		{context.DeadlineExceeded, KindTimeout},
		{ErrMalformed, KindOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
