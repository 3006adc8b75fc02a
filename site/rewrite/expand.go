package rewrite

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// expand is do_expand: \c escapes, %{VAR}, ${map:key|default}, $N and
// %N, in one pass (an expansion's result is never expanded again).
// unsafeQ, when not nil, tracks where the (first, or last with QSL)
// '?' came from: 0 literal, 1 from an expansion (AH10508).
func (r *run) expand(in string, p *rule, unsafeQ *int) string {
	qslast := p != nil && p.Has(conf.RuleQSLast)
	specials := `\$%`
	span := strings.IndexAny(in, specials)
	if unsafeQ != nil {
		if q := strings.IndexByte(in, '?'); q >= 0 && (span < 0 || q < span) {
			*unsafeQ = 0
			if !qslast {
				unsafeQ = nil
			}
		}
	}
	if span < 0 {
		return in
	}
	if span == 0 && unsafeQ == nil && len(in) > 3 && in[0] == '%' && in[1] == '{' && closingCurly(in, 2) == len(in)-1 {
		return r.lookup(in[2 : len(in)-1]) // "%{VAR}" alone: no copy
	}
	var b strings.Builder
	b.Grow(len(in) + 16)
	b.WriteString(in[:span])
	i := span
	for i < len(in) {
		c := in[i]
		expanded := false
		start := b.Len()
		switch {
		case c == '\\':
			if i+1 < len(in) {
				b.WriteByte(in[i+1])
				i += 2
			} else {
				b.WriteByte('\\')
				i++
			}
		case i+1 < len(in) && in[i+1] == '{':
			end := closingCurly(in, i+2)
			switch {
			case end < 0:
				b.WriteString(in[i : i+2])
				i += 2
			case c == '%':
				b.WriteString(r.lookup(in[i+2 : end]))
				expanded = true
				i = end + 1
			default: // ${map:key|default}
				inner := in[i+2 : end]
				colon := charInCurlies(inner, ':')
				if colon < 0 {
					b.WriteString(in[i : i+2])
					i += 2
					break
				}
				name, rest := inner[:colon], inner[colon+1:]
				key, dflt := rest, ""
				if bar := charInCurlies(rest, '|'); bar >= 0 {
					key, dflt = rest[:bar], rest[bar+1:]
				}
				// RewriteMap is refused: every map is unknown, and Apache
				// answers an unknown map with the default.
				r.errorf("map lookup FAILED: map=%s key=%s", name, r.expand(key, p, nil))
				if dflt != "" {
					b.WriteString(r.expand(dflt, p, nil))
				}
				expanded = true
				i = end + 1
			}
		case i+1 < len(in) && in[i+1] >= '0' && in[i+1] <= '9':
			n := int(in[i+1] - '0')
			src, idx, cnt, ok := r.rrSrc, r.rr[:], r.rrN, r.rrOK
			if c == '%' {
				src, idx, cnt, ok = r.rcSrc, r.rc[:], r.rcN, r.rcOK
			}
			if ok && n < cnt && idx[2*n] >= 0 && idx[2*n+1] > idx[2*n] {
				v := src[idx[2*n]:idx[2*n+1]]
				if p != nil && p.Has(conf.RuleEscapeBackref) {
					e := escapeBackref(v, p.Escapes, p.NoEscapes, p.Flags)
					if r.trace {
						r.tracef(5, "escaping backreference '%s' to '%s'", v, e)
					}
					v = e
				}
				b.WriteString(v)
				expanded = true
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
		if unsafeQ != nil && expanded && strings.IndexByte(b.String()[start:], '?') >= 0 {
			*unsafeQ = 1
			if !qslast {
				unsafeQ = nil
			}
		}
		next := strings.IndexAny(in[i:], specials)
		if next < 0 {
			next = len(in) - i
		}
		if unsafeQ != nil {
			if q := strings.IndexByte(in[i:i+next], '?'); q >= 0 {
				*unsafeQ = 0
				if !qslast {
					unsafeQ = nil
				}
			}
		}
		b.WriteString(in[i : i+next])
		i += next
	}
	return b.String()
}

func closingCurly(s string, from int) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		case '{':
			depth++
		}
	}
	return -1
}

func charInCurlies(s string, c byte) int {
	depth := 1
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == c && depth == 1:
			return i
		case s[i] == '}':
			depth--
			if depth == 0 {
				return -1
			}
		case s[i] == '{':
			depth++
		}
	}
	return -1
}

