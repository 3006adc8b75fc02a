package event

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/mpm"
)

func TestServe(t *testing.T) { eachMode(t, testServe) }

func testServe(t *testing.T, oneShot bool) {
	e := start(t, Config{KeepAliveTimeout: 5 * time.Second, OneShot: oneShot})
	tests := []struct {
		name      string
		req       string
		method    string
		status    int
		body      string
		close     bool // the response says Connection: close
		keepAlive bool // the response says Connection: keep-alive
	}{
		{"get", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET", 200, "hello", false, false},
		{"head", "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD", 200, "", false, false},
		{"not found", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", "GET", 404, "not found", false, false},
		{"close token", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET", 200, "hello", true, false},
		{"http/1.0", "GET / HTTP/1.0\r\n\r\n", "GET", 200, "hello", true, false},
		{"http/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", 200, "hello", false, true},
		{"post", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping", "POST", 200, "ping", false, false},
		{"chunked post", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\npi\r\n2\r\nng\r\n0\r\n\r\n", "POST", 200, "ping", false, false},
		{"panic", "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n", "GET", 500, "Internal Server Error", true, false},
		{"bad request", "BAD\x01 / HTTP/1.1\r\nHost: x\r\n\r\n", "GET", 400, "", true, false},
		{"no host", "GET / HTTP/1.1\r\n\r\n", "GET", 400, "", true, false},
		{"draining flag", "GET /draining HTTP/1.1\r\nHost: x\r\n\r\n", "GET", 200, "false", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, e.addr)
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, tt.req)
			resp, body, err := c.read(tt.method)
			if err != nil {
				t.Fatalf("response: %v", err)
			}
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
				t.Errorf("%q = %d %q, want %d containing %q", tt.req, resp.StatusCode, body, tt.status, tt.body)
			}
			if got := resp.Header.Get("Server"); got != "gohttpd" {
				t.Errorf("Server = %q, want gohttpd", got)
			}
			if resp.Header.Get("Date") == "" {
				t.Errorf("no Date header")
			}
			if resp.Close != tt.close {
				t.Errorf("Connection close = %v, want %v", resp.Close, tt.close)
			}
			if ka := strings.EqualFold(resp.Header.Get("Connection"), "keep-alive"); ka != tt.keepAlive {
				t.Errorf("Connection: keep-alive = %v, want %v", ka, tt.keepAlive)
			}
			if tt.close {
				if err := c.expectEOF(5 * time.Second); err != nil {
					t.Error(err)
				}
				return
			}
			// The connection is kept: it serves another request.
			if resp, body := c.get(t, "/"); resp.StatusCode != 200 || string(body) != "hello" {
				t.Errorf("second request = %d %q, want 200 hello", resp.StatusCode, body)
			}
		})
	}

	t.Run("expect 100-continue", func(t *testing.T) {
		c := dial(t, e.addr)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
		line, err := c.br.ReadString('\n')
		if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
			t.Fatalf("interim response = %q, %v; want 100 Continue", line, err)
		}
		c.br.ReadString('\n')
		io.WriteString(c, "pong")
		resp, body, err := c.read("POST")
		if err != nil || resp.StatusCode != 200 || string(body) != "pong" {
			t.Fatalf("response = %v %q %v, want 200 pong", resp, body, err)
		}
	})

	t.Run("request number and addresses", func(t *testing.T) {
		c := dial(t, e.addr)
		for i := 1; i <= 3; i++ {
			if _, body := c.get(t, "/reqnum"); string(body) != fmt.Sprint(i) {
				t.Errorf("ConnRequestNum of request %d = %s, want %d", i, body, i)
			}
		}
		if _, body := c.get(t, "/remote"); string(body) != c.LocalAddr().String() {
			t.Errorf("RemoteAddr = %s, want %s", body, c.LocalAddr())
		}
	})

	t.Run("scoreboard", func(t *testing.T) {
		c := dial(t, e.addr)
		c.get(t, "/id?id=board")
		waitFor(t, 5*time.Second, "the worker slots to be idle", e.workersIdle)
		var total uint64
		found := false
		for j := range e.cfg.ThreadsPerChild {
			ws := e.board.Worker(0, j).Snapshot()
			total += ws.AccessCount
			if ws.Request == "GET /id?id=board HTTP/1.1" {
				found = true
				if ws.Client != "127.0.0.1" || ws.VHost != "test:80" {
					t.Errorf("slot %d: client %q vhost %q, want 127.0.0.1 and test:80", j, ws.Client, ws.VHost)
				}
			}
		}
		if !found {
			t.Errorf("no worker slot shows the request line GET /id?id=board HTTP/1.1")
		}
		if total == 0 {
			t.Errorf("AccessCount summed over the slots = 0, want > 0")
		}
		if got := e.proc().Connections(); got < 1 {
			t.Errorf("Connections() = %d, want >= 1", got)
		}
	})
}

