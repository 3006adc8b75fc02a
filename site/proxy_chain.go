package site

// The reverse proxy in the request chain (mod_proxy's translate_name
// hook): a request whose path a ProxyPass line (or a <Location>'s
// one-argument ProxyPass) takes goes to the backend before Alias,
// DocumentRoot and static files; a "!" line or no match leaves it to the
// rest of the chain. Like Apache, a proxied request meets the <Location>
// sections (access control included) but no <Directory> or <Files>
// section: its file name is "proxy:URL", never a path on disk.

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/compress"
	"github.com/gohttpd/gohttpd/site/headers"
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
	// The response phases (resp_chain.go) around the proxy handler, as
	// Apache runs them for any handler: SetEnvIf, SetEnv, RequestHeader
	// (the backend sees the changed headers), then Expires and Header on
	// the backend's response.
	var st *respState
	var vars headers.Vars
	rc := r.resp
	if rc != nil && rc.phases && v.rs.phases {
		st, vars = s.respStart(ctx, rc, true)
	}
	if r.check && s.denied(ctx, r) {
		if st != nil {
			s.respFinish(ctx, rc, st, &vars)
		}
		return true
	}
	if st != nil {
		respFixups(ctx, rc, st, &vars)
	}
	scheme := "http://"
	if ctx.IsTLS() {
		scheme = "https://"
	}
	pr := &proxy.Request{
		Dir:      dir,
		ClientIP: s.clientIP(ctx),
		Self:     scheme + string(ctx.Host()),
	}
	if st != nil && rc.pol != nil {
		pr.Encode = func(ctx *fasthttp.RequestCtx, size int) func(io.Reader) (io.Reader, int) {
			return s.encodeProxied(ctx, rc, st, size)
		}
	}
	res := v.proxy.px.Serve(ctx, t, pr)
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
	if st != nil && ctx.Response.StatusCode() != fasthttp.StatusSwitchingProtocols {
		s.respFinish(ctx, rc, st, &vars)
	}
	return true
}

// encodeProxied is mod_deflate's and mod_brotli's decision on a proxied
// response (proxy.Request.Encode): Vary, Content-Encoding, the ETag and
// Content-Length as the filters leave them, and the coded body. A body
// of known size up to maxInMemoryCoding is coded at once and sent with
// its Content-Length (Apache's content-length filter gives one when the
// whole body reached it in one pass, as a fast backend's does); a larger
// or unsized one is coded while it is sent, chunked, in bounded memory
// (pooled encoders and 32 KiB buffers), flushed after each piece the
// backend sends for text/event-stream only (Apache flushes when the
// backend pauses; a server that cannot see pauses flushes where they
// matter). A HEAD response and a body of known size up to 68 bytes stay
// as they are; compress.Policy.Decide has Apache's other rules (204,
// Content-Range, an existing Content-Encoding, no-gzip, q=0).
func (s *Site) encodeProxied(ctx *fasthttp.RequestCtx, rc *respCfg, st *respState, size int) func(io.Reader) (io.Reader, int) {
	h := &ctx.Response.Header
	d := rc.pol.Decide(&compress.Request{
		AcceptEncoding: ctx.Request.Header.Peek(fasthttp.HeaderAcceptEncoding),
		Env:            compress.EnvOf(st.env.Lookup),
	}, &compress.Response{Status: ctx.Response.StatusCode(), ContentType: h.ContentType(),
		ContentEncoding: h.Peek(fasthttp.HeaderContentEncoding), CacheControl: h.Peek(fasthttp.HeaderCacheControl),
		ContentRange: h.Peek(fasthttp.HeaderContentRange) != nil, Length: int64(size)})
	if d.Encoding != compress.Identity && ctx.IsHead() {
		d.Encoding = compress.Identity
	}
	compress.SetHeaders(h, d)
	if d.Vary {
		st.vary = true
	}
	if d.Encoding == compress.Identity {
		return nil
	}
	enc, params := s.resp.encoders(), compress.ParamsOf(rc.pol.Server())
	if size >= 0 && size <= maxInMemoryCoding {
		return func(body io.Reader) (io.Reader, int) {
			b, err := codeAll(enc, body, size, d.Encoding, params)
			if err != nil {
				return errReader{err}, -1 // the connection ends mid-body
			}
			return bytes.NewReader(b), len(b)
		}
	}
	flush := bytes.HasPrefix(h.ContentType(), []byte("text/event-stream"))
	return func(body io.Reader) (io.Reader, int) { return enc.NewStream(body, d.Encoding, params, flush), -1 }
}

// maxInMemoryCoding is the largest proxied body coded at once (the
// memory it takes per request: the body and its coded copy).
const maxInMemoryCoding = 256 << 10

// codeAll reads size bytes of body (closing it) and returns them coded.
func codeAll(enc *compress.Encoders, body io.Reader, size int, e compress.Encoding, p compress.Params) ([]byte, error) {
	if c, ok := body.(io.Closer); ok {
		defer c.Close()
	}
	in := make([]byte, size)
	if _, err := io.ReadFull(body, in); err != nil {
		return nil, fmt.Errorf("reading the backend's body: %w", err)
	}
	var out bytes.Buffer
	out.Grow(size/4 + 64)
	w, err := enc.NewWriter(&out, e, p)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(in); err != nil {
		_ = w.Close()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// errReader is a body that fails.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

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
	markErrorPage(ctx)
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
	return v.locationResolve(&v.proxy.cache, p, now, "proxy:")
}

// locationResolve is the configuration of the path p before (or
// without) the directory walk: the server's own settings merged with the
// <Location> sections that match, cached in c. prefix goes before p in
// the file name ("proxy:").
func (v *vserver) locationResolve(c *pathCache, p []byte, now time.Time, prefix string) *resolved {
	if len(v.locs) == 0 && v.base.Auth == nil {
		return &v.trivialValue
	}
	if now.IsZero() {
		now = time.Now()
	}
	if r := c.load(p); r != nil {
		return r
	}
	uri := string(p)
	r := &resolved{filename: prefix + uri, expires: now.Add(time.Hour)}
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
	r.resp = v.rs.forCfg(cfg)
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
