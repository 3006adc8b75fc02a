package proxy

import (
	"bytes"
	"io"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// hopByHop are the headers never forwarded either way (RFC 9110 7.6.1 and
// Apache's ap_proxy_create_hdrbrgd / hop_by_hop_hdrs), besides those the
// Connection header names. Host, Content-Length and Expect are handled
// apart.
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
}

func isHopByHop(key []byte, connListed [][]byte) bool {
	for _, h := range hopByHop {
		if len(key) == len(h) && strings.EqualFold(string(key), h) {
			return true
		}
	}
	for _, c := range connListed {
		if bytes.EqualFold(key, c) {
			return true
		}
	}
	return false
}

// connectionTokens are the header names a Connection header lists.
func connectionTokens(values [][]byte) [][]byte {
	var out [][]byte
	for _, v := range values {
		for _, tok := range bytes.Split(v, []byte{','}) {
			tok = bytes.TrimSpace(tok)
			if len(tok) > 0 {
				out = append(out, tok)
			}
		}
	}
	return out
}

func hasToken(values [][]byte, token string) bool {
	for _, t := range connectionTokens(values) {
		if strings.EqualFold(string(t), token) {
			return true
		}
	}
	return false
}

// upgradeWanted is the protocol to tunnel when the request asks for an
// upgrade the worker allows (upgrade=websocket, upgrade=ANY, or a ws://
// URL), "" otherwise (the Upgrade header is then dropped as hop-by-hop).
func upgradeWanted(ctx *fasthttp.RequestCtx, w *worker) string {
	if w.cfg.Upgrade == "" {
		return ""
	}
	up := ctx.Request.Header.Peek(fasthttp.HeaderUpgrade)
	if len(up) == 0 || !hasToken(ctx.Request.Header.PeekAll(fasthttp.HeaderConnection), "upgrade") {
		return ""
	}
	if w.cfg.Upgrade == "*" || hasToken([][]byte{up}, w.cfg.Upgrade) {
		return string(up)
	}
	return ""
}

// buildRequest fills the backend request from the client's: method,
// origin-form path (never an absolute URL: the connection goes to the
// worker's address and the host comes from configuration), headers
// without hop-by-hop ones, Host (the backend's, or the client's with
// ProxyPreserveHost On), X-Forwarded-For/-Host/-Server (ProxyAddHeaders,
// on by default), and the body: streamed when the server streams request
// bodies (fasthttp.Server.StreamRequestBody), else the buffered bytes.
func (p *Proxy) buildRequest(ctx *fasthttp.RequestCtx, req *fasthttp.Request, r *Request, w *worker, path string) {
	in := &ctx.Request.Header
	out := &req.Header
	out.DisableNormalizing()
	out.SetMethodBytes(in.Method())
	out.SetRequestURI(path)
	if w.tls {
		req.URI().SetScheme("https")
	}
	req.UseHostHeader = true

	conn := connectionTokens(in.PeekAll(fasthttp.HeaderConnection))
	var xff []byte
	for k, v := range in.All() {
		switch {
		case isHopByHop(k, conn),
			strings.EqualFold(string(k), fasthttp.HeaderHost),
			strings.EqualFold(string(k), fasthttp.HeaderContentLength),
			strings.EqualFold(string(k), "Expect"):
			continue
		case strings.EqualFold(string(k), "X-Forwarded-For") && r.Dir.AddHeaders():
			if len(xff) > 0 {
				xff = append(xff, ", "...)
			}
			xff = append(xff, v...)
			continue
		}
		out.AddBytesKV(k, v)
	}
	origHost := in.Host()
	switch {
	case r.Dir != nil && r.Dir.PreserveHost && len(origHost) > 0:
		out.SetHostBytes(origHost)
	case r.Dir != nil && r.Dir.PreserveHost && p.opts.ServerName != "":
		// An HTTP/1.0 request without Host: Apache sends the
		// ServerName (and logs AH01092 at warn).
		out.SetHost(p.opts.ServerName)
	default:
		out.SetHost(w.hostHdr)
	}
	if r.Dir.AddHeaders() {
		if r.ClientIP != "" && len(xff) > 0 {
			xff = append(xff, ", "...)
			xff = append(xff, r.ClientIP...)
		}
		switch {
		case len(xff) > 0:
			out.SetBytesV("X-Forwarded-For", xff)
		case r.ClientIP != "":
			out.Set("X-Forwarded-For", r.ClientIP) // no buffer to build
		}
		if len(origHost) > 0 {
			out.AddBytesV("X-Forwarded-Host", origHost)
		}
		out.Add("X-Forwarded-Server", p.opts.ServerName)
	}
	if w.cfg.DisableReuse {
		out.SetConnectionClose() // one connection per request
	}
	if ctx.Request.IsBodyStream() {
		n := in.ContentLength()
		if n != 0 {
			req.SetBodyStream(ctx.RequestBodyStream(), n)
		}
	} else if body := ctx.Request.Body(); len(body) > 0 {
		req.SetBodyRaw(body)
	}
}