// TestIdleConnectionsHoldNoWorker: with 4 workers and 1000 idle keep-alive
// connections, new clients are served at once. AsyncRequestWorkerFactor
// is sized for that many connections per child, since admission counts
// idle keep-alive connections as Apache does.
func TestIdleConnectionsHoldNoWorker(t *testing.T) {
	const idle = 1000
	e := start(t, Config{ThreadsPerChild: 4, AsyncRequestWorkerFactor: 1000, KeepAliveTimeout: time.Minute})
	conns := make([]*client, idle)
	var wg sync.WaitGroup
	errs := make(chan error, idle)
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < idle; i += 8 {
				c, err := net.DialTimeout("tcp", e.addr, 10*time.Second)
				if err != nil {
					errs <- err
					return
				}
				cl := &client{Conn: c, br: newReader(c)}
				conns[i] = cl
				if resp, _, err := cl.do("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("idle client %d: %v %v", i, resp, err)
					return
				}
			}
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, fmt.Sprintf("%d keep-alive connections on the board", idle), func() bool {
		return e.proc().KeepAlive() == idle
	})
	if !e.workersIdle() {
		t.Errorf("workers = %q with only idle connections, want all idle", e.letters())
	}
	for i := range 20 {
		begin := time.Now()
		c := dial(t, e.addr)
		c.SetDeadline(begin.Add(2 * time.Second))
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, body, err := c.read("GET")
		if err != nil || resp.StatusCode != 200 || string(body) != "hello" {
			t.Fatalf("new client %d with %d idle connections: %v %q %v (after %v)", i, idle, resp, body, err, time.Since(begin))
		}
	}
	// The idle connections still work.
	for _, i := range []int{0, idle / 2, idle - 1} {
		if resp, _, err := conns[i].do("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil || resp.StatusCode != 200 {
			t.Errorf("idle connection %d reused: %v %v", i, resp, err)
		}
	}
}

// TestSlowReader: a client reading a 10 MB body slowly gets every byte,
// while the scoreboard shows every worker idle (write completion).
func TestSlowReader(t *testing.T) { eachMode(t, testSlowReader) }

func testSlowReader(t *testing.T, oneShot bool) {
	want := sha256.Sum256(bigBody())
	for _, path := range []string{"/big", "/bigcopy", "/bigfile"} {
		t.Run(path, func(t *testing.T) {
			e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, OneShot: oneShot})
			c := dial(t, e.addr)
			c.Conn.(*net.TCPConn).SetReadBuffer(16 << 10)
			c.SetDeadline(time.Now().Add(30 * time.Second))
			io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := readHeader(c)
			if err != nil || resp.StatusCode != 200 || resp.ContentLength != bigSize {
				t.Fatalf("response header: %v %v", resp, err)
			}
			h := sha256.New()
			buf := make([]byte, 64<<10)
			n, err := io.ReadFull(resp.Body, buf)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(buf[:n])
			got := n
			// The transfer has stalled: the loop holds it, no worker does.
			waitFor(t, 5*time.Second, "the response to go to write completion", func() bool {
				return e.proc().WriteCompletion() == 1 && e.workersIdle()
			})
			for got < bigSize {
				n, err := resp.Body.Read(buf)
				h.Write(buf[:n])
				got += n
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("after %d bytes: %v", got, err)
				}
				if got < bigSize/2 && got%(1<<20) < n {
					// Pause now and then; the workers stay idle.
					time.Sleep(5 * time.Millisecond)
					if !e.workersIdle() {
						t.Errorf("workers = %q during write completion, want all idle", e.letters())
					}
				}
			}
			if got != bigSize || [32]byte(h.Sum(nil)) != want {
				t.Fatalf("got %d bytes (checksum match %v), want %d with the right checksum", got, [32]byte(h.Sum(nil)) == want, bigSize)
			}
			waitFor(t, 5*time.Second, "write completion to end and the connection to park", func() bool {
				return e.proc().WriteCompletion() == 0 && e.proc().KeepAlive() == 1
			})
			// The connection is kept alive after write completion.
			if resp, body := c.get(t, "/"); resp.StatusCode != 200 || string(body) != "hello" {
				t.Errorf("request after write completion = %d %q", resp.StatusCode, body)
			}
		})
	}
}

