package clients

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// newServer serves a 256 KB body on /big and "ok" elsewhere, and gives up
// on request heads after 300 ms.
func newServer(t *testing.T) (addr string, newConns *atomic.Int64) {
	t.Helper()
	big := bytes.Repeat([]byte("x"), 256<<10)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write(big)
			return
		}
		w.Write([]byte("ok"))
	}))
	newConns = &atomic.Int64{}
	ts.Config.ReadHeaderTimeout = 300 * time.Millisecond
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			newConns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String(), newConns
}

// waitFor polls cond every 5 ms for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// group is what every kind of client has.
type group interface {
	Stats() Stats
	Close()
}

func TestGroups(t *testing.T) {
	addr, _ := newServer(t)
	tests := []struct {
		name  string
		start func(ctx context.Context, tg Target) (group, error)
		what  string
		cond  func(Stats) bool
	}{
		{"idle holders", func(ctx context.Context, tg Target) (group, error) {
			i, err := StartIdle(ctx, IdleConfig{Target: tg})
			if err == nil {
				err = i.Grow(20)
			}
			return i, err
		}, "20 answered and open", func(s Stats) bool { return s.Answered == 20 && s.Open == 20 }},
		{"slowloris", func(ctx context.Context, tg Target) (group, error) {
			return StartSlowloris(ctx, SlowlorisConfig{Target: tg, N: 5, Interval: 50 * time.Millisecond})
		}, "the server to drop 5 slow senders", func(s Stats) bool { return s.ServerClosed >= 5 }},
		{"connect-only", func(ctx context.Context, tg Target) (group, error) {
			return StartConnectOnly(ctx, ConnectOnlyConfig{Target: tg, N: 10})
		}, "10 open", func(s Stats) bool { return s.Open == 10 && s.Connected == 10 }},
		{"slow readers", func(ctx context.Context, tg Target) (group, error) {
			tg.Path = "/big"
			return StartSlowReaders(ctx, SlowReadConfig{Target: tg, N: 3, Chunk: 64 << 10, Interval: 5 * time.Millisecond})
		}, "3 whole responses", func(s Stats) bool { return s.Answered >= 3 && s.Open == 3 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.start(context.Background(), Target{Addr: addr})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, tt.what, func() bool { return tt.cond(g.Stats()) })
			g.Close()
			if s := g.Stats(); s.Open != 0 {
				t.Errorf("after Close, Stats() = %+v, want nothing open", s)
			}
		})
	}
}

func TestTargetRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"10.1.2.3:80", "192.168.0.1:80", "1.1.1.1:80"} {
		if _, err := StartConnectOnly(context.Background(), ConnectOnlyConfig{Target: Target{Addr: addr}, N: 1}); err == nil {
			t.Errorf("StartConnectOnly(%s) = nil error, want a refusal", addr)
		}
	}
}

func TestContentLength(t *testing.T) {
	tests := []struct {
		head string
		want int64
		ok   bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", 42, true},
		{"HTTP/1.1 200 OK\r\ncontent-length:7\r\n\r\n", 7, true},
		{"HTTP/1.1 200 OK\r\n\r\n", 0, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 0, false},
	}
	for _, tt := range tests {
		got, err := contentLength([]byte(tt.head))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("contentLength(%q) = %d, %v; want %d, ok=%v", tt.head, got, err, tt.want, tt.ok)
		}
	}
}
