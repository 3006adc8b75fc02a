package autoindex

// strcmpMatch is Apache's ap_strcmp_match (or ap_strcasecmp_match with
// fold): '*' matches any run of bytes, '?' one byte. It returns 0 for a
// match, as Apache, 1 or -1 otherwise (-1 aborts the '*' search).
func strcmpMatch(str, exp string, fold bool) int {
	x, y := 0, 0
	for ; y < len(exp); y, x = y+1, x+1 {
		if exp[y] == '*' {
			for y < len(exp) && exp[y] == '*' {
				y++
			}
			if y == len(exp) {
				return 0
			}
			for x < len(str) {
				if ret := strcmpMatch(str[x:], exp[y:], fold); ret != 1 {
					return ret
				}
				x++
			}
			return -1
		}
		if x >= len(str) {
			return -1
		}
		if exp[y] != '?' {
			a, b := str[x], exp[y]
			if fold {
				a, b = lower(a), lower(b)
			}
			if a != b {
				return 1
			}
		}
	}
	if x < len(str) {
		return 1
	}
	return 0
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// fnmatch flags (apr_fnmatch's APR_FNM_NOESCAPE and APR_FNM_PERIOD).
const (
	fnmNoEscape = 1 << iota
	fnmPeriod
)

// fnmatch is apr_fnmatch without APR_FNM_PATHNAME ('/' is an ordinary
// byte): '*', '?', bracket expressions with '!' or '^' negation and
// ranges, '\' escapes unless fnmNoEscape, and with fnmPeriod a leading
// '.' only matched by a literal '.'. It reports a match. Patterns come
// from clients (P=), so it backtracks only to the last '*' (as APR's
// matcher does): O(len(pattern) * len(s)), never exponential.
func fnmatch(p, s string, flags int) bool {
	period := flags&fnmPeriod != 0 && len(s) > 0 && s[0] == '.'
	px, sx := 0, 0
	starP, starS := -1, 0
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				if sx == 0 && period {
					return false
				}
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(s) && !(sx == 0 && period) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) && !(sx == 0 && period) {
					ok, n := bracket(p[px:], s[sx], flags)
					if n == 0 { // no closing ']': a literal '['
						ok, n = s[sx] == '[', 1
					}
					if ok {
						px += n
						sx++
						continue
					}
				}
			default:
				n := 1
				if c == '\\' && flags&fnmNoEscape == 0 && px+1 < len(p) {
					c, n = p[px+1], 2
				}
				if sx < len(s) && s[sx] == c {
					px += n
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			starS++
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	return true
}

// bracket matches c against the bracket expression at the start of p and
// returns the expression's length, 0 when it is not closed.
func bracket(p string, c byte, flags int) (bool, int) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	matched := false
	first := true
	for i < len(p) {
		lo := p[i]
		if lo == ']' && !first {
			return matched != neg, i + 1
		}
		first = false
		if lo == '\\' && flags&fnmNoEscape == 0 && i+1 < len(p) {
			i++
			lo = p[i]
		}
		i++
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi = p[i+1]
			i += 2
			if hi == '\\' && flags&fnmNoEscape == 0 && i < len(p) {
				hi = p[i]
				i++
			}
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return false, 0
}

// natcmp is APR's apr_strnatcmp (fold: apr_strnatcasecmp), Martin Pool's
// natural order: runs of digits compare as numbers (right-aligned, or
// left-aligned when one starts with '0'), spaces are skipped, and other
// bytes compare as C's signed char, so bytes from 0x80 up sort before
// ASCII (as Apache's VersionSort listings show).
func natcmp(a, b string, fold bool) int {
	ai, bi := 0, 0
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for {
		ca, cb := at(a, ai), at(b, bi)
		for isSpace(ca) {
			ai++
			ca = at(a, ai)
		}
		for isSpace(cb) {
			bi++
			cb = at(b, bi)
		}
		if isDigit(ca) && isDigit(cb) {
			var r int
			if ca == '0' || cb == '0' {
				r = compareLeft(a[ai:], b[bi:])
			} else {
				r = compareRight(a[ai:], b[bi:])
			}
			if r != 0 {
				return r
			}
		}
		if ca == 0 && cb == 0 {
			return 0
		}
		if fold {
			ca, cb = upper(ca), upper(cb)
		}
		if int8(ca) < int8(cb) {
			return -1
		}
		if int8(ca) > int8(cb) {
			return 1
		}
		ai++
		bi++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitAt(s string, i int) (byte, bool) {
	if i < len(s) && isDigit(s[i]) {
		return s[i], true
	}
	return 0, false
}

func compareRight(a, b string) int {
	bias := 0
	for i := 0; ; i++ {
		ca, da := digitAt(a, i)
		cb, db := digitAt(b, i)
		switch {
		case !da && !db:
			return bias
		case !da:
			return -1
		case !db:
			return 1
		case ca < cb:
			if bias == 0 {
				bias = -1
			}
		case ca > cb:
			if bias == 0 {
				bias = 1
			}
		}
	}
}

func compareLeft(a, b string) int {
	for i := 0; ; i++ {
		ca, da := digitAt(a, i)
		cb, db := digitAt(b, i)
		switch {
		case !da && !db:
			return 0
		case !da:
			return -1
		case !db:
			return 1
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
	}
}