// TestPipelining: requests sent in one write come back in order; a client
// that half-closes after its requests gets every response, and then the
// end of the connection at once, not after the keep-alive timeout (the
// end of the stream queued behind a request raises no new edge).
// Requests beyond the worker's read buffer (several full reads) are all
// answered, and so are requests that come in pieces.
func TestPipelining(t *testing.T) { eachMode(t, testPipelining) }

func testPipelining(t *testing.T, oneShot bool) {
	e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 30 * time.Second, OneShot: oneShot})
	tests := []struct {
		name      string
		n         int
		halfClose bool
		big       bool
		pieces    bool
		size      int // pad each request to this many bytes
	}{
		{name: "ten", n: 10},
		{name: "ten then half-close", n: 10, halfClose: true},
		{name: "one then half-close", n: 1, halfClose: true},
		{name: "big body then half-close", n: 1, halfClose: true, big: true},
		{name: "beyond the read buffer", n: 400},
		{name: "beyond the read buffer then half-close", n: 400, halfClose: true},
		{name: "in pieces", n: 5, pieces: true},
		// 64-byte requests: the first read fills the 4096-byte buffer
		// exactly and ends on a request boundary, with 64 more queued.
		{name: "a full read ending on a request", n: 128, size: 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, e.addr)
			c.SetDeadline(time.Now().Add(20 * time.Second))
			var req bytes.Buffer
			for i := range tt.n {
				if tt.big {
					req.WriteString("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
				} else {
					r := fmt.Sprintf("GET /id?id=%d HTTP/1.1\r\nHost: x\r\n", i)
					if tt.size > 0 {
						r += "P: " + strings.Repeat("p", tt.size-len(r)-7) + "\r\n"
					}
					req.WriteString(r + "\r\n")
				}
			}
			if tt.pieces {
				// A few bytes at a time, each its own segment, while
				// the worker is reading.
				c.Conn.(*net.TCPConn).SetNoDelay(true)
				for b := req.Bytes(); len(b) > 0; b = b[min(len(b), 7):] {
					if _, err := c.Write(b[:min(len(b), 7)]); err != nil {
						t.Fatal(err)
					}
					time.Sleep(time.Millisecond)
				}
			} else if _, err := c.Write(req.Bytes()); err != nil {
				t.Fatal(err)
			}
			if tt.halfClose {
				c.Conn.(*net.TCPConn).CloseWrite()
			}
			for i := range tt.n {
				resp, body, err := c.read("GET")
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				want := fmt.Sprint(i)
				if tt.big {
					if !bytes.Equal(body, bigBody()) {
						t.Fatalf("response %d: %d bytes, want the %d-byte big body", i, len(body), bigSize)
					}
				} else if resp.StatusCode != 200 || string(body) != want {
					t.Fatalf("response %d = %d %q, want 200 %q", i, resp.StatusCode, body, want)
				}
			}
			if tt.halfClose {
				if err := c.expectEOF(2 * time.Second); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestFDReuse: connections opened and closed at a high rate, by the client
// or by the server, never get another connection's response.
func TestFDReuse(t *testing.T) { eachMode(t, testFDReuse) }

func testFDReuse(t *testing.T, oneShot bool) {
	e := start(t, Config{ThreadsPerChild: 4, AsyncRequestWorkerFactor: 16, KeepAliveTimeout: 5 * time.Second, OneShot: oneShot})
	const goroutines, each = 8, 625
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("%d-%d", g, i)
				c, err := net.DialTimeout("tcp", e.addr, 10*time.Second)
				if err != nil {
					errs <- err
					return
				}
				c.SetDeadline(time.Now().Add(10 * time.Second))
				cl := &client{Conn: c, br: newReader(c)}
				req := "GET /id?id=" + id + " HTTP/1.1\r\nHost: x\r\n"
				switch i % 3 {
				case 0: // the server closes
					req += "Connection: close\r\n"
				case 1: // the client half-closes after the request
				case 2: // the client closes after the response; the server parked it
				}
				_, err = io.WriteString(c, req+"\r\n")
				if err == nil && i%3 == 1 {
					err = c.(*net.TCPConn).CloseWrite()
				}
				var body []byte
				if err == nil {
					_, body, err = cl.read("GET")
				}
				c.Close()
				if err != nil {
					errs <- fmt.Errorf("connection %s: %w", id, err)
					return
				}
				if string(body) != id {
					errs <- fmt.Errorf("connection %s got the response %q", id, body)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, 10*time.Second, "every connection to close", func() bool { return e.proc().Connections() == 0 })
}

// TestAdmission: with AsyncRequestWorkerFactor 1 and two workers, the
// child stops accepting while it is above Apache's limit and resumes when
// it falls below it; waiting clients are then served.
func TestAdmission(t *testing.T) {
	t.Run("all workers busy", func(t *testing.T) {
		e := start(t, Config{ThreadsPerChild: 2, AsyncRequestWorkerFactor: 1, KeepAliveTimeout: 5 * time.Second})
		// Every request says Connection: close, so connections end after
		// their response and admission lets the waiting ones in (parked
		// keep-alive connections count against the limit, as in Apache).
		busy := []*client{dial(t, e.addr), dial(t, e.addr)}
		for _, c := range busy {
			io.WriteString(c, "GET /block HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		}
		waitFor(t, 5*time.Second, "both workers in the handler", func() bool { return e.blocked.Load() == 2 })
		waiting := []*client{dial(t, e.addr), dial(t, e.addr), dial(t, e.addr)}
		for _, c := range waiting {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		}
		waitFor(t, 5*time.Second, "NotAccepting", e.proc().NotAccepting)
		if n := e.proc().Connections(); n != 2 {
			t.Errorf("Connections() = %d while not accepting, want 2", n)
		}
		waiting[0].SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, err := waiting[0].br.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("a client in the backlog got an answer: %d, %v", n, err)
		}
		e.unblock()
		for i, c := range append(busy, waiting...) {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			resp, _, err := c.read("GET")
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("client %d after release: %v %v", i, resp, err)
			}
		}
		waitFor(t, 5*time.Second, "accepting again", func() bool { return !e.proc().NotAccepting() })
	})

	t.Run("only worker busy with keep-alive connections parked", func(t *testing.T) {
		// The listeners go off because no worker is idle (as when a new
		// connection comes while the only worker finishes a response);
		// the worker going idle turns them on again although parked
		// keep-alive connections hold the hysteresis limit (1 + 0 × 100).
		e := start(t, Config{ThreadsPerChild: 1, AsyncRequestWorkerFactor: 100, KeepAliveTimeout: time.Minute})
		parked := dial(t, e.addr)
		parked.get(t, "/")
		waitFor(t, 5*time.Second, "the connection to park", func() bool { return e.proc().KeepAlive() == 1 })
		busy := dial(t, e.addr)
		io.WriteString(busy, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
		waitFor(t, 5*time.Second, "the only worker to block", func() bool { return e.blocked.Load() == 1 })
		late := dial(t, e.addr)
		io.WriteString(late, "GET /id?id=late HTTP/1.1\r\nHost: x\r\n\r\n")
		waitFor(t, 5*time.Second, "NotAccepting", e.proc().NotAccepting)
		e.unblock()
		busy.SetDeadline(time.Now().Add(5 * time.Second))
		if resp, body, err := busy.read("GET"); err != nil || string(body) != "released" {
			t.Fatalf("the blocked request: %v %q %v", resp, body, err)
		}
		late.SetDeadline(time.Now().Add(5 * time.Second))
		if resp, body, err := late.read("GET"); err != nil || string(body) != "late" {
			t.Fatalf("late client after the worker went idle: %v %q %v", resp, body, err)
		}
		waitFor(t, 5*time.Second, "accepting again", func() bool { return !e.proc().NotAccepting() })
	})

	t.Run("connections above limit", func(t *testing.T) {
		// Limit with 2 idle workers: 2 + 2×1 = 4 connections; once off,
		// listeners come back below 2 + (2−1)×1 = 3.
		e := start(t, Config{ThreadsPerChild: 2, AsyncRequestWorkerFactor: 1, KeepAliveTimeout: time.Minute})
		var idle []*client
		for i := range 4 {
			c := dial(t, e.addr)
			c.get(t, "/")
			idle = append(idle, c)
			// Both workers idle again before the next connection, so the
			// limit is not lowered by a worker still busy.
			waitFor(t, 5*time.Second, "the connection to park", func() bool { return e.proc().KeepAlive() == i+1 })
		}
		late := dial(t, e.addr)
		io.WriteString(late, "GET /id?id=late HTTP/1.1\r\nHost: x\r\n\r\n")
		waitFor(t, 5*time.Second, "NotAccepting", e.proc().NotAccepting)
		idle[0].Close()
		waitFor(t, 5*time.Second, "3 connections", func() bool { return e.proc().Connections() == 3 })
		late.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, err := late.br.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("the late client was served at 3 connections (hysteresis): %d, %v", n, err)
		}
		if !e.proc().NotAccepting() {
			t.Errorf("NotAccepting() = false at 3 connections, want true")
		}
		idle[1].Close()
		late.SetDeadline(time.Now().Add(5 * time.Second))
		resp, body, err := late.read("GET")
		if err != nil || string(body) != "late" {
			t.Fatalf("late client: %v %q %v", resp, body, err)
		}
		waitFor(t, 5*time.Second, "accepting again", func() bool { return !e.proc().NotAccepting() })
	})
}

// TestSaturation: when a readable connection has waited for a worker
// (all busy) for busyGrace, idle keep-alive connections are closed first;
// the waiting request is still served once a worker is free.
func TestSaturation(t *testing.T) {
	e := start(t, Config{ThreadsPerChild: 1, AsyncRequestWorkerFactor: 100, KeepAliveTimeout: time.Minute})
	idle := dial(t, e.addr)
	idle.get(t, "/")
	waiting := dial(t, e.addr)
	waiting.get(t, "/")
	waitFor(t, 5*time.Second, "2 parked connections", func() bool { return e.proc().KeepAlive() == 2 })
	busy := dial(t, e.addr)
	io.WriteString(busy, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, 5*time.Second, "the only worker to block", func() bool { return e.blocked.Load() == 1 })
	io.WriteString(waiting, "GET /id?id=waited HTTP/1.1\r\nHost: x\r\n\r\n")
	begin := time.Now()
	if err := idle.expectEOF(5 * time.Second); err != nil {
		t.Fatalf("idle keep-alive connection with all workers busy: %v", err)
	}
	if d := time.Since(begin); d < busyGrace/2 {
		t.Errorf("idle connection closed after %v, want after about %v", d, busyGrace)
	}
	e.unblock()
	waiting.SetDeadline(time.Now().Add(5 * time.Second))
	if resp, body, err := waiting.read("GET"); err != nil || string(body) != "waited" {
		t.Fatalf("the waiting request: %v %q %v", resp, body, err)
	}
	if resp, body, err := busy.read("GET"); err != nil || string(body) != "released" {
		t.Fatalf("the blocked request: %v %q %v", resp, body, err)
	}
}

// TestLingeringClose: after a response with Connection: close the server
// shuts down its side and drains the client, without a worker, until the
// client closes or 2 s pass without data; data the client still sends
// (here after its request) does not turn the close into a reset.
func TestLingeringClose(t *testing.T) { eachMode(t, testLingeringClose) }

func testLingeringClose(t *testing.T, oneShot bool) {
	e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, OneShot: oneShot})
	tests := []struct {
		name        string
		clientClose bool
	}{
		{"client closes", true},
		{"client stays", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, e.addr)
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\ntrailing bytes")
			resp, body, err := c.read("GET")
			if err != nil || string(body) != "hello" || !resp.Close {
				t.Fatalf("response = %v %q %v", resp, body, err)
			}
			if err := c.expectEOF(2 * time.Second); err != nil {
				t.Fatalf("after the response: %v (want the server's side shut down)", err)
			}
			waitFor(t, 2*time.Second, "a lingering connection on the board", func() bool {
				return e.proc().Lingering() == 1 && e.workersIdle()
			})
			// The client may still write while the server lingers.
			if _, err := io.WriteString(c, "more"); err != nil {
				t.Errorf("write during the lingering close: %v", err)
			}
			begin := time.Now()
			if tt.clientClose {
				c.Close()
			}
			waitFor(t, 4*time.Second, "the lingering close to end", func() bool {
				return e.proc().Lingering() == 0 && e.proc().Connections() == 0
			})
			if d := time.Since(begin); !tt.clientClose && d < lingerWait-200*time.Millisecond {
				t.Errorf("lingering close ended after %v with the client silent, want about %v", d, lingerWait)
			}
		})
	}
}

