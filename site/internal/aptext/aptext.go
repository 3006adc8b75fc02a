// Package aptext holds small text routines of Apache's that several site
// packages need byte for byte: ap_escape_html (listings, canned error
// documents) and ap_pregsub (the $N substitutions of RedirectMatch,
// Header edit, SetEnvIf and ProxyPassMatch).
package aptext

import "strings"

// AppendHTML is ap_escape_html: it appends s to dst with <, >, & and " as
// entities, and nothing else (Apache leaves ' alone, unlike
// html.EscapeString).
func AppendHTML[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// Pregsub is ap_pregsub: $0..$9 in tmpl become the groups of the match m
// in src (indices as FindStringSubmatchIndex gives them; a group that did
// not take part is nothing) and a backslash keeps the next byte as it is.
// With limit > 0, ok is false when the result would reach limit bytes
// (AP_PREGSUB_MAXLEN: the caller fails as Apache does, AH00672).
func Pregsub(tmpl, src string, m []int, limit int) (s string, ok bool) {
	if !strings.ContainsAny(tmpl, `$\`) {
		return tmpl, limit <= 0 || len(tmpl) < limit
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9' {
			n := int(tmpl[i+1] - '0')
			i++
			if 2*n+1 < len(m) && m[2*n] >= 0 && m[2*n] < m[2*n+1] {
				b.WriteString(src[m[2*n]:m[2*n+1]])
			}
		} else {
			if c == '\\' && i+1 < len(tmpl) {
				i++
				c = tmpl[i]
			}
			b.WriteByte(c)
		}
		if limit > 0 && b.Len() >= limit {
			return "", false
		}
	}
	return b.String(), true
}

// Strcasecmp is C's strcasecmp as Apache calls it (ASCII folding,
// unsigned bytes, a prefix before the longer string): mod_autoindex's
// name sort and mod_rewrite's RewriteCond comparisons with [NC].
func Strcasecmp(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := asciiLower(a[i]), asciiLower(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
