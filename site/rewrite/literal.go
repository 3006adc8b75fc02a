package rewrite

import "strings"

// literal is a pattern matched without the regexp: a string with the
// anchors '^' and '$' (Apache's front-controller and canonical-host
// rules: "^index\.php$", "^www\.", "."). Only for Match (no captures).
// Case folding (NC) is ASCII's, as PCRE's without UTF mode in Apache
// (Go's (?i) also folds U+212A KELVIN SIGN to 'k' and U+017F to 's').
type literal struct {
	text         string
	start, end   bool // anchored at ^ / at $
	nocase       bool
	anyNonNewine bool // the pattern ".": some byte other than '\n'
}

// compileLiteral returns the literal form of pattern, nil when it has
// anything else than literal characters (ASCII, metacharacters escaped
// with '\') and the two anchors.
func compileLiteral(pattern string, nocase bool) *literal {
	if pattern == "." {
		return &literal{anyNonNewine: true}
	}
	l := &literal{nocase: nocase}
	p := pattern
	if strings.HasPrefix(p, "^") {
		l.start, p = true, p[1:]
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 0x80:
			return nil
		case c == '\\':
			if i+1 >= len(p) {
				return nil
			}
			n := p[i+1]
			if n >= 0x80 || ('a' <= n && n <= 'z') || ('A' <= n && n <= 'Z') || ('0' <= n && n <= '9') {
				return nil // \d, \b, \1, \Q ...
			}
			b.WriteByte(n)
			i++
		case c == '$' && i == len(p)-1:
			l.end = true
		case strings.IndexByte(`^$.[]|()?*+{}`, c) >= 0:
			return nil
		default:
			b.WriteByte(c)
		}
	}
	l.text = b.String()
	return l
}

// match reports whether s matches, as PCRE would ('$' also before a
// final newline).
func (l *literal) match(s string) bool {
	if l.anyNonNewine {
		for i := 0; i < len(s); i++ {
			if s[i] != '\n' {
				return true
			}
		}
		return false
	}
	t := l.text
	eq := func(a string) bool {
		if l.nocase {
			return asciiEqualFold(a, t)
		}
		return a == t
	}
	switch {
	case l.start && l.end:
		return (len(s) == len(t) && eq(s)) || (len(s) == len(t)+1 && s[len(t)] == '\n' && eq(s[:len(t)]))
	case l.start:
		return len(s) >= len(t) && eq(s[:len(t)])
	case l.end:
		if len(s) >= len(t) && eq(s[len(s)-len(t):]) {
			return true
		}
		return len(s) >= len(t)+1 && s[len(s)-1] == '\n' && eq(s[len(s)-1-len(t):len(s)-1])
	}
	if !l.nocase {
		return strings.Contains(s, t)
	}
	for i := 0; i+len(t) <= len(s); i++ {
		if eq(s[i : i+len(t)]) {
			return true
		}
	}
	return false
}

// asciiEqualFold is strings.EqualFold for ASCII letters only.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