// TestKeepAliveTimeout: an idle connection is closed after
// KeepAliveTimeout; with KeepAliveTimeout 0 every response closes.
func TestKeepAliveTimeout(t *testing.T) {
	tests := []struct {
		name string
		kat  time.Duration
	}{
		{"200ms", 200 * time.Millisecond},
		{"off", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, Config{KeepAliveTimeout: tt.kat})
			c := dial(t, e.addr)
			// The timeout runs from the park, which follows the request:
			// timing from before it is a lower bound that a loaded machine
			// (a response read late) cannot break.
			begin := time.Now()
			resp, _ := c.get(t, "/")
			if resp.Close != (tt.kat == 0) {
				t.Errorf("Connection: close = %v, want %v", resp.Close, tt.kat == 0)
			}
			if err := c.expectEOF(tt.kat + 2*time.Second); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(begin); d < tt.kat-20*time.Millisecond {
				t.Errorf("closed after %v, want about %v", d, tt.kat)
			}
			c.Close() // ends the server's lingering close
			waitFor(t, 5*time.Second, "no connection left", func() bool {
				return e.proc().Connections() == 0 && e.proc().KeepAlive() == 0 && e.proc().Lingering() == 0
			})
		})
	}
}

// TestTimeout: Timeout bounds every wait for request bytes; the server's
// ReadTimeout bounds a request's header and a new connection's first byte;
// HeaderReceived sets the body's deadline and limit. A connection that
// sends nothing in time is answered 408 by the ErrorHandler (as under
// fasthttp.Server) without holding a worker while it waits.
func TestTimeout(t *testing.T) {
	e := start(t, Config{ThreadsPerChild: 2, Timeout: 300 * time.Millisecond, KeepAliveTimeout: 5 * time.Second})
	t.Run("partial request", func(t *testing.T) {
		c := dial(t, e.addr)
		io.WriteString(c, "GET / HTTP/1.1\r\nHo")
		c.SetDeadline(time.Now().Add(5 * time.Second))
		resp, _, err := c.read("GET")
		if err != nil || resp.StatusCode != fasthttp.StatusRequestTimeout {
			t.Fatalf("partial request: %v %v, want 408", resp, err)
		}
	})
	t.Run("connect only", func(t *testing.T) {
		c := dial(t, e.addr)
		waitFor(t, time.Second, "the connection to be accepted", func() bool { return e.proc().Connections() >= 1 })
		time.Sleep(50 * time.Millisecond)
		if !e.workersIdle() {
			t.Errorf("workers = %q while a client sends nothing, want idle", e.letters())
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		resp, _, err := c.read("GET")
		if err != nil || resp.StatusCode != fasthttp.StatusRequestTimeout || !resp.Close {
			t.Fatalf("connect-only client: %v %v, want 408 with Connection: close", resp, err)
		}
		if err := c.expectEOF(3 * time.Second); err != nil {
			t.Fatal(err)
		}
	})

	tweaked := startWith(t, Config{ThreadsPerChild: 2, Timeout: 5 * time.Second, KeepAliveTimeout: 5 * time.Second}, func(srv *fasthttp.Server) {
		srv.ReadTimeout = 300 * time.Millisecond
		srv.HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
			return fasthttp.RequestConfig{MaxRequestBodySize: 3, ReadTimeout: 200 * time.Millisecond}
		}
	})
	tests := []struct {
		name   string
		parts  []string // sent 100 ms apart
		status int
	}{
		{"header trickle beyond ReadTimeout", []string{"GET / HTTP/1.1\r\n", "Host: x\r\n", "X-A: 1\r\n", "X-B: 1\r\n", "X-C: 1\r\n", "\r\n"}, fasthttp.StatusRequestTimeout},
		{"body over HeaderReceived's limit", []string{"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd"}, fasthttp.StatusRequestEntityTooLarge},
		{"body within limit", []string{"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"}, fasthttp.StatusOK},
		{"body slower than HeaderReceived's deadline", []string{"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na", "b", "", ""}, fasthttp.StatusRequestTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, tweaked.addr)
			c.SetDeadline(time.Now().Add(5 * time.Second))
			for i, p := range tt.parts {
				if i > 0 {
					time.Sleep(100 * time.Millisecond)
				}
				io.WriteString(c, p)
			}
			resp, _, err := c.read("POST")
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("response = %v, %v; want %d", resp, err, tt.status)
			}
		})
	}
}

