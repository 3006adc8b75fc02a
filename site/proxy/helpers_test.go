package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// front is the proxy served by a fasthttp.Server on a loopback listener,
// wired as doc.go tells the site to.
type front struct {
	px   *Proxy
	addr string
	url  string

	mu   sync.Mutex
	logs []Entry
}

func (f *front) entries() []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Entry(nil), f.logs...)
}

func (f *front) resetLogs() {
	f.mu.Lock()
	f.logs = nil
	f.mu.Unlock()
}

// logText is the log lines as "[module:level] msg" joined by "\n".
func (f *front) logText() string {
	var b strings.Builder
	for _, e := range f.entries() {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func newFront(t testing.TB, srv *conf.ProxyServer, dirs func(path string) *conf.ProxyDir, opts Options) *front {
	t.Helper()
	if opts.ServerName == "" {
		opts.ServerName = "front.example"
	}
	px, err := New(srv, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := &front{px: px}
	handler := func(ctx *fasthttp.RequestCtx) {
		path := string(ctx.Path())
		dir := srv.Dir
		if dirs != nil {
			if d := dirs(path); d != nil {
				dir = conf.MergeProxyDir(srv.Dir, d)
			}
		}
		tgt, ok := px.Match(path, ctx.URI().QueryString(), dir)
		if !ok {
			ctx.Error("Not Found", fasthttp.StatusNotFound)
			return
		}
		ip, _, _ := net.SplitHostPort(ctx.RemoteAddr().String())
		res := px.Serve(ctx, tgt, &Request{Dir: dir, ClientIP: ip, Self: "http://" + string(ctx.Host())})
		f.mu.Lock()
		f.logs = append(f.logs, res.Log...)
		f.mu.Unlock()
		if res.Status != 0 {
			ctx.Response.Reset()
			ctx.SetStatusCode(res.Status)
			if res.Reason != "" {
				ctx.Response.Header.SetStatusMessage([]byte(res.Reason))
			}
			ctx.SetBodyString("proxy: " + res.Notes)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fasthttp.Server{
		Handler:            handler,
		StreamRequestBody:  true,
		MaxRequestBodySize: 64 << 20,
		ReadTimeout:        30 * time.Second,
		WriteTimeout:       30 * time.Second,
	}
	go s.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { _ = s.Shutdown() })
	f.addr = ln.Addr().String()
	f.url = "http://" + f.addr
	return f
}

// backend is a net/http server on loopback.
func backend(t testing.TB, h http.HandlerFunc) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { _ = s.Close() })
	return ln.Addr().String()
}

// rawBackend answers every connection with fn (reads the request head
// first).
func rawBackend(t testing.TB, fn func(c net.Conn, head string)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				buf := make([]byte, 0, 4096)
				tmp := make([]byte, 4096)
				for !strings.Contains(string(buf), "\r\n\r\n") {
					n, err := c.Read(tmp)
					if err != nil {
						return
					}
					buf = append(buf, tmp[:n]...)
				}
				fn(c, string(buf))
			}()
		}
	}()
	return ln.Addr().String()
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	ln.Close()
	return a
}

// rawGet sends a raw request to the front and returns the response head
// and body (read until close).
func rawGet(t testing.TB, addr, req string) (head, body string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(c)
	head, body, _ = strings.Cut(string(data), "\r\n\r\n")
	return head, body
}

var httpClient = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableCompression: true}}
