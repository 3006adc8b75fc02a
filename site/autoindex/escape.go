package autoindex

import (
	"time"

	"github.com/gohttpd/gohttpd/site/internal/aptext"
)

// appendHTML is ap_escape_html: <, >, & and " become entities.
func appendHTML(dst []byte, s string) []byte { return aptext.AppendHTML(dst, s) }

// appendHTMLBytes is appendHTML for a byte slice.
func appendHTMLBytes(dst, s []byte) []byte { return aptext.AppendHTML(dst, s) }

// pathSafe marks the bytes ap_os_escape_path leaves alone (gen_test_char.c:
// alphanumerics and "$-_.+!*'(),:;@&=/~").
var pathSafe = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range []byte("$-_.+!*'(),:;@&=/~") {
		t[c] = true
	}
	return t
}()

const lowerHex = "0123456789abcdef"

// appendOSPath is ap_os_escape_path: other bytes become %xx (lower-case
// hex, Apache's c2x), and unless partial a name with a ':' before any '/'
// gets "./" in front, so that it is not read as a URL scheme.
func appendOSPath(dst []byte, s string, partial bool) []byte {
	if !partial {
		for i := 0; i < len(s) && s[i] != '/'; i++ {
			if s[i] == ':' {
				dst = append(dst, "./"...)
				break
			}
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pathSafe[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', lowerHex[c>>4], lowerHex[c&15])
		}
	}
	return dst
}

// unescapeURL is ap_unescape_url: %xx decoded; a bad escape, or a decoded
// '/' or NUL, is an error.
func unescapeURL(s string) (string, bool) {
	if indexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	ok := true
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			ok = false
			b = append(b, '%')
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if c == '/' || c == 0 {
			ok = false
		}
		b = append(b, c)
		i += 2
	}
	return string(b), ok
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// appendSize is apr_strfsize: four columns, "  - " for no size.
func appendSize(dst []byte, size int64) []byte {
	const ord = "KMGTPE"
	if size < 0 {
		return append(dst, "  - "...)
	}
	if size < 973 {
		return appendPadded(dst, size, 3, ' ')
	}
	o := 0
	for {
		remain := size & 1023
		size >>= 10
		if size >= 973 {
			o++
			continue
		}
		if size < 9 || (size == 9 && remain < 973) {
			if remain = (remain*5 + 256) / 512; remain >= 10 {
				size++
				remain = 0
			}
			dst = appendPadded(dst, size, 1, 0)
			return append(dst, '.', byte('0'+remain), ord[o])
		}
		if remain >= 512 {
			size++
		}
		dst = appendPadded(dst, size, 3, 0)
		return append(dst, ord[o])
	}
}

// appendPadded writes n right-aligned in width columns ("%3d"), followed
// by tail unless tail is 0.
func appendPadded(dst []byte, n int64, width int, tail byte) []byte {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	for pad := width - (len(buf) - i); pad > 0; pad-- {
		dst = append(dst, ' ')
	}
	dst = append(dst, buf[i:]...)
	if tail != 0 {
		dst = append(dst, tail)
	}
	return dst
}

// appendTime formats an mtime as apr_strftime with mod_autoindex's
// formats: "%Y-%m-%d %H:%M" or, with UseOldDateFormat, "%d-%b-%Y %H:%M".
func appendTime(dst []byte, t time.Time, old bool) []byte {
	two := func(dst []byte, n int) []byte { return append(dst, byte('0'+n/10%10), byte('0'+n%10)) }
	y, m, d := t.Date()
	if old {
		dst = two(dst, d)
		dst = append(dst, '-')
		dst = append(dst, m.String()[:3]...)
		dst = append(dst, '-')
	}
	dst = appendPadded(dst, int64(y), 0, 0)
	if !old {
		dst = append(dst, '-')
		dst = two(dst, int(m))
		dst = append(dst, '-')
		dst = two(dst, d)
	}
	dst = append(dst, ' ')
	dst = two(dst, t.Hour())
	dst = append(dst, ':')
	return two(dst, t.Minute())
}