// TestStop: graceful and immediate stops.
func TestStop(t *testing.T) {
	t.Run("graceful", func(t *testing.T) {
		e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 10 * time.Second})
		busy, idle := e.blockedAndIdle(t)
		e.child.Stop(mpm.StopGraceful)
		waitFor(t, 5*time.Second, "Draining", e.draining.Load)
		waitFor(t, 5*time.Second, "the listener to close", func() bool {
			c, err := net.DialTimeout("tcp", e.addr, time.Second)
			if err == nil {
				c.Close()
			}
			return err != nil
		})
		select {
		case err := <-e.served:
			t.Fatalf("Serve returned %v with connections left", err)
		case <-time.After(50 * time.Millisecond):
		}
		// The idle connection is kept: its next request is answered, with
		// Connection: close.
		resp, body := idle.get(t, "/draining")
		if !resp.Close || string(body) != "true" {
			t.Errorf("request on an idle connection after Stop(true) = close %v %q, want close and true", resp.Close, body)
		}
		e.unblock()
		busy.expectReleased(t, true)
		// Closing ends the server's lingering closes.
		busy.Close()
		idle.Close()
		e.waitServed(t, 5*time.Second, "after the last connection")
	})

	t.Run("graceful stop of the server closes idle connections", func(t *testing.T) {
		e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 30 * time.Second})
		busy, idle := e.blockedAndIdle(t)
		silent := dial(t, e.addr) // connected, no request yet
		waitFor(t, 5*time.Second, "the silent connection to be accepted", func() bool { return e.proc().Connections() == 3 })
		e.child.Stop(mpm.StopGraceful)
		e.child.Stop(mpm.StopGracefulIdle) // upgrades the graceful stop
		// Not after KeepAliveTimeout (30 s): at once.
		for name, c := range map[string]*client{"idle": idle, "silent": silent} {
			if err := c.expectEOF(2 * time.Second); err != nil {
				t.Errorf("%s connection after StopGracefulIdle: %v", name, err)
			}
		}
		// The busy worker still finishes, with Connection: close.
		e.unblock()
		busy.expectReleased(t, true)
		busy.Close()
		idle.Close()
		silent.Close()
		e.waitServed(t, 5*time.Second, "after the last connection")
	})

	t.Run("immediate", func(t *testing.T) {
		e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 10 * time.Second})
		// Each step waits for the workers to settle: a connection arriving
		// while both are busy turns admission off until one closes.
		idle := dial(t, e.addr)
		idle.get(t, "/")
		waitFor(t, 5*time.Second, "the idle connection to park", func() bool { return e.proc().KeepAlive() == 1 })
		partial := dial(t, e.addr)
		io.WriteString(partial, "GET / HTTP/1.1\r\n")
		waitFor(t, 5*time.Second, "a worker reading", func() bool { return strings.Contains(e.letters(), "R") })
		slow := dial(t, e.addr)
		slow.Conn.(*net.TCPConn).SetReadBuffer(16 << 10)
		io.WriteString(slow, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		waitFor(t, 5*time.Second, "write completion and a reading worker", func() bool {
			return e.proc().WriteCompletion() == 1 && strings.Contains(e.letters(), "R")
		})
		begin := time.Now()
		e.child.Stop(mpm.StopImmediate)
		e.waitServed(t, time.Second, "of Stop(false)")
		if d := time.Since(begin); d > 500*time.Millisecond {
			t.Errorf("Serve returned %v after Stop(false), want promptly", d)
		}
		for name, c := range map[string]*client{"idle": idle, "partial": partial} {
			if err := c.expectEOF(2 * time.Second); err != nil {
				t.Errorf("%s connection: %v", name, err)
			}
		}
		slow.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := io.Copy(io.Discard, slow); err == nil && n >= bigSize {
			t.Errorf("slow reader got all %d bytes after an immediate stop", n)
		}
		if n := e.proc().Connections(); n != 0 {
			t.Errorf("Connections() = %d after Serve returned, want 0", n)
		}
	})

	t.Run("immediate with a stuck handler", func(t *testing.T) {
		e := start(t, Config{ThreadsPerChild: 1, KeepAliveTimeout: 10 * time.Second})
		busy := dial(t, e.addr)
		io.WriteString(busy, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
		waitFor(t, 5*time.Second, "the handler to block", func() bool { return e.blocked.Load() == 1 })
		begin := time.Now()
		e.child.Stop(mpm.StopImmediate)
		e.waitServed(t, 3*time.Second, "of Stop(false) with a stuck handler")
		if d := time.Since(begin); d > 2*stopNowGrace {
			t.Errorf("Serve returned %v after Stop(false), want about %v", d, stopNowGrace)
		}
		// The handler returns later: its connection is closed then, and
		// its worker exits (the cleanup checks for leaked goroutines).
		e.unblock()
		if err := busy.expectEOF(5 * time.Second); err != nil {
			t.Error(err)
		}
		waitFor(t, 5*time.Second, "no connection left", func() bool { return e.proc().Connections() == 0 })
	})

	t.Run("before serve", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		board, err := mpm.NewScoreboard(1, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer board.Close()
		child, err := New(complete(Config{ThreadsPerChild: 1}), mpm.ChildDeps{Listeners: []net.Listener{ln}, Server: &fasthttp.Server{Handler: func(*fasthttp.RequestCtx) {}}, Board: board})
		if err != nil {
			t.Fatal(err)
		}
		child.Stop(mpm.StopGraceful)
		done := make(chan error, 1)
		go func() { done <- child.Serve(nil) }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve after Stop = %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve after Stop did not return")
		}
		if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
			t.Errorf("the listener still accepts after Serve returned")
		}
	})
}