// header is lookup_header: a header's value, noted for Vary unless it
// is Host.
func (r *run) header(name string) string {
	if r.req.Headers == nil {
		return ""
	}
	v, ok := r.req.Headers.Header(name)
	if ok && !strings.EqualFold(name, "Host") {
		if r.varyThis == "" {
			r.varyThis = name
		} else {
			r.varyThis += ", " + name
		}
	}
	return v
}

func (r *run) now() time.Time {
	if r.req.Now.IsZero() {
		return time.Now()
	}
	return r.req.Now
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// lookup is lookup_variable.
func (r *run) lookup(v string) string {
	if len(v) < 4 {
		return ""
	}
	if v[3] == ':' {
		if len(v) > 4 && strings.EqualFold(v[:3], "ENV") {
			return r.getenv(v[4:])
		}
		if len(v) > 4 && strings.EqualFold(v[:3], "SSL") {
			return "" // mod_ssl variables: gohttpd has none
		}
		return ""
	}
	if len(v) > 5 && v[4] == ':' {
		if strings.EqualFold(v[:4], "HTTP") {
			return r.header(v[5:])
		}
		// LA-U and LA-F need subrequests: empty, as Apache in a
		// subrequest-less context.
		return ""
	}
	req := r.req
	name := strings.ToUpper(v)
	switch name {
	case "IPV6", "REMOTE_ADDR", "SERVER_ADDR", "THE_REQUEST", "REMOTE_HOST", "REMOTE_PORT", "CONN_REMOTE_ADDR":
		req.connVars()
	}
	switch name {
	case "TIME":
		t := r.now()
		return pad(t.Year(), 4) + pad(int(t.Month()), 2) + pad(t.Day(), 2) + pad(t.Hour(), 2) + pad(t.Minute(), 2) + pad(t.Second(), 2)
	case "TIME_YEAR":
		return pad(r.now().Year(), 4)
	case "TIME_MON":
		return pad(int(r.now().Month()), 2)
	case "TIME_DAY":
		return pad(r.now().Day(), 2)
	case "TIME_HOUR":
		return pad(r.now().Hour(), 2)
	case "TIME_MIN":
		return pad(r.now().Minute(), 2)
	case "TIME_SEC":
		return pad(r.now().Second(), 2)
	case "TIME_WDAY":
		return strconv.Itoa(int(r.now().Weekday()))
	case "IPV6":
		if ip := net.ParseIP(req.RemoteAddr); ip != nil && ip.To4() == nil {
			return "on"
		}
		return "off"
	case "HTTPS":
		if r.scheme() == "https" {
			return "on"
		}
		return "off"
	case "IS_SUBREQ":
		return "false"
	case "PATH_INFO":
		return r.pathInfo
	case "AUTH_TYPE":
		return req.AuthType
	case "HTTP_HOST":
		return r.header("Host")
	case "SERVER_NAME":
		return r.serverNameForURL()
	case "REMOTE_ADDR":
		return req.RemoteAddr
	case "SERVER_ADDR":
		return req.ServerAddr
	case "HTTP_ACCEPT":
		return r.header("Accept")
	case "THE_REQUEST":
		return req.TheRequest
	case "API_VERSION":
		return "20120211:141" // MODULE_MAGIC_NUMBER of Apache 2.4.71
	case "HTTP_COOKIE":
		return r.header("Cookie")
	case "SERVER_PORT":
		return strconv.Itoa(req.ServerPort)
	case "REMOTE_HOST":
		if req.RemoteHost != "" {
			return req.RemoteHost
		}
		return req.RemoteAddr
	case "REMOTE_PORT":
		return strconv.Itoa(req.RemotePort)
	case "REMOTE_USER":
		return req.RemoteUser
	case "SCRIPT_USER", "SCRIPT_GROUP":
		return "<unknown>"
	case "REQUEST_URI":
		return req.URI
	case "REMOTE_IDENT":
		return ""
	case "HTTP_REFERER":
		return r.header("Referer")
	case "QUERY_STRING":
		return r.args
	case "SERVER_ADMIN":
		return req.ServerAdmin
	case "DOCUMENT_ROOT":
		return req.DocumentRoot
	case "HTTP_FORWARDED":
		return r.header("Forwarded")
	case "CONTEXT_PREFIX":
		return req.ContextPrefix
	case "REQUEST_METHOD":
		return req.Method
	case "REQUEST_SCHEME":
		return r.scheme()
	case "HTTP_USER_AGENT":
		return r.header("User-Agent")
	case "SCRIPT_FILENAME", "REQUEST_FILENAME":
		return r.filename
	case "SERVER_PROTOCOL":
		return req.Protocol
	case "SERVER_SOFTWARE":
		return req.ServerSoftware
	case "CONN_REMOTE_ADDR":
		if req.ConnRemoteAddr != "" {
			return req.ConnRemoteAddr
		}
		return req.RemoteAddr
	case "HTTP_PROXY_CONNECTION":
		return r.header("Proxy-Connection")
	case "CONTEXT_DOCUMENT_ROOT":
		if req.ContextDocumentRoot != "" {
			return req.ContextDocumentRoot
		}
		return req.DocumentRoot
	}
	return ""
}

const hexDigits = "0123456789abcdef"

// escapeBackref is escape_backref (the B flags).
func escapeBackref(s, escapes, noescapes string, flags conf.RewriteRuleFlags) string {
	noplus := flags&conf.RuleEscapeNoPlus != 0
	ctls := flags&conf.RuleEscapeCtls != 0
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		var escape bool
		if ctls {
			escape = !vcharObstext(c)
		} else {
			escape = escapes == ""
		}
		if escapes != "" && strings.IndexByte(escapes, c) >= 0 {
			escape = true
		}
		if noescapes != "" && strings.IndexByte(noescapes, c) >= 0 {
			escape = false
		}
		switch {
		case !escape:
			b.WriteByte(c)
		case isAlnum(c) || c == '_':
			b.WriteByte(c)
		case c == ' ' && !noplus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// vcharObstext is T_VCHAR_OBSTEXT: not a control character nor space.
func vcharObstext(c byte) bool { return c > ' ' && c != 0x7f }

// osEscapePath is T_OS_ESCAPE_PATH's complement: bytes ap_escape_uri
// keeps.
func pathSafe(c byte) bool {
	return isAlnum(c) || strings.IndexByte("$-_.+!*'(),:;@&=/~", c) >= 0
}

// escapeURI is ap_escape_uri (ap_os_escape_path with partial).
func escapeURI(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !pathSafe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pathSafe(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// escapeAbsoluteURI is escape_absolute_uri: the part after the host is
// escaped (for ldap: each '?'-separated part).
func escapeAbsoluteURI(u string, scheme int) string {
	if scheme == 0 || len(u) < scheme {
		return u
	}
	cp := scheme
	if u[cp-1] == '/' {
		for cp < len(u) && u[cp] != '/' {
			cp++
		}
		if cp >= len(u) || cp+1 >= len(u) {
			return u
		}
		cp++
		if len(u) >= 4 && strings.EqualFold(u[:4], "ldap") {
			parts := strings.SplitN(u[cp:], "?", 5)
			for i := range parts {
				parts[i] = escapeURI(parts[i])
			}
			return u[:cp] + strings.Join(parts, "?")
		}
	}
	return u[:cp] + escapeURI(u[cp:])
}

// addCookie is add_cookie: "name:value:domain[:lifetime[:path[:secure
// [:httponly[:samesite]]]]]" (';' as separator when it starts with ';').
func (r *run) addCookie(s string) {
	sep := ":"
	if strings.HasPrefix(s, ";") {
		sep, s = ";", s[1:]
	}
	var f []string
	for t := range strings.SplitSeq(s, sep) {
		if t != "" { // apr_strtok skips empty tokens
			f = append(f, t)
		}
	}
	if len(f) < 3 {
		return
	}
	for _, c := range r.res.Cookies {
		if strings.HasPrefix(c, f[0]+"=") {
			if r.trace {
				r.tracef0(5, "skipping already set cookie '%s'", f[0])
			}
			return
		}
	}
	path := "/"
	if len(f) > 4 {
		path = f[4]
	}
	c := f[0] + "=" + f[1] + "; path=" + path + "; domain=" + f[2]
	if len(f) > 3 {
		if m := catoi(f[3]); m != 0 {
			t := r.now().UTC().Add(time.Duration(m) * time.Minute)
			c += "; expires=" + t.Format("Mon, 02-Jan-2006 15:04:05 GMT")
		}
	}
	truthy := func(v, word string) bool {
		return strings.EqualFold(v, "true") || v == "1" || strings.EqualFold(v, word)
	}
	if len(f) > 5 && truthy(f[5], "secure") {
		c += "; secure"
	}
	if len(f) > 6 && truthy(f[6], "HttpOnly") {
		c += "; HttpOnly"
	}
	if len(f) > 7 && f[7] != "0" && !strings.EqualFold(f[7], "false") {
		c += "; SameSite=" + f[7]
	}
	r.res.Cookies = append(r.res.Cookies, c)
	if r.trace {
		r.tracef0(5, "setting cookie '%s'", c)
	}
}
