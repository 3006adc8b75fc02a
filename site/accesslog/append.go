package accesslog

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/internal/proxyproto"
	"github.com/gohttpd/gohttpd/site/logescape"
)

// Append appends the line for the request in ctx, ending in '\n', to dst
// and returns the extended slice.
//
// start is when the request began (Apache's r->request_time; %t prints it
// in start's location, so pass a local time such as ctx.Time() or
// time.Now()); the zero time means ctx.Time(). %D and %T measure from start
// to the call. Body sizes (%b, %B) are len(ctx.Response.Body()), or the
// Content-Length of a body stream (0 when the length is unknown), and 0 for
// HEAD requests and for 1xx, 204 and 304 responses, which carry no body.
func (f *Format) Append(dst []byte, ctx *fasthttp.RequestCtx, start time.Time) []byte {
	if start.IsZero() {
		start = ctx.Time()
	}
	var end time.Time // read once, on first use
	endTime := func() time.Time {
		if end.IsZero() {
			end = f.now()
		}
		return end
	}
	raw, isRaw := rawOf(ctx)
	for i := range f.items {
		it := &f.items[i]
		if isRaw && it.kind.fromRequestLine() && (!raw.http09 || it.kind == kRequestLine || it.kind == kProtocol) {
			dst = appendRaw(dst, it.kind, raw)
			continue
		}
		if it.kind == kLiteral {
			dst = append(dst, it.arg...)
			continue
		}
		if len(it.conds) > 0 && slices.Contains(it.conds, ctx.Response.StatusCode()) == it.negate {
			dst = append(dst, '-')
			continue
		}
		switch it.kind {
		case kDash:
			dst = append(dst, '-')
		case kRemoteIP:
			dst = appendIP(dst, ctx.RemoteAddr())
		case kPeerIP:
			if c := ctx.Conn(); c != nil {
				dst = appendIP(dst, proxyproto.PeerAddr(c)) // the TCP peer, also behind a PROXY header
			} else {
				dst = appendIP(dst, ctx.RemoteAddr())
			}
		case kLocalIP:
			dst = appendIP(dst, ctx.LocalAddr())
		case kBytesCLF:
			if n := bodySize(ctx); n > 0 {
				dst = strconv.AppendInt(dst, int64(n), 10)
			} else {
				dst = append(dst, '-')
			}
		case kBytes:
			dst = strconv.AppendInt(dst, int64(bodySize(ctx)), 10)
		case kBytesIn:
			dst = strconv.AppendInt(dst, int64(bytesIn(ctx)), 10)
		case kBytesOut:
			dst = strconv.AppendInt(dst, int64(bytesOut(ctx)), 10)
		case kBytesAll:
			dst = strconv.AppendInt(dst, int64(bytesIn(ctx)+bytesOut(ctx)), 10)
		case kMicros:
			dst = strconv.AppendInt(dst, max(endTime().Sub(start), 0).Microseconds(), 10)
		case kMillis:
			dst = strconv.AppendInt(dst, max(endTime().Sub(start), 0).Milliseconds(), 10)
		case kSeconds:
			dst = strconv.AppendInt(dst, int64(max(endTime().Sub(start), 0)/time.Second), 10)
		case kProtocol:
			dst = appendEscaped(dst, ctx.Request.Header.Protocol())
		case kKeepAlives:
			n := ConnRequestNum(ctx)
			if n > 0 {
				n--
			}
			dst = strconv.AppendUint(dst, n, 10)
		case kMethod:
			dst = appendEscaped(dst, ctx.Request.Header.Method())
		case kLocalPort:
			dst = appendPort(dst, ctx.LocalAddr())
		case kCanonicalPort:
			if si := ServerOf(ctx); si != nil {
				dst = strconv.AppendInt(dst, int64(si.CanonicalPort(ctx)), 10)
			} else {
				dst = appendPort(dst, ctx.LocalAddr())
			}
		case kRemotePort:
			dst = appendPort(dst, ctx.RemoteAddr())
		case kPID:
			dst = append(dst, f.pid...)
		case kQuery:
			uri := ctx.Request.Header.RequestURI()
			if q := bytes.IndexByte(uri, '?'); q >= 0 {
				query := uri[q+1:]
				if h := bytes.IndexByte(query, '#'); h >= 0 {
					query = query[:h]
				}
				dst = append(dst, '?')
				dst = appendEscaped(dst, query)
			}
		case kRequestLine:
			dst = appendRequestLine(dst, ctx)
		case kStatus:
			if sc := ctx.Response.StatusCode(); sc > 0 {
				dst = strconv.AppendInt(dst, int64(sc), 10)
			} else {
				dst = append(dst, '-')
			}
		case kTime:
			t := start
			if it.end {
				t = endTime()
			}
			dst = appendTime(dst, it, t)
		case kPath:
			dst = appendValue(dst, ctx.Path())
		case kServerName:
			if si := ServerOf(ctx); si != nil {
				dst = appendValue(dst, si.ServerName())
			} else {
				dst = appendValue(dst, f.ServerName)
			}
		case kHostName:
			dst = f.appendHostName(dst, ctx)
		case kConnStatus:
			if ctx.Response.ConnectionClose() || ctx.Request.Header.ConnectionClose() {
				dst = append(dst, '-')
			} else {
				dst = append(dst, '+')
			}
		case kReqHeader:
			dst = appendValue(dst, ctx.Request.Header.Peek(it.arg))
		case kRespHeader:
			dst = appendResponseHeader(dst, ctx, it.arg)
		case kCookie:
			dst = appendValue(dst, cookieValue(ctx.Request.Header.Peek(fasthttp.HeaderCookie), it.arg))
		case kNote:
			dst = appendNote(dst, ctx.UserValue(it.arg))
		case kUser:
			dst = appendUser(dst, ctx.UserValue(UserKey))
		case kEnv:
			dst = appendEnv(dst, ctx.UserValue(EnvKey), it.arg)
		case kSSLVar:
			dst = appendSSLVar(dst, ctx, it.arg)
		default:
			dst = append(dst, '-')
		}
	}
	return append(dst, '\n')
}