// TestMaxConnectionsPerChild: the child stops gracefully after accepting
// MaxConnectionsPerChild connections.
func TestMaxConnectionsPerChild(t *testing.T) {
	e := start(t, Config{ThreadsPerChild: 2, MaxConnectionsPerChild: 3, KeepAliveTimeout: 5 * time.Second})
	for i := range 3 {
		c := dial(t, e.addr)
		resp, _ := c.get(t, "/")
		if i == 2 && !resp.Close {
			t.Errorf("the last allowed connection's response lacks Connection: close")
		}
		c.Close()
	}
	e.waitServed(t, 5*time.Second, "after MaxConnectionsPerChild connections")
}

// TestAcceptBackoff: EMFILE on accept pauses accepting (no spinning, no
// exit) and accepting resumes.
func TestAcceptBackoff(t *testing.T) {
	var calls, fails int
	var mu sync.Mutex
	accept4 = func(fd, flags int) (int, unix.Sockaddr, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if fails < 3 {
			fails++
			return -1, nil, unix.EMFILE
		}
		return unix.Accept4(fd, flags)
	}
	t.Cleanup(func() { accept4 = unix.Accept4 })
	e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second})
	c := dial(t, e.addr)
	begin := time.Now()
	resp, body := c.get(t, "/")
	if resp.StatusCode != 200 || string(body) != "hello" {
		t.Fatalf("after EMFILE: %d %q", resp.StatusCode, body)
	}
	// Three failures back off 100, 200 and 400 ms.
	if d := time.Since(begin); d < 600*time.Millisecond {
		t.Errorf("served after %v, want the accepts paused about 700 ms", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls > 10 {
		t.Errorf("accept4 called %d times for one connection, want a few (no spinning)", calls)
	}
}
