package event

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/h1serve/tlstest"
	"github.com/gohttpd/gohttpd/mpm"
)

// recordingConn keeps every byte the server sent.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got = append(r.got, p[:n]...)
	r.mu.Unlock()
	return n, err
}

// lastRecordType is the content type of the last whole TLS record the
// server sent (0x15: alert; in TLS 1.2 an alert's type is in clear).
func (r *recordingConn) lastRecordType() byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var typ byte
	for b := r.got; len(b) >= 5; {
		n := 5 + (int(b[3])<<8 | int(b[4]))
		if n > len(b) {
			break
		}
		typ, b = b[0], b[n:]
	}
	return typ
}

// TestTLSCloseNotify: the event engine ends a TLS connection it closes
// with the close_notify alert, as mod_ssl does: after a Connection:
// close response, after the keep-alive timeout, and after a large
// Connection: close response finished by write completion (the alert
// goes last, from the loop).
func TestTLSCloseNotify(t *testing.T) {
	var ch *Child
	e := tlstest.Start(t, tlstest.Options{Threads: 2, New: func(d mpm.ChildDeps) (mpm.ChildServer, error) {
		c, err := New(complete(Config{ThreadsPerChild: 2, KeepAliveTimeout: time.Second, Timeout: 10 * time.Second}), d)
		ch = c
		return c, err
	}})
	proc := ch.e.proc
	tests := []struct {
		name, request string
		slow          bool
	}{
		{"connection close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false},
		{"keep-alive timeout", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"write completion", "GET /medium HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := net.Dial("tcp", e.Addr)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recordingConn{Conn: raw}
			if tt.slow {
				raw.(*net.TCPConn).SetReadBuffer(16 << 10)
			}
			cfg := tlstest.ClientConfig()
			cfg.MaxVersion = tls.VersionTLS12
			c := tls.Client(rec, cfg)
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			if err := c.Handshake(); err != nil {
				t.Fatal(err)
			}
			if tt.slow {
				waitFor(t, 5*time.Second, "the connection to park", func() bool {
					return ch.e.deps.Board.Worker(0, 0).State() == mpm.StateReady && ch.e.deps.Board.Worker(0, 1).State() == mpm.StateReady
				})
				if err := unix.SetsockoptInt(serverSocket(t, raw), unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10); err != nil {
					t.Fatal(err)
				}
			}
			io.WriteString(c, tt.request)
			br := bufio.NewReaderSize(c, 16<<10)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("response: %v %v", resp, err)
			}
			if tt.slow {
				waitFor(t, 5*time.Second, "write completion", func() bool { return proc.WriteCompletion() == 1 })
			}
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Fatalf("reading to EOF: %v", err)
			}
			if typ := rec.lastRecordType(); typ != 0x15 {
				t.Errorf("last record type %#x, want 0x15 (close_notify alert)", typ)
			}
		})
	}
}

// TestTLSCloseNotifyAtStop: a parked keep-alive TLS connection gets the
// close_notify alert when the child stops, gracefully (idle connections
// closed at once) or immediately.
func TestTLSCloseNotifyAtStop(t *testing.T) {
	for _, mode := range []mpm.StopMode{mpm.StopGracefulIdle, mpm.StopImmediate} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			child, addr := startTLSChild(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: time.Minute, Timeout: 10 * time.Second})
			raw, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recordingConn{Conn: raw}
			cfg := tlstest.ClientConfig()
			cfg.MaxVersion = tls.VersionTLS12
			c := tls.Client(rec, cfg)
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(c)
			if resp, _ := tlstest.Get(t, c, br, "/"); resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			waitFor(t, 5*time.Second, "the connection to park", func() bool { return child.e.proc.KeepAlive() == 1 })
			child.Stop(mode)
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Fatalf("reading to EOF: %v", err)
			}
			if typ := rec.lastRecordType(); typ != 0x15 {
				t.Errorf("last record type %#x, want 0x15 (close_notify alert)", typ)
			}
		})
	}
}