// copyResponse puts the backend's response into ctx: status, headers
// without hop-by-hop ones, Location/Content-Location/URI/Destination
// through ProxyPassReverse, Set-Cookie through the cookie rewrites, and
// the body as a stream (Content-Length kept, else chunked). streaming
// reports that the body stream now holds the worker busy (until fasthttp
// closes it).
func (p *Proxy) copyResponse(ctx *fasthttp.RequestCtx, resp *fasthttp.Response, r *Request, w *worker) (streaming bool) {
	out := &ctx.Response.Header
	out.SetNoDefaultContentType(true)
	ctx.Response.SetStatusCode(resp.StatusCode())
	if msg := resp.Header.StatusMessage(); len(msg) > 0 {
		out.SetStatusMessage(msg)
	}
	conn := connectionTokens(resp.Header.PeekAll(fasthttp.HeaderConnection))
	for k, v := range resp.Header.All() {
		switch {
		case isHopByHop(k, conn), strings.EqualFold(string(k), fasthttp.HeaderContentLength):
			continue
		case strings.EqualFold(string(k), fasthttp.HeaderContentType):
			out.SetContentTypeBytes(v)
		case strings.EqualFold(string(k), fasthttp.HeaderServer):
			out.SetServerBytes(v)
		case isLocationHeader(k) && r.Dir != nil && len(r.Dir.Reverse) > 0:
			if nv := p.reverseLocation(string(v), r, w); nv != string(v) {
				out.AddBytesK(k, nv)
			} else {
				out.AddBytesKV(k, v) // no rule matched: no string of its own
			}
		case strings.EqualFold(string(k), fasthttp.HeaderSetCookie) &&
			r.Dir != nil && (len(r.Dir.CookiePaths) > 0 || len(r.Dir.CookieDomains) > 0):
			out.Add(fasthttp.HeaderSetCookie, reverseCookie(string(v), r.Dir))
		default:
			out.AddBytesKV(k, v)
		}
	}
	if ctx.IsHead() || resp.Header.ContentLength() == 0 || !hasBody(resp.StatusCode()) {
		if s := resp.BodyStream(); s != nil {
			_ = resp.CloseBodyStream()
		}
		if ctx.IsHead() && resp.Header.ContentLength() >= 0 {
			out.SetContentLength(resp.Header.ContentLength())
			ctx.Response.SkipBody = true
		}
		fasthttp.ReleaseResponse(resp)
		return false
	}
	stream := resp.BodyStream()
	n := resp.Header.ContentLength()
	if n < 0 {
		n = -1
	}
	var wrap func(io.Reader) (io.Reader, int)
	if r.Encode != nil {
		wrap = r.Encode(ctx, n)
	}
	if stream == nil {
		if wrap != nil {
			body := append([]byte(nil), resp.Body()...)
			fasthttp.ReleaseResponse(resp)
			ctx.Response.SetBodyStream(wrap(bytes.NewReader(body)))
			return false
		}
		ctx.Response.SetBody(resp.Body())
		fasthttp.ReleaseResponse(resp)
		return false
	}
	if n >= 0 && n <= smallBody {
		if readSmall(ctx, resp, stream, n) {
			if wrap != nil {
				body := append([]byte(nil), ctx.Response.Body()...)
				ctx.Response.ResetBody()
				ctx.Response.SetBodyStream(wrap(bytes.NewReader(body)))
			}
			return false
		}
		stream = resp.BodyStream() // what is left after a failure
	}
	bs := &bodyStream{resp: resp, r: stream, busy: &w.busy}
	if p.opts.Logger != nil {
		bs.logger, bs.client = p.opts.Logger, ctx.RemoteAddr().String()
	}
	if wrap != nil {
		// The wrapper closes bs (at once, or when fasthttp closes what it
		// returned).
		ctx.Response.SetBodyStream(wrap(bs))
		return true
	}
	ctx.Response.SetBodyStream(bs, n)
	return true
}

