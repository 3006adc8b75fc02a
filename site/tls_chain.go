package site

import (
	"context"
	"log/slog"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/tlsconf"
	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/vhost"
)

// TLS requests: mod_ssl's per-request check (ssl_hook_ReadReq) after the
// vhost is selected: a Host that picks a vhost whose TLS settings differ
// from those of the vhost SNI picked for the handshake gets 421
// Misdirected Request, a request with SNI but no Host 400, and no SNI on
// a name-based address with SSLStrictSNIVHostCheck 403.
//
// Later handlers learn that a request came over TLS from ctx.IsTLS()
// (fasthttp; true on every engine's TLS connection) and read the
// protocol and cipher with accesslog.TLSState(ctx).

// TLSOptions are what the site needs to check requests on TLS
// connections: the servers (by vhost ID: 0 the main server, i+1 the
// i-th <VirtualHost>) with their merged mod_ssl settings, and the Set
// the engines handshake with (it knows which server did a handshake).
type TLSOptions struct {
	Servers []tlsconf.Server
	Set     *tlsconf.Set
}

// misdirected runs mod_ssl's check for a request on a TLS connection
// whose vhost selection is m (nil without <VirtualHost>). It reports
// whether it answered the request.
func (s *Site) misdirected(ctx *fasthttp.RequestCtx, m *vhost.Match) bool {
	cs, ok := accesslog.TLSState(ctx)
	if !ok {
		return false
	}
	r := tlsconf.Request{SNI: cs.ServerName}
	if m != nil {
		r.Hostname, r.Server = m.Hostname(), int(m.Server)
		r.Handshake = s.tls.Set.HandshakeServer(m.Local, cs.ServerName)
		r.NameBased = s.table.NameBased(m.Local)
	} else {
		r.Hostname = ctx.Host()
	}
	v := tlsconf.CheckRequest(s.tls.Servers, r)
	if v.Status == 0 {
		return false
	}
	level := slog.LevelError
	if v.Level == "info" {
		level = slog.LevelInfo
	}
	if lg := s.logger(ctx); lg.Enabled(context.Background(), level) {
		lg.LogAttrs(context.Background(), level, v.LogLine, client(ctx), slog.String(errorlog.KeyModule, "ssl"))
	}
	s.sendError(ctx, v.Status, v.Note)
	return true
}

// matchOf is m when the site selects vhosts, else nil.
func (s *Site) matchOf(m *vhost.Match) *vhost.Match {
	if s.table == nil {
		return nil
	}
	return m
}
