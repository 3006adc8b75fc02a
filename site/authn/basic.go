package authn

import "bytes"

// BasicResult is what ParseBasic found in an Authorization header.
type BasicResult uint8

const (
	// BasicMissing: no Authorization header. Apache answers 401 and logs
	// nothing.
	BasicMissing BasicResult = iota
	// BasicWrongScheme: a scheme other than Basic. Apache answers 401 and
	// logs AH01614 ("client used wrong authentication scheme: /uri").
	BasicWrongScheme
	// BasicOK: credentials decoded (perhaps empty or garbage: Apache
	// decodes leniently and lets the password check fail).
	BasicOK
)

// ParseBasic decodes an Authorization header value the way
// mod_auth_basic's get_basic_auth does: the first blank-separated word must
// be "Basic" (any case), blanks and tabs after it are skipped, the rest is
// decoded with apr_base64_decode's leniency (decoding stops at the first
// byte outside the base64 alphabet, padding is not required), the result
// ends at its first NUL byte (it is a C string), and the user name is what
// comes before the first ':' (all of it when there is none; the password
// is then empty).
//
// present is false when the request had no Authorization header at all.
// user and pass are new strings (they outlive the request buffer).
func ParseBasic(header []byte, present bool) (user, pass string, res BasicResult) {
	if !present {
		return "", "", BasicMissing
	}
	// ap_getword(r->pool, &auth_line, ' '): the word, then every ' '.
	i := bytes.IndexByte(header, ' ')
	word, rest := header, []byte(nil)
	if i >= 0 {
		word, rest = header[:i], header[i:]
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
		}
	}
	if !equalFoldASCII(word, "Basic") {
		return "", "", BasicWrongScheme
	}
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	dec := decodeBase64Lenient(rest)
	if j := bytes.IndexByte(dec, 0); j >= 0 {
		dec = dec[:j]
	}
	u, p, _ := bytes.Cut(dec, []byte{':'})
	return string(u), string(p), BasicOK
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lowerASCII(b[i]) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// b64val maps a byte to its base64 value, or 64 outside the alphabet
// (apr's pr2six table).
var b64val = func() (t [256]byte) {
	for i := range t {
		t[i] = 64
	}
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alpha); i++ {
		t[alpha[i]] = byte(i)
	}
	return t
}()

// decodeBase64Lenient is apr_base64_decode_binary: it decodes the leading
// run of alphabet bytes and ignores the rest; a final lone sextet is
// dropped.
func decodeBase64Lenient(in []byte) []byte {
	n := 0
	for n < len(in) && b64val[in[n]] < 64 {
		n++
	}
	in = in[:n]
	out := make([]byte, 0, (n+3)/4*3)
	for len(in) > 4 {
		a, b, c, d := b64val[in[0]], b64val[in[1]], b64val[in[2]], b64val[in[3]]
		out = append(out, a<<2|b>>4, b<<4|c>>2, c<<6|d)
		in = in[4:]
	}
	if len(in) > 1 {
		out = append(out, b64val[in[0]]<<2|b64val[in[1]]>>4)
	}
	if len(in) > 2 {
		out = append(out, b64val[in[1]]<<4|b64val[in[2]]>>2)
	}
	if len(in) > 3 {
		out = append(out, b64val[in[2]]<<6|b64val[in[3]])
	}
	return out
}