func hasBody(status int) bool {
	return !(status >= 100 && status < 200) && status != 204 && status != 304
}

func isLocationHeader(k []byte) bool {
	for _, h := range []string{"Location", "Content-Location", "URI", "Destination"} {
		if len(k) == len(h) && strings.EqualFold(string(k), h) {
			return true
		}
	}
	return false
}

// reverseLocation is ap_proxy_location_reverse_map: the first
// ProxyPassReverse whose backend URL (or, for a balancer, a member's URL
// followed by the balancer URL's path) prefixes the header value
// replaces that prefix with the local path, made absolute with the
// request's own scheme and host.
func (p *Proxy) reverseLocation(v string, r *Request, _ *worker) string {
	if r.Dir == nil {
		return v
	}
	for _, e := range r.Dir.Reverse {
		real := e.Real
		if len(real) > len("balancer://") && strings.EqualFold(real[:len("balancer://")], "balancer://") {
			rest := real[len("balancer://"):]
			name, urlpart := rest, ""
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				name, urlpart = rest[:i], rest[i:]
			}
			if urlpart == "/" {
				urlpart = ""
			}
			b := p.balancers["balancer://"+strings.ToLower(name)]
			if b == nil {
				continue
			}
			for _, m := range b.members {
				mu := m.cfg.URL
				if urlpart != "" {
					mu = strings.TrimSuffix(mu, "/")
					if len(v) >= len(mu)+len(urlpart) && strings.EqualFold(v[:len(mu)], mu) &&
						v[len(mu):len(mu)+len(urlpart)] == urlpart {
						return p.construct(e.Fake+v[len(mu)+len(urlpart):], r)
					}
				} else if len(v) >= len(mu) && strings.EqualFold(v[:len(mu)], mu) {
					if e.Fake == "/" && len(v) > len(mu) && v[len(mu)] == '/' {
						return p.construct(v[len(mu):], r)
					}
					return p.construct(e.Fake+v[len(mu):], r)
				}
			}
			continue
		}
		part := v
		if strings.HasPrefix(real, "/") {
			if i := strings.Index(v, "://"); i >= 0 {
				if j := strings.IndexByte(v[i+3:], '/'); j >= 0 {
					part = v[i+3+j:]
				}
			}
		}
		if real != "" && len(part) >= len(real) && strings.EqualFold(part[:len(real)], real) {
			return p.construct(e.Fake+part[len(real):], r)
		}
	}
	return v
}

// construct is ap_construct_url for a value that is not already a URL.
func (p *Proxy) construct(u string, r *Request) string {
	if isURL(u) || r.Self == "" {
		return u
	}
	return strings.TrimSuffix(r.Self, "/") + u
}

// isURL is ap_is_url: a scheme (letters, digits, '+', '-', '.') then ':'.
func isURL(u string) bool {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return false
}

// reverseCookie is ap_proxy_cookie_reverse_map: in a Set-Cookie value,
// a path= attribute whose value starts with a ProxyPassReverseCookiePath
// backend path is replaced as a whole by the local path, and a domain=
// attribute whose value starts with (case-insensitively) a
// ProxyPassReverseCookieDomain backend domain by the local domain; the
// first matching line of each list wins.
func reverseCookie(v string, d *conf.ProxyDir) string {
	if d == nil || (len(d.CookiePaths) == 0 && len(d.CookieDomains) == 0) {
		return v
	}
	parts := strings.Split(v, ";")
	changed := false
	for i, part := range parts {
		tok := strings.TrimLeft(part, " \t\n\v\f\r")
		lead := part[:len(part)-len(tok)]
		switch {
		case len(tok) >= 5 && strings.EqualFold(tok[:5], "path="):
			val := tok[5:]
			for _, e := range d.CookiePaths {
				if strings.HasPrefix(val, e.Fake) {
					parts[i] = lead + tok[:5] + e.Real
					changed = true
					break
				}
			}
		case len(tok) >= 7 && strings.EqualFold(tok[:7], "domain="):
			val := tok[7:]
			for _, e := range d.CookieDomains {
				if len(val) >= len(e.Fake) && strings.EqualFold(val[:len(e.Fake)], e.Fake) {
					parts[i] = lead + tok[:7] + e.Real
					changed = true
					break
				}
			}
		}
	}
	if !changed {
		return v
	}
	return strings.Join(parts, ";")
}
