package site

// The reverse proxy in the request chain (mod_proxy's translate_name
// hook): a request whose path a ProxyPass line (or a <Location>'s
// one-argument ProxyPass) takes goes to the backend before Alias,
// DocumentRoot and static files; a "!" line or no match leaves it to the
// rest of the chain. Like Apache, a proxied request meets the <Location>
// sections (access control included) but no <Directory> or <Files>
// section: its file name is "proxy:URL", never a path on disk.

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/proxy"
)

// proxyRoute is one server's proxy: the backends (connection pools,
// error states) for the configuration's life, and the resolutions of
// proxied paths (the server's settings and its <Location> sections only).
type proxyRoute struct {
	px    *proxy.Proxy
	cache pathCache
}

// initProxy builds the server's proxy when its configuration proxies
// anything (a ProxyPass line, or a <Location>'s): "ProxyRequests Off" or a
// ProxyTimeout alone change nothing.
func (s *Site) initProxy(v *vserver, site *conf.SiteConfig) error {
	if !proxies(site) {
		return nil
	}
	px, err := proxy.New(site.Proxy, proxy.Options{
		ServerName: site.ServerName,
		Timeout:    s.cfg.HTTP.Timeout,
		Logger:     v.log,
	})
	if err != nil {
		return err
	}
	v.proxy = &proxyRoute{px: px}
	s.streamBody = true
	return nil
}

// closeProxy closes the idle backend connections of every server; the
// pools' cleaner goroutines end with their last connection.
func (s *Site) closeProxy() {
	for _, v := range s.servers {
		if v.proxy != nil {
			v.proxy.px.Close()
		}
	}
}

// usesProxy reports whether any server proxies requests (the server then
// streams request bodies).
func (s *Site) usesProxy() bool { return s.streamBody }

// serveProxy proxies the request when a ProxyPass takes it; it reports
// whether it answered.
func (s *Site) serveProxy(ctx *fasthttp.RequestCtx, v *vserver) bool {
	r := v.proxyResolve(ctx.Path(), ctx.Time())
	dir := r.cfg.Proxy
	t, ok := v.proxy.px.Match(string(ctx.Path()), ctx.URI().QueryString(), dir)
	if !ok {
		return false
	}
	if r.check && s.denied(ctx, r) {
		return true
	}
	scheme := "http://"
	if ctx.IsTLS() {
		scheme = "https://"
	}
	res := v.proxy.px.Serve(ctx, t, &proxy.Request{
		Dir:      dir,
		ClientIP: s.clientIP(ctx),
		Self:     scheme + string(ctx.Host()),
	})
	if len(res.Log) > 0 {
		lg := s.logger(ctx)
		client := ctx.RemoteAddr().String()
		for _, e := range res.Log {
			e.Log(context.Background(), lg, client)
		}
	}
	if res.Status != 0 {
		s.sendProxyError(ctx, &res)
	}
	return true
}

// clientIP is the client's address as mod_remoteip leaves it
// (r->useragent_ip).
func (s *Site) clientIP(ctx *fasthttp.RequestCtx) string {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(ctx.RemoteAddr().String())
	if err != nil {
		return ""
	}
	return host
}

