package event

import (
	"io"
	"runtime"
	"testing"
	"time"
)

// TestQueuedBehindBlockedWorker: with one P the loop hands a batch of
// readable connections to one worker at a time and queues the rest; a
// worker whose handler blocks must not hold the queued connections while
// other workers are idle (handoff_linux.go).
func TestQueuedBehindBlockedWorker(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := start(t, Config{ThreadsPerChild: 8, KeepAliveTimeout: time.Minute})
	const blocked, quick = 3, 3
	conns := make([]*client, blocked+quick)
	for i := range conns {
		conns[i] = dial(t, e.addr)
		if resp, _, err := conns[i].do("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d: %v %v", i, resp, err)
		}
	}
	waitFor(t, 5*time.Second, "the connections parked", func() bool { return e.proc().KeepAlive() == len(conns) })
	// The blocking requests go first, so a batch of events holds them
	// ahead of the quick ones.
	for i, c := range conns {
		req := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
		if i < blocked {
			req = "GET /block HTTP/1.1\r\nHost: x\r\n\r\n"
		}
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range conns[blocked:] {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		resp, body, err := c.read("GET")
		if err != nil || resp.StatusCode != 200 || string(body) != "hello" {
			t.Fatalf("quick request %d behind %d blocked handlers: %v %q %v", i, e.blocked.Load(), resp, body, err)
		}
	}
	waitFor(t, 5*time.Second, "the blocking handlers to run", func() bool { return e.blocked.Load() == blocked })
	e.unblock()
	for i, c := range conns[:blocked] {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if resp, body, err := c.read("GET"); err != nil || string(body) != "released" {
			t.Fatalf("blocked request %d: %v %q %v", i, resp, body, err)
		}
	}
}
