package site

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// ioTimeout bounds every read and write a test makes on a socket.
const ioTimeout = 5 * time.Second

// testConfig returns conf's built-in configuration for the event engine
// (Apache's defaults) serving root ("" for the built-in site).
func testConfig(root string) *conf.Config {
	c := conf.Default(conf.Event)
	c.Site.DocumentRoot = root
	return c
}

// writeFiles creates files under dir: name → contents. Names ending in
// "/" are directories.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ageFiles sets the modification time of every file under dir to mtime.
func ageFiles(t testing.TB, dir string, mtime time.Time) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&os.ModeSymlink != 0 {
			return nil
		}
		return os.Chtimes(p, mtime, mtime)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newTestSite builds a Site and closes it when the test ends.
func newTestSite(t testing.TB, cfg *conf.Config, opts Options) *Site {
	t.Helper()
	s, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

// serve starts s.NewServer() on a 127.0.0.1 listener and returns its
// address. The server is shut down (before the Site is closed) when the
// test ends.
func serve(t testing.TB, s *Site) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewServer()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
		defer cancel()
		if err := srv.ShutdownWithContext(ctx); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve() = %v", err)
		}
	})
	return ln.Addr().String()
}

// startSite is newTestSite followed by serve.
func startSite(t testing.TB, cfg *conf.Config, opts Options) (*Site, string) {
	t.Helper()
	s := newTestSite(t, cfg, opts)
	return s, serve(t, s)
}

// conn is a raw client connection.
type conn struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, addr string) *conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	return &conn{t: t, c: c, br: bufio.NewReader(c)}
}

func (c *conn) send(raw string) {
	c.t.Helper()
	if _, err := io.WriteString(c.c, raw); err != nil {
		c.t.Fatalf("write %.40q: %v", raw, err)
	}
}

// read reads one response; head says whether it answers a HEAD request.
func (c *conn) read(head bool) *fasthttp.Response {
	c.t.Helper()
	resp := &fasthttp.Response{}
	resp.SkipBody = head
	resp.Header.SetNoDefaultContentType(true) // show what the server sent
	if err := resp.Read(c.br); err != nil {
		c.t.Fatalf("reading response: %v", err)
	}
	return resp
}

// do sends raw and reads the response.
func (c *conn) do(raw string) *fasthttp.Response {
	c.t.Helper()
	c.send(raw)
	return c.read(strings.HasPrefix(raw, "HEAD "))
}

// closed reports whether the server closed the connection: the next read
// gets EOF (or a reset) before the deadline, with no bytes.
func (c *conn) closed() bool {
	c.t.Helper()
	var b [1]byte
	n, err := c.br.Read(b[:])
	if n > 0 {
		c.t.Fatalf("unexpected byte %q after the response", b[0])
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return err != nil
}

// stillOpen checks the connection is alive by sending another request on it.
func (c *conn) stillOpen() bool {
	c.t.Helper()
	if _, err := io.WriteString(c.c, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return false
	}
	resp := &fasthttp.Response{}
	return resp.Read(c.br) == nil && resp.StatusCode() == fasthttp.StatusOK
}

// checkClosed checks that the server closed c (wantClosed) or that c still
// serves requests.
func checkClosed(t testing.TB, c *conn, wantClosed bool) {
	t.Helper()
	if wantClosed {
		if !c.closed() {
			t.Error("connection still open, want it closed by the server")
		}
		return
	}
	if !c.stillOpen() {
		t.Error("connection closed, want it kept alive")
	}
}

// get sends one raw request on a new connection and returns the response.
func get(t testing.TB, addr, raw string) *fasthttp.Response {
	t.Helper()
	return dial(t, addr).do(raw)
}

// req builds "METHOD target HTTP/1.1" with a Host header and extra lines.
func req(method, target string, header ...string) string {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: test\r\n")
	for _, h := range header {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// logBuffer is a concurrency-safe log destination for tests.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitFor polls cond every few milliseconds until it holds or the deadline
// passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(ioTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
