package event

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/h1"
	"github.com/gohttpd/gohttpd/internal/h1/corpus"
)

// panicCounter is a slog handler counting the engine's "panic serving a
// connection" records (a bug in the engine, not in a handler).
type panicCounter struct{ n atomic.Int64 }

func (h *panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *panicCounter) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic serving a connection") {
		h.n.Add(1)
	}
	return nil
}
func (h *panicCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicCounter) WithGroup(string) slog.Handler      { return h }

// FuzzConnection sends arbitrary bytes on a connection and half-closes it:
// the child must close the connection within a bound (Timeout is 200 ms),
// never panic in its own code, and go on serving.
func FuzzConnection(f *testing.F) {
	seeds := []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /id?id=2 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
		"GET /big HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /" + strings.Repeat("a", 5000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
		"\x00\x01\x02\r\n\r\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, c := range corpus.Cases {
		f.Add([]byte(c.Raw))
	}
	pc := &panicCounter{}
	testLog.Store(slog.New(pc))
	e := start(f, Config{ThreadsPerChild: 2, Timeout: 200 * time.Millisecond, KeepAliveTimeout: time.Second})
	testLog.Store(nil)
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.DialTimeout("tcp", e.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(in)
		c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(c)
		if err != nil && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("input %q: the connection was not closed: %v", in, err)
		}
		// Never more answers than requests the Validator reads whole, plus
		// one error response, which is the last.
		ref := h1.New(h1.Options{})
		ref.Check(in)
		sts := finalStatuses(out)
		if len(sts) > ref.Requests()+1 {
			t.Fatalf("input %q: %d responses %v for %d requests read whole", in, len(sts), sts, ref.Requests())
		}
		for i, st := range sts {
			if st >= 400 && st != 404 && i != len(sts)-1 {
				t.Fatalf("input %q: responses %v: an error response is not the last", in, sts)
			}
		}
		if n := pc.n.Load(); n > 0 {
			t.Fatalf("input %q: %d panics in the engine", in, n)
		}
		ok := dial(t, e.addr)
		if resp, body := ok.get(t, "/"); resp.StatusCode != 200 || string(body) != "hello" {
			t.Fatalf("after input %q: GET / = %d %q", in, resp.StatusCode, body)
		}
	})
}

// finalStatuses reads the responses in out, in order, skipping 1xx.
func finalStatuses(out []byte) []int {
	var sts []int
	br := bufio.NewReader(bytes.NewReader(out))
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return sts
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 200 {
			sts = append(sts, resp.StatusCode)
		}
	}
}
