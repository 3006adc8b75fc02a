package event

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

// largeTLSSize is past maxDeferCopy many times over.
const largeTLSSize = 4 << 20

// TestTLSLargeResponseWriteCompletion: a TLS response far larger than
// the 256 KiB a job may copy (an in-memory body, and a file body as
// static files are sent) goes to write completion while the client reads
// nothing, with no worker held; the client then gets every byte, and
// the connection is kept alive, or ends with close_notify after
// Connection: close.
func TestTLSLargeResponseWriteCompletion(t *testing.T) {
	body := tlstest.Big()[:largeTLSSize]
	path := filepath.Join(t.TempDir(), "large")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	handler := func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/mem":
			ctx.SetBody(body)
		case "/file":
			f, err := os.Open(path)
			if err != nil {
				ctx.Error(err.Error(), 500)
				return
			}
			ctx.SetBodyStream(f, largeTLSSize)
		default:
			ctx.WriteString("hello")
		}
	}
	var ch *Child
	e := tlstest.Start(t, tlstest.Options{Threads: 2, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
		d.Server.Handler = handler
		c, err := New(complete(Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, Timeout: 10 * time.Second}), d)
		ch = c
		return c, err
	}})
	proc := ch.e.proc
	idle := func() bool {
		for j := range 2 {
			if ch.e.deps.Board.Worker(0, j).State() != mpm.StateReady {
				return false
			}
		}
		return true
	}
	tests := []struct {
		path  string
		close bool
	}{
		{"/mem", false},
		{"/file", false},
		{"/mem", true},
		{"/file", true},
	}
	for _, tt := range tests {
		name := tt.path[1:]
		if tt.close {
			name += " close"
		}
		t.Run(name, func(t *testing.T) {
			// The client's receive window must exceed loopback's MSS (64
			// KiB), or the sender waits for the persist timer (silly
			// window avoidance); set before connect, for window scaling.
			d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
				return rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 128<<10) })
			}}
			raw, err := d.Dial("tcp", e.Addr)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recordingConn{Conn: raw}
			cfg := tlstest.ClientConfig()
			cfg.MaxVersion = tls.VersionTLS12 // the closing alert is visible
			c := tls.Client(rec, cfg)
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			if err := c.Handshake(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 5*time.Second, "the connection to park", idle)
			if err := unix.SetsockoptInt(serverSocket(t, raw), unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10); err != nil {
				t.Fatal(err)
			}
			req := "GET " + tt.path + " HTTP/1.1\r\nHost: x\r\n\r\n"
			if tt.close {
				req = "GET " + tt.path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
			}
			io.WriteString(c, req)
			br := bufio.NewReaderSize(c, 16<<10)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 200 || resp.ContentLength != largeTLSSize {
				t.Fatalf("response header: %v %v", resp, err)
			}
			// The client reads nothing more: no worker may stay with it.
			waitFor(t, 5*time.Second, "the response to wait in write completion with every worker free", func() bool {
				return proc.WriteCompletion() == 1 && idle()
			})
			start := time.Now()
			b, err := io.ReadAll(resp.Body)
			t.Logf("body read in %v", time.Since(start))
			if err != nil || !bytes.Equal(b, body) {
				t.Fatalf("body: %d bytes, %v; want the %d bytes", len(b), err, largeTLSSize)
			}
			if tt.close {
				if _, err := io.Copy(io.Discard, br); err != nil {
					t.Fatalf("reading to EOF: %v", err)
				}
				if typ := rec.lastRecordType(); typ != 0x15 {
					t.Errorf("last record type %#x, want 0x15 (close_notify alert)", typ)
				}
				return
			}
			waitFor(t, 5*time.Second, "write completion to end and the connection to park", func() bool {
				return proc.WriteCompletion() == 0 && proc.KeepAlive() == 1
			})
			if resp, b := tlstest.Get(t, c, br, "/"); resp.StatusCode != 200 || string(b) != "hello" {
				t.Errorf("request after write completion = %d %q", resp.StatusCode, b)
			}
		})
	}
}
