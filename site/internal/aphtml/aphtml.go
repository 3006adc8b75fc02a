// Package aphtml holds Apache's HTML escaping (ap_escape_html), shared by
// the site packages that write Apache's pages byte for byte: listings
// (autoindex) and canned error documents (errordoc). It escapes <, >, &
// and " and nothing else: Apache leaves ' alone, unlike html.EscapeString.
package aphtml

// Append appends s to dst with <, >, & and " as entities.
func Append[T string | []byte](dst []byte, s T) []byte {
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