// appendValue appends s escaped, or "-" when s is empty (a missing header
// and an empty one print the same).
func appendValue[T string | []byte](dst []byte, s T) []byte {
	if len(s) == 0 {
		return append(dst, '-')
	}
	return appendEscaped(dst, s)
}

// appendEscaped appends s with ap_escape_logitem's rules.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	return logescape.Append(dst, s, true)
}

// appendIP appends the address's IP, IPv4-mapped IPv6 shown as IPv4 (as
// APR does), or "-".
func appendIP(dst []byte, addr net.Addr) []byte {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return appendNetIP(dst, a.IP)
	case *net.UDPAddr:
		return appendNetIP(dst, a.IP)
	case nil:
		return append(dst, '-')
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return append(dst, '-')
	}
	return appendValue(dst, host)
}

func appendNetIP(dst []byte, ip net.IP) []byte {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return append(dst, '-')
	}
	return a.Unmap().AppendTo(dst)
}

// appendPort appends the address's port, or "-".
func appendPort(dst []byte, addr net.Addr) []byte {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return strconv.AppendInt(dst, int64(a.Port), 10)
	case *net.UDPAddr:
		return strconv.AppendInt(dst, int64(a.Port), 10)
	}
	return append(dst, '-')
}

// bytesIn is mod_logio's %I: the request's bytes as received, request
// line, header fields and body.
func bytesIn(ctx *fasthttp.RequestCtx) int {
	h := &ctx.Request.Header
	n := len(h.Method()) + 1 + len(ctx.RequestURI()) + 1 + len(h.Protocol()) + 2 // "GET /uri HTTP/1.1\r\n"
	if raw := h.RawHeaders(); len(raw) > 0 {
		n += len(raw) // the fields and the empty line
	} else {
		n += 2
	}
	if ctx.Request.IsBodyStream() {
		n += max(h.ContentLength(), 0)
	} else {
		n += len(ctx.Request.Body())
	}
	return n
}

