package site

// mod_remoteip in the request chain: once the virtual host is known, its
// RemoteIPHeader replaces the client address (ctx.RemoteAddr: Require ip,
// %a and %h, the error log's client, the proxy's X-Forwarded-For) before
// anything else looks at it, as Apache's post_read_request hook.

import (
	"context"
	"log/slog"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/internal/loglevel"
	"github.com/gohttpd/gohttpd/site/errorlog"
	"github.com/gohttpd/gohttpd/site/remoteip"
)

// initRemoteIP compiles the server's RemoteIPHeader processing.
func (s *Site) initRemoteIP(v *vserver, site *conf.SiteConfig) {
	v.remoteIP = remoteip.New(site.RemoteIP)
	if v.remoteIP != nil {
		s.remoteIP = true
	}
}

// applyRemoteIP runs on every request once any server has a
// RemoteIPHeader (fasthttp keeps a changed address across the requests
// of a connection: Apply resets it first, also for servers without one).
func (s *Site) applyRemoteIP(ctx *fasthttp.RequestCtx, v *vserver) {
	r := v.remoteIP.Apply(ctx)
	if r.Debug == "" && !r.Changed {
		return
	}
	if r.Changed && s.onClient != nil {
		s.onClient(ctx, r.Client.String())
	}
	bg := context.Background()
	if r.Debug != "" && v.log.Enabled(bg, slog.LevelDebug) {
		v.log.LogAttrs(bg, slog.LevelDebug, r.Debug, client(ctx), slog.String(errorlog.KeyModule, "remoteip"))
	}
	if r.Changed && v.log.Enabled(bg, loglevel.Trace1) {
		v.log.LogAttrs(bg, loglevel.Trace1, r.LogLine(), client(ctx), slog.String(errorlog.KeyModule, "remoteip"))
	}
}
