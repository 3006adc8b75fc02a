package alias

import (
	"strconv"
	"strings"

	"github.com/gohttpd/gohttpd/site/internal/aptext"
)

// osEscapePath reports the bytes ap_os_escape_path escapes
// (T_OS_ESCAPE_PATH in gen_test_char.c): everything but letters, digits
// and "$-_.+!*'(),:;@&=/~".
var osEscapePath = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		t[c] = !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' ||
			strings.IndexByte("$-_.+!*'(),:;@&=/~", b) >= 0)
	}
	return
}()

// appendEscapePath appends s escaped as ap_os_escape_path(p, s, 1)
// (ap_escape_uri): %xx with lower-case hex digits.
func appendEscapePath(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if osEscapePath[c] {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// EscapePath is ap_escape_uri: s with every byte outside letters, digits
// and "$-_.+!*'(),:;@&=/~" as %xx (lower-case hex, as Apache).
func EscapePath(s string) string {
	for i := 0; i < len(s); i++ {
		if osEscapePath[s[i]] {
			return string(appendEscapePath(make([]byte, 0, len(s)+8), s))
		}
	}
	return s
}

// maxSubst is AP_PREGSUB_MAXLEN (HUGE_STRING_LEN * 8): a longer
// substitution fails (AH00672).
const maxSubst = 8192 * 8

// defaultPorts is apr_uri_port_of_scheme's table.
var defaultPorts = map[string]int{
	"http": 80, "ftp": 21, "https": 443, "gopher": 70, "ldap": 389, "nntp": 119,
	"snews": 563, "imap": 143, "pop": 110, "sip": 5060, "rtsp": 554, "wais": 210,
	"z39.50r": 210, "z39.50s": 210, "prospero": 191, "nfs": 2049, "tip": 3372,
	"acap": 674, "telnet": 23, "ssh": 22,
}

// escapeTarget is what mod_alias does to a substituted RedirectMatch
// target and a one-argument Redirect: apr_uri_parse, apr_uri_unparse
// without query and fragment (a default port dropped, a password shown as
// XXXXXXXX), ap_escape_uri on that, then "?query" and "#fragment" as they
// were.
func escapeTarget(s string) string {
	rest := s
	var scheme, query, fragment string
	var hasQuery, hasFragment bool
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		fragment, hasFragment = rest[i+1:], true
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		query, hasQuery = rest[i+1:], true
		rest = rest[:i]
	}
	// A scheme: letters, digits, '+', '-', '.' before ':' (and not empty).
	if i := strings.IndexByte(rest, ':'); i > 0 {
		ok := true
		for j := 0; j < i; j++ {
			c := rest[j]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '-' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			scheme, rest = rest[:i], rest[i+1:]
		}
	}
	var out []byte
	if scheme != "" {
		out = append(out, scheme...)
		out = append(out, ':')
	}
	if strings.HasPrefix(rest, "//") {
		auth := rest[2:]
		path := ""
		if i := strings.IndexByte(auth, '/'); i >= 0 {
			auth, path = auth[:i], auth[i:]
		}
		user, host := "", auth
		hasUser := false
		if i := strings.LastIndexByte(auth, '@'); i >= 0 {
			user, host, hasUser = auth[:i], auth[i+1:], true
		}
		port := ""
		hostOnly := host
		if strings.HasPrefix(host, "[") {
			if i := strings.IndexByte(host, ']'); i >= 0 {
				hostOnly = host[:i+1]
				if strings.HasPrefix(host[i+1:], ":") {
					port = host[i+2:]
				}
			}
		} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
			hostOnly, port = host[:i], host[i+1:]
		}
		out = append(out, "//"...)
		if hasUser {
			u, _, hasPw := strings.Cut(user, ":")
			out = append(out, u...)
			if hasPw {
				out = append(out, ":XXXXXXXX"...)
			}
			out = append(out, '@')
		}
		out = append(out, hostOnly...)
		if p, err := strconv.Atoi(port); port != "" && err == nil && p != 0 && p != defaultPorts[strings.ToLower(scheme)] {
			out = append(out, ':')
			out = append(out, port...)
		}
		rest = path
	}
	out = append(out, rest...)
	esc := appendEscapePath(make([]byte, 0, len(out)+len(query)+len(fragment)+8), string(out))
	if hasQuery {
		esc = append(esc, '?')
		esc = append(esc, query...)
	}
	if hasFragment {
		esc = append(esc, '#')
		esc = append(esc, fragment...)
	}
	return string(esc)
}

// pregsub is ap_pregsub bounded by maxSubst (aptext.Pregsub).
func pregsub(template, src string, m []int) (string, bool) {
	return aptext.Pregsub(template, src, m, maxSubst)
}