// bytesOut is mod_logio's %O: the response head as it stands when the
// line is logged (fasthttp adds nothing but its Date and Server fields,
// which are counted) plus the body.
func bytesOut(ctx *fasthttp.RequestCtx) int {
	return len(ctx.Response.Header.Header()) + bodySize(ctx)
}

// bodySize is the number of body bytes the response sends.
func bodySize(ctx *fasthttp.RequestCtx) int {
	resp := &ctx.Response
	if ctx.IsHead() || resp.SkipBody {
		return 0
	}
	if sc := resp.StatusCode(); sc < 200 || sc == fasthttp.StatusNoContent || sc == fasthttp.StatusNotModified {
		return 0
	}
	if resp.IsBodyStream() { // Body() would drain the stream
		return max(resp.Header.ContentLength(), 0)
	}
	return len(resp.Body())
}

// appendRequestLine appends "METHOD URI PROTOCOL" escaped, with a password
// in an absolute URI replaced by XXXXXXXX (as apr_uri_unparse does).
func appendRequestLine(dst []byte, ctx *fasthttp.RequestCtx) []byte {
	h := &ctx.Request.Header
	dst = appendEscaped(dst, h.Method())
	dst = append(dst, ' ')
	uri := h.RequestURI()
	if pw0, pw1 := passwordSpan(uri); pw0 >= 0 {
		dst = appendEscaped(dst, uri[:pw0])
		dst = append(dst, "XXXXXXXX"...)
		dst = appendEscaped(dst, uri[pw1:])
	} else {
		dst = appendEscaped(dst, uri)
	}
	dst = append(dst, ' ')
	return appendEscaped(dst, h.Protocol())
}

// passwordSpan returns the byte range of the password in an absolute URI
// "scheme://user:password@host/...", or -1, -1.
func passwordSpan(uri []byte) (int, int) {
	i := bytes.Index(uri, []byte("://"))
	if i <= 0 {
		return -1, -1
	}
	for _, c := range uri[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return -1, -1
		}
	}
	auth0 := i + 3
	auth := uri[auth0:]
	if end := bytes.IndexAny(auth, "/?#"); end >= 0 {
		auth = auth[:end]
	}
	at := bytes.LastIndexByte(auth, '@')
	if at < 0 {
		return -1, -1
	}
	colon := bytes.IndexByte(auth[:at], ':')
	if colon < 0 {
		return -1, -1
	}
	return auth0 + colon + 1, auth0 + at
}

// appendHostName appends the request's host name without its port, in
// lower case (Apache's r->hostname, used by %V with UseCanonicalName Off),
// or the ServerName when the request names no host.
func (f *Format) appendHostName(dst []byte, ctx *fasthttp.RequestCtx) []byte {
	host := ctx.Request.Header.Host()
	if len(host) > 0 && host[0] == '[' {
		if end := bytes.IndexByte(host, ']'); end >= 0 {
			host = host[:end+1]
		}
	} else if colon := bytes.LastIndexByte(host, ':'); colon >= 0 {
		host = host[:colon]
	}
	if n := len(host); n > 1 && host[n-1] == '.' {
		host = host[:n-1] // r->hostname has no trailing dot
	}
	if len(host) == 0 {
		if si := ServerOf(ctx); si != nil {
			return appendValue(dst, si.ServerName())
		}
		return appendValue(dst, f.ServerName)
	}
	n := len(dst)
	dst = appendEscaped(dst, host)
	for i := n; i < len(dst); i++ {
		if c := dst[i]; c >= 'A' && c <= 'Z' {
			dst[i] = c + ('a' - 'A')
		}
	}
	return dst
}

