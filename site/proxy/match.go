package proxy

import (
	"regexp"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/internal/aptext"
)

// route is one compiled ProxyPass line.
type route struct {
	pass *conf.ProxyPass
	re   *regexp.Regexp
	w    *worker // the backend of a non-balancer route
	// urlPath is the path part of the target URL ("/x/", "/p/$1"; for a
	// balancer the part after balancer://name).
	urlPath string
}

func compileRoute(p *conf.ProxyPass) (*route, error) {
	r := &route{pass: p}
	if p.Regex {
		re, err := p.Compile()
		if err != nil {
			return nil, err
		}
		r.re = re
	}
	if p.Exclude {
		return r, nil
	}
	if p.Balancer != "" {
		rest := p.URL[len("balancer://"):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			r.urlPath = rest[i:]
		}
		return r, nil
	}
	_, _, r.urlPath = conf.ProxyHostPort(p.Worker.URL)
	return r, nil
}

// aliasMatch is mod_proxy's alias_match: the length of uri's prefix
// matched by fake, 0 for no match. A '/' in fake matches one or more '/'
// in uri, and the last segment of fake must end at a segment boundary of
// uri ("/app" matches "/app" and "/app/x", not "/appx").
func aliasMatch(uri, fake string) int {
	a, u := 0, 0
	for a < len(fake) && u < len(uri) {
		if fake[a] == '/' {
			if uri[u] != '/' {
				return 0
			}
			for a < len(fake) && fake[a] == '/' {
				a++
			}
			for u < len(uri) && uri[u] == '/' {
				u++
			}
			continue
		}
		if uri[u] != fake[a] {
			return 0
		}
		a++
		u++
	}
	if u == len(uri) && a != len(fake) {
		return 0
	}
	if a == 0 {
		return 0 // empty fake: Apache reads fake[-1]; never configured
	}
	if fake[a-1] != '/' && u < len(uri) && uri[u] != '/' {
		return 0
	}
	return u
}

// match is ap_proxy_trans_match for one route: ok when the route applies
// to uri (an exclusion applies too, with excluded set); tail is the
// backend path before canonicalization.
func (r *route) match(uri string) (tail string, ok bool) {
	if r.re != nil {
		m := r.re.FindStringSubmatchIndex(uri)
		if m == nil {
			return "", false
		}
		if r.pass.Exclude {
			return "", true
		}
		found := pregsub(r.urlPath, uri, m)
		if found == r.urlPath {
			// No substitution: the whole URI is appended, as Apache does
			// (ProxyPassMatch \.gif balancer://foo).
			return r.urlPath + uri, true
		}
		return found, true
	}
	n := aliasMatch(uri, r.pass.Path)
	if n == 0 {
		return "", false
	}
	if r.pass.Exclude {
		return "", true
	}
	return r.urlPath + uri[n:], true
}

// canonPath is ap_proxy_canonenc(enc_path) for a reverse proxy: '/' is
// kept, alphanumerics and "~$-_.+!*'(),;:@&=" are kept, every other byte
// (a '%' included: the path was decoded before matching) is %XX-encoded.
// Unlike Apache, a run of leading slashes is collapsed into one and a
// leading slash is added when missing, so that the result is always an
// origin-form path that cannot be read as "//authority" or as part of the
// backend's host.
func canonPath(p string) string {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && p[1] == '/') {
		p = "/" + strings.TrimLeft(p, "/")
	}
	if !needsEncoding(p) {
		return p
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(p)+16)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || isPathAllowed(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func needsEncoding(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' && !isPathAllowed(p[i]) {
			return true
		}
	}
	return false
}

func isPathAllowed(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("~$-_.+!*'(),;:@&=", c) >= 0
}

// badQuery reports whether a query string has a control character, a
// space or a byte above 0x7e that is not obs-text... as Apache's
// ap_scan_vchar_obstext: anything that is not VCHAR or obs-text (>= 0x80)
// (AH10408, 403).
func badQuery(q []byte) bool {
	for _, c := range q {
		if c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// pregsub is ap_pregsub (aptext.Pregsub), unbounded.
func pregsub(tmpl, src string, m []int) string {
	s, _ := aptext.Pregsub(tmpl, src, m, 0)
	return s
}
