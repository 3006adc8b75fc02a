package event

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestHijack: a handler that hijacks gets a blocking net.Conn over the
// connection (with the bytes the worker had read ahead), the connection
// leaves the engine (not counted, not in epoll) and its worker is free at
// once: with one worker, another client is served while the tunnel runs.
func TestHijack(t *testing.T) { eachMode(t, testHijack) }

func testHijack(t *testing.T, oneShot bool) {
	ended := make(chan struct{})
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) != "/tunnel" {
			ctx.WriteString("hello")
			return
		}
		ctx.HijackSetNoResponse(true)
		ctx.Hijack(func(c net.Conn) {
			defer close(ended)
			c.SetDeadline(time.Now().Add(10 * time.Second))
			// Blocking reads and writes, as a proxy's tunnel does.
			io.Copy(c, c)
		})
	}}
	e := startServer(t, Config{ThreadsPerChild: 1, KeepAliveTimeout: 5 * time.Second, Timeout: 5 * time.Second, OneShot: oneShot}, srv)

	a, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.SetDeadline(time.Now().Add(10 * time.Second))
	// "PING " arrives with the request, so the worker reads it ahead
	// (through the Validator, which passes it as the start of a request
	// line: bytes it refuses would be lost, as under fasthttp.Server).
	io.WriteString(a, "GET /tunnel HTTP/1.1\r\nHost: x\r\n\r\nPING ")
	ar := bufio.NewReader(a)
	early := make([]byte, 5)
	if _, err := io.ReadFull(ar, early); string(early) != "PING " {
		t.Fatalf("tunnel echoed %q, %v; want the bytes read ahead", early, err)
	}
	waitFor(t, 5*time.Second, "the hijacked connection to leave the child", func() bool {
		return e.proc().Connections() == 0 && e.workersIdle()
	})

	// The only worker is free: another client is served meanwhile.
	b := dial(t, e.addr)
	if resp, body := b.get(t, "/"); resp.StatusCode != 200 || string(body) != "hello" {
		t.Fatalf("second client: %d %q", resp.StatusCode, body)
	}

	io.WriteString(a, "later\n")
	if line, err := ar.ReadString('\n'); line != "later\n" {
		t.Fatalf("tunnel echoed %q, %v", line, err)
	}
	a.(*net.TCPConn).CloseWrite()
	if rest, _ := io.ReadAll(ar); len(rest) != 0 {
		t.Errorf("after the tunnel: %q", rest)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the HijackHandler did not return")
	}
	waitFor(t, 5*time.Second, "the worker to be idle", e.workersIdle)
}