// appendResponseHeader appends a response header as log_header_out does:
// Content-Type without its parameters, every Set-Cookie joined by ", ".
func appendResponseHeader(dst []byte, ctx *fasthttp.RequestCtx, name string) []byte {
	h := &ctx.Response.Header
	switch {
	case equalFold(name, fasthttp.HeaderContentType):
		ct := h.ContentType()
		if semi := bytes.IndexByte(ct, ';'); semi >= 0 {
			ct = bytes.TrimRight(ct[:semi], " \t")
		}
		return appendValue(dst, ct)
	case equalFold(name, fasthttp.HeaderSetCookie):
		n := len(dst)
		for _, v := range h.Cookies() {
			if len(dst) > n {
				dst = append(dst, ',', ' ')
			}
			dst = appendEscaped(dst, v)
		}
		if len(dst) == n {
			dst = append(dst, '-')
		}
		return dst
	}
	return appendValue(dst, h.Peek(name))
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// cookieValue finds cookie name (case-insensitively) in a Cookie header
// the way log_cookie does: pairs split at ';', name and value split at the
// first '=', blanks around both trimmed, empty names or values skipped.
func cookieValue(header []byte, name string) []byte {
	for len(header) > 0 {
		var pair []byte
		if semi := bytes.IndexByte(header, ';'); semi >= 0 {
			pair, header = header[:semi], header[semi+1:]
		} else {
			pair, header = header, nil
		}
		eq := bytes.IndexByte(pair, '=')
		if eq <= 0 {
			continue
		}
		k := bytes.TrimSpace(pair[:eq])
		v := bytes.TrimSpace(pair[eq+1:])
		if len(k) == 0 || len(v) == 0 || len(k) != len(name) {
			continue
		}
		match := true
		for i := range k {
			if lower(k[i]) != lower(name[i]) {
				match = false
				break
			}
		}
		if match {
			return v
		}
	}
	return nil
}

// appendNote appends a user value set by the handler (%{name}n, the
// counterpart of Apache's request notes) if it is string-like, else "-".
func appendNote(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendValue(dst, v)
	case []byte:
		return appendValue(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case fmt.Stringer:
		return appendValue(dst, v.String())
	}
	return append(dst, '-')
}

// fromRequestLine reports whether a directive prints part of the request
// line (%r %m %U %q %H).
func (k kind) fromRequestLine() bool {
	switch k {
	case kRequestLine, kMethod, kPath, kQuery, kProtocol:
		return true
	}
	return false
}

// appendRaw prints a request-line directive for a request that could not
// be read, from the line as received.
func appendRaw(dst []byte, k kind, raw rawRequest) []byte {
	method, path, query, proto := raw.parts()
	switch k {
	case kRequestLine:
		// A password in an absolute-form target is masked, as for
		// requests that were read.
		if sp := bytes.IndexByte(raw.line, ' '); sp >= 0 {
			target := raw.line[sp+1:]
			if pw0, pw1 := passwordSpan(target); pw0 >= 0 {
				dst = appendEscaped(dst, raw.line[:sp+1+pw0])
				dst = append(dst, "XXXXXXXX"...)
				return appendEscaped(dst, target[pw1:])
			}
		}
		return appendValue(dst, raw.line)
	case kMethod:
		return appendValue(dst, method)
	case kPath:
		return appendValue(dst, path)
	case kQuery:
		if len(query) > 0 {
			dst = append(dst, '?')
			dst = appendEscaped(dst, query)
		}
		return dst
	default:
		if raw.http09 {
			return append(dst, "HTTP/0.9"...)
		}
		return appendValue(dst, proto)
	}
}

// UserKey is the ctx.UserValue key under which the site stores the
// authenticated user name (a string) for %u.
const UserKey = "gohttpd.remote-user"

// appendUser is mod_log_config's log_remote_user: "-" without a user,
// `""` for an empty one, else the escaped name.
func appendUser(dst []byte, v any) []byte {
	u, ok := v.(string)
	switch {
	case !ok:
		return append(dst, '-')
	case u == "":
		return append(dst, `""`...)
	}
	return appendEscaped(dst, u)
}

// EnvKey is the ctx.UserValue key under which the site stores the
// request's environment (SetEnvIf, SetEnv: anything with
// Lookup(name) (string, bool)) for %{VAR}e.
const EnvKey = "gohttpd.env"

// appendEnv is log_env_var: the variable's value escaped, "-" when it is
// not set (or there is no environment).
func appendEnv(dst []byte, v any, name string) []byte {
	env, ok := v.(interface{ Lookup(string) (string, bool) })
	if !ok {
		return append(dst, '-')
	}
	val, set := env.Lookup(name)
	if !set {
		return append(dst, '-')
	}
	return appendEscaped(dst, val)
}
