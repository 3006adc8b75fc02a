package proxy_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/proxy"
)

// Example wires the proxy as the site does: conf builds the directives,
// New makes the backends once, and a handler matches and serves each
// request, logging and answering errors itself.
func Example() {
	// A backend on loopback.
	bl, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(bl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { //nolint:errcheck
		fmt.Fprintf(w, "backend got %s, X-Forwarded-Server %s", r.URL.Path, r.Header.Get("X-Forwarded-Server"))
	}))
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	// ProxyPass /app/static !
	// ProxyPass /app/ http://127.0.0.1:PORT/b/
	// ProxyPass /down/ http://127.0.0.1:DEAD/
	var b conf.ProxyBuilder
	for _, args := range [][]string{
		{"/app/static", "!"},
		{"/app/", "http://" + bl.Addr().String() + "/b/"},
		{"/down/", "http://" + deadAddr + "/"},
	} {
		if err := b.Directive("", "ProxyPass", args); err != nil {
			panic(err) // the walker reports it with file, line and directive
		}
	}
	srv, err := b.Finish()
	if err != nil {
		panic(err)
	}
	px, err := proxy.New(srv, proxy.Options{ServerName: "www.example.org"})
	if err != nil {
		panic(err)
	}
	var logBuf bytes.Buffer
	logger := slog.New(errorlog.NewHandler(&logBuf, errorlog.Options{PID: 1}))

	handler := func(ctx *fasthttp.RequestCtx) {
		t, ok := px.Match(string(ctx.Path()), ctx.URI().QueryString(), srv.Dir)
		if !ok {
			ctx.Error("static file here", fasthttp.StatusOK) // the next handler
			return
		}
		ip, _, _ := net.SplitHostPort(ctx.RemoteAddr().String())
		res := px.Serve(ctx, t, &proxy.Request{Dir: srv.Dir, ClientIP: ip, Self: "http://" + string(ctx.Host())})
		for _, e := range res.Log {
			e.Log(ctx, logger, "127.0.0.1:1234")
		}
		if res.Status != 0 {
			ctx.Error(fasthttp.StatusMessage(res.Status), res.Status) // the site's error page
		}
	}
	fl, _ := net.Listen("tcp", "127.0.0.1:0")
	s := &fasthttp.Server{Handler: handler, StreamRequestBody: true}
	go s.Serve(fl)     //nolint:errcheck
	defer s.Shutdown() //nolint:errcheck

	for _, path := range []string{"/app/x", "/app/static/logo.png", "/down/y"} {
		resp, err := http.Get("http://" + fl.Addr().String() + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s: %d %s\n", path, resp.StatusCode, body)
	}
	for _, line := range strings.Split(strings.TrimSpace(logBuf.String()), "\n") {
		_, rest, _ := strings.Cut(line, "] ") // drop the time
		rest = strings.ReplaceAll(rest, deadAddr, "127.0.0.1:DEAD")
		fmt.Println(rest)
	}
	// Output:
	// /app/x: 200 backend got /b/x, X-Forwarded-Server www.example.org
	// /app/static/logo.png: 200 static file here
	// /down/y: 503 Service Unavailable
	// [proxy:error] [pid 1] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:DEAD (127.0.0.1:DEAD) failed
	// [proxy_http:error] [pid 1] [client 127.0.0.1:1234] AH01114: HTTP: failed to make connection to backend: 127.0.0.1
}