// sendProxyError answers a proxy failure as Apache does: ap_proxyerror's
// status line ("502 Proxy Error") and error notes for 502 and 504, the
// canned page otherwise.
func (s *Site) sendProxyError(ctx *fasthttp.RequestCtx, res *proxy.Result) {
	if res.Reason == "" {
		s.sendError(ctx, res.Status, "")
		return
	}
	var first string
	switch res.Status {
	case fasthttp.StatusBadGateway:
		first = "<p>The proxy server received an invalid\nresponse from an upstream server.<br />\n"
	case fasthttp.StatusGatewayTimeout:
		first = "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n"
	default:
		s.sendError(ctx, res.Status, "")
		return
	}
	reason := res.Reason
	b := make([]byte, 0, 512)
	b = append(b, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>"...)
	b = strconv.AppendInt(b, int64(res.Status), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "</title>\n</head><body>\n<h1>"...)
	b = append(b, reason...)
	b = append(b, "</h1>\n"...)
	b = append(b, first...)
	if res.Status == fasthttp.StatusBadGateway {
		b = append(b, "The proxy server could not handle the request<p>Reason: <strong>"...)
		b = append(b, html.EscapeString(res.Notes)...)
		b = append(b, "</strong></p></p>\n"...)
	}
	b = append(b, "</body></html>\n"...)
	ctx.Response.Reset()
	ctx.Response.SetStatusCode(res.Status)
	ctx.Response.Header.SetStatusMessage([]byte(reason))
	ctx.Response.Header.SetContentType(errorContentType)
	ctx.Response.SetBodyRaw(b)
}

// proxyResolve is the configuration of a proxied path: the server's own
// settings merged with the <Location> sections that match, cached like
// resolve's.
func (v *vserver) proxyResolve(p []byte, now time.Time) *resolved {
	if len(v.locs) == 0 && v.base.Auth == nil {
		return &v.trivialValue
	}
	if now.IsZero() {
		now = time.Now()
	}
	c := &v.proxy.cache
	if r := c.load(p); r != nil {
		return r
	}
	uri := string(p)
	r := &resolved{filename: "proxy:" + uri, expires: now.Add(time.Hour)}
	cfg := v.base
	for _, sec := range v.locs {
		if matchLocationSection(sec, uri) {
			cfg = v.merge(cfg, sec.dir)
		}
	}
	r.cfg = cfg
	if a := cfg.Auth; a != nil && (a.Require != nil || a.Compat != nil) {
		r.needsHost = needsHost(a)
		r.allGranted = a.Compat == nil && grantsAll(a.Require)
		r.check = !r.allGranted || v.debug
	}
	c.store(uri, r)
	return r
}

// bodyTooLarge applies LimitRequestBody to a declared Content-Length of
// a request that is not proxied when the server streams request bodies
// (it does once a server proxies): fasthttp then no longer refuses such a
// body itself. It reports whether it answered 413. A proxied body is not
// limited: Apache 2.4.71 with LimitRequestBody 1000 forwards a 5000-byte
// POST to the backend (observed), while a static file gets 413.
func (s *Site) bodyTooLarge(ctx *fasthttp.RequestCtx) bool {
	if s.lim.body <= 0 {
		return false
	}
	cl := ctx.Request.Header.ContentLength()
	switch {
	case cl == -1:
		// Chunked: read (and drop) it up to the limit, as fasthttp did
		// before it streamed and as Apache's ap_discard_request_body.
		st := ctx.RequestBodyStream()
		if st == nil {
			return false
		}
		if n, _ := io.CopyN(io.Discard, st, s.lim.body+1); n <= s.lim.body {
			return false
		}
	case cl <= 0 || int64(cl) <= s.lim.body:
		return false
	}
	s.logf(ctx, slog.LevelInfo, "request body exceeds LimitRequestBody (%d)", s.lim.body)
	// The connection closes after the 413. What the client is still
	// sending would make the close a reset that can destroy the answer
	// before the client reads it (prefork and worker close without
	// lingering): read a bounded rest first, as a lingering close would.
	if st := ctx.RequestBodyStream(); st != nil {
		_, _ = io.CopyN(io.Discard, st, drainAfterLimit)
	}
	s.sendError(ctx, fasthttp.StatusRequestEntityTooLarge, "")
	ctx.SetConnectionClose()
	return true
}

// drainAfterLimit is how much of a body over LimitRequestBody is read
// and dropped before the 413 goes out.
const drainAfterLimit = 256 << 10

// proxies reports whether a server has a ProxyPass or ProxyPassMatch
// line or a <Location> with a one-argument ProxyPass.
func proxies(site *conf.SiteConfig) bool {
	if site.Proxy == nil {
		return false
	}
	if len(site.Proxy.Passes) > 0 {
		return true
	}
	for _, l := range site.Sections.Locations {
		if l.Dir != nil && l.Dir.Proxy != nil && l.Dir.Proxy.Alias != nil {
			return true
		}
	}
	return false
}
