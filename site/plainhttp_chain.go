package site

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// plainHTTPRequest is the request mod_ssl fakes for a client that spoke
// plain HTTP to a TLS port (ssl_engine_io.c: "GET / HTTP/1.0"), so that
// the 400 goes through the request cycle and the access log.
const plainHTTPRequest = "GET / HTTP/1.0\r\n\r\n"

// PlainHTTP logs a client that spoke plain HTTP on a TLS listener, which
// the engine answered with resp (mpm.PlainHTTPResponse; nil when the write
// failed): the info-level AH01996 line in the error log of the server the
// connection's address selects, and that server's access log line for the
// faked "GET / HTTP/1.0" with the 400 that was sent, as Apache 2.4.71
// logs it ("GET / HTTP/1.0" 400 <body bytes>, %{SSL_PROTOCOL}x "-"). It
// is the engines' mpm.ChildDeps.PlainHTTP hook and runs on their workers.
func (s *Site) PlainHTTP(local, remote net.Addr, resp []byte) {
	var ctx fasthttp.RequestCtx
	ctx.Init2(plainAddrConn{local: local, remote: remote}, nil, false)
	if err := ctx.Request.Read(bufio.NewReader(bytes.NewReader([]byte(plainHTTPRequest)))); err != nil {
		return
	}
	v := s.main
	if s.table != nil {
		var m vhost.Match
		s.table.SelectCtx(&m, &ctx)
		v = s.servers[m.Server]
		accesslog.SetServer(&ctx, v)
	}
	if v.log.Enabled(context.Background(), slog.LevelInfo) {
		v.log.LogAttrs(context.Background(), slog.LevelInfo,
			"AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page",
			client(&ctx), slog.String(errorlog.KeyModule, "ssl"))
	}
	if v.access == nil {
		return
	}
	if resp == nil || ctx.Response.Read(bufio.NewReader(bytes.NewReader(resp))) != nil {
		ctx.Response.SetStatusCode(fasthttp.StatusBadRequest)
	}
	v.access.Log(&ctx, time.Now())
}

// plainAddrConn is the connection a logged-only request claims: its
// addresses, nothing to read or write.
type plainAddrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c plainAddrConn) LocalAddr() net.Addr  { return c.local }
func (c plainAddrConn) RemoteAddr() net.Addr { return c.remote }
