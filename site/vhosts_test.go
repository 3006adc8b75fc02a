package site

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/accesslog"
)

// bufLog is an access logger writing to a buffer.
type bufLog struct {
	mu sync.Mutex
	b  bytes.Buffer
	l  *accesslog.Logger
}

func newBufLog(t *testing.T, format, name string) *bufLog {
	bl := &bufLog{}
	l, err := accesslog.New(lockedWriter{bl}, format, accesslog.Options{ServerName: name})
	if err != nil {
		t.Fatal(err)
	}
	bl.l = l
	return bl
}

type lockedWriter struct{ bl *bufLog }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.bl.mu.Lock()
	defer w.bl.mu.Unlock()
	return w.bl.b.Write(p)
}

func (bl *bufLog) Log(ctx *fasthttp.RequestCtx, start time.Time) { bl.l.Log(ctx, start) }

func (bl *bufLog) lines() string {
	bl.mu.Lock()
	defer bl.mu.Unlock()
	return bl.b.String()
}

// TestVirtualHostSelection: the selected vhost answers with its own
// DocumentRoot, sections and access log; %v %V %p are its.
func TestVirtualHostSelection(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"a/index.html": "A", "a/sub/index.html": "S", "b/index.html": "B", "b/private/x.html": "secret", "main/index.html": "M",
	})
	text := "Listen 127.0.0.1:8080\nServerName main.example\nDocumentRoot " + base + "/main\n" +
		"<VirtualHost 127.0.0.1:8080>\nServerName a.example\nDocumentRoot " + base + "/a\n</VirtualHost>\n" +
		"<VirtualHost 127.0.0.1:8080>\nServerName b.example:8080\nServerAlias *.b.example\nDocumentRoot " + base + "/b\n" +
		"CustomLog /dev/null common\n<Directory " + base + "/b/private>\nRequire all denied\n</Directory>\n</VirtualHost>\n"
	file := filepath.Join(t.TempDir(), "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	const format = "%v %V %p %{local}p %>s"
	mainLog := newBufLog(t, format, "main.example")
	bLog := newBufLog(t, format, "b.example")
	s := newTestSite(t, cfg, Options{Access: mainLog, Servers: []ServerLogs{{}, {Access: bLog}}})
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	cases := []struct {
		host, path string
		code       int
		body       string
	}{
		{"a.example", "/", 200, "A"},
		{"B.example:8080", "/", 200, "B"},
		{"x.b.example", "/private/x.html", 403, ""},
		{"a.example", "/private/x.html", 404, ""},
		{"other.example", "/", 200, "A"},
	}
	for _, c := range cases {
		var r fasthttp.Request
		r.SetRequestURI(c.path)
		r.Header.SetHost(c.host)
		var ctx fasthttp.RequestCtx
		ctx.Init2(addrConn{local: local, remote: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}}, nil, false)
		r.CopyTo(&ctx.Request)
		s.Handler()(&ctx)
		body := ctx.Response.Body()
		if ctx.Response.StatusCode() != c.code || (c.body != "" && string(body) != c.body) {
			t.Errorf("%s %s = %d %q, want %d %q", c.host, c.path, ctx.Response.StatusCode(), body, c.code, c.body)
		}
		ctx.Response.Reset()
	}
	// mod_dir's redirect is an absolute URL (ap_construct_url), compared
	// with Apache 2.4: "Host: a.example" gives http://a.example/sub/?x=1.
	for host, want := range map[string]string{
		"a.example":      "http://a.example/sub/?x=1",
		"a.example:8080": "http://a.example:8080/sub/?x=1",
	} {
		var r fasthttp.Request
		r.SetRequestURI("/sub?x=1")
		r.Header.SetHost(host)
		var ctx fasthttp.RequestCtx
		ctx.Init2(addrConn{local: local, remote: local}, nil, false)
		r.CopyTo(&ctx.Request)
		s.Handler()(&ctx)
		if got := string(ctx.Response.Header.Peek("Location")); ctx.Response.StatusCode() != 301 || got != want {
			t.Errorf("Host %s /sub = %d %q, want 301 %q", host, ctx.Response.StatusCode(), got, want)
		}
		ctx.Response.Reset()
	}
	wantMainRedirects := "a.example a.example 80 8080 301\na.example a.example 80 8080 301\n"
	// a.example has no CustomLog: the main server's log, with its name.
	wantMain := "a.example a.example 80 8080 200\na.example a.example 80 8080 404\na.example other.example 80 8080 200\n"
	wantB := "b.example b.example 8080 8080 200\nb.example x.b.example 8080 8080 403\n"
	if got := mainLog.lines(); got != wantMain+wantMainRedirects {
		t.Errorf("main log:\n%s\nwant:\n%s", got, wantMain)
	}
	if got := bLog.lines(); got != wantB {
		t.Errorf("b log:\n%s\nwant:\n%s", got, wantB)
	}
	if strings.Contains(mainLog.lines(), "main.example") {
		t.Error("the main server answered")
	}
}

// addrConn is a net.Conn that only has addresses.
type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c addrConn) LocalAddr() net.Addr  { return c.local }
func (c addrConn) RemoteAddr() net.Addr { return c.remote }

// TestStrictHostCheck: with StrictHostCheck On an unknown name is 400
// with Apache's AH10157 warning (compared with Apache 2.4: 400 and the
// same line), a known one is served.
func TestStrictHostCheck(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"a/index.html": "A"})
	text := "Listen 127.0.0.1:8080\nServerName main.example\nStrictHostCheck On\n" +
		"<VirtualHost 127.0.0.1:8080>\nServerName a.example\nDocumentRoot " + base + "/a\n</VirtualHost>\n" +
		"<VirtualHost 127.0.0.1:8080>\nServerName b.example\nDocumentRoot " + base + "/a\n</VirtualHost>\n"
	file := filepath.Join(t.TempDir(), "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &lockedBuffer{}
	s := newTestSite(t, cfg, Options{Logger: slog.New(slog.NewTextHandler(logBuf, nil))})
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	for host, want := range map[string]int{"a.example": 200, "other.example": 400} {
		var r fasthttp.Request
		r.SetRequestURI("/")
		r.Header.SetHost(host)
		var ctx fasthttp.RequestCtx
		ctx.Init2(addrConn{local: local, remote: local}, nil, false)
		r.CopyTo(&ctx.Request)
		s.Handler()(&ctx)
		if ctx.Response.StatusCode() != want {
			t.Errorf("Host %s = %d, want %d", host, ctx.Response.StatusCode(), want)
		}
		ctx.Response.Reset()
	}
	logBuf.mu.Lock()
	defer logBuf.mu.Unlock()
	if want := "AH10157: Requested hostname 'other.example' did not match any ServerName/ServerAlias in the matching virtual host (default vhost for current connection is " + file + ":4)"; !strings.Contains(logBuf.b.String(), want) {
		t.Errorf("error log:\n%s\nwant %q", logBuf.b.String(), want)
	}
}
