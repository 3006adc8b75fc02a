// Package logescape escapes text for the logs and the status page the way
// Apache does: ap_escape_logitem (access log, status page) and
// ap_escape_errorlog_item (error log, which leaves '"' alone).
package logescape

const hexDigits = "0123456789abcdef"

// Append appends s to dst with '\' (and, if quote, '"') preceded by a
// backslash, \b \n \r \t \v as C escapes, and every other byte outside
// printable ASCII as \xhh.
func Append[T string | []byte](dst []byte, s T, quote bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' && (c != '"' || !quote) {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\v':
			dst = append(dst, '\\', 'v')
		default:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return append(dst, s[start:]...)
}

// String is ap_escape_logitem: s itself when nothing needs escaping.
func String(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return string(Append(make([]byte, 0, len(s)+8), s, true))
		}
	}
	return s
}
