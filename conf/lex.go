package conf

import "strings"

// logicalLine is one configuration line after joining continuations.
type logicalLine struct {
	text string // trimmed; never empty, never a comment
	num  int    // physical line number where the line starts (1-based)
}

// isSpace is C's isspace in the "C" locale, as apr_isspace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// trimSpace removes leading and trailing isSpace bytes (cfg_trim_line).
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// logicalLines splits data into Apache configuration lines
// (ap_varbuf_cfg_getline): a backslash right before the newline (or
// "\r\n") joins the next physical line, with the backslash removed and
// nothing inserted; lines are trimmed; blank lines and lines whose first
// non-blank byte is '#' are dropped. As in Apache, the continuation is
// honoured before the comment test, so a comment ending in a backslash
// swallows the next line.
func logicalLines(data []byte) []logicalLine {
	var out []logicalLine
	var buf strings.Builder
	start, num := 0, 0
	pending := false
	rest := string(data)
	for len(rest) > 0 {
		num++
		var phys string
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			phys, rest = rest[:i], rest[i+1:]
		} else {
			phys, rest = rest, ""
		}
		phys = strings.TrimSuffix(phys, "\r")
		if !pending {
			start = num
		}
		if strings.HasSuffix(phys, "\\") {
			buf.WriteString(phys[:len(phys)-1])
			pending = true
			continue
		}
		buf.WriteString(phys)
		pending = false
		out = appendLine(out, buf.String(), start)
		buf.Reset()
	}
	if pending {
		out = appendLine(out, buf.String(), start)
	}
	return out
}

func appendLine(out []logicalLine, text string, num int) []logicalLine {
	text = trimSpace(text)
	if text == "" || text[0] == '#' {
		return out
	}
	return append(out, logicalLine{text: text, num: num})
}

// getWord returns the next word of s and the rest, as ap_getword_conf: a
// word is either a run of non-blank bytes, or a string in double or single
// quotes in which a backslash escapes the quote character or a backslash;
// elsewhere a backslash only escapes another backslash. An unterminated
// quote runs to the end of the line. At the end of s the word is "".
func getWord(s string) (word, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	s = s[i:]
	if s == "" {
		return "", ""
	}
	var end int
	if q := s[0]; q == '"' || q == '\'' {
		end = 1
		for end < len(s) && s[end] != q {
			if s[end] == '\\' && end+1 < len(s) && (s[end+1] == q || s[end+1] == '\\') {
				end += 2
			} else {
				end++
			}
		}
		word = unescape(s[1:end], q)
		if end < len(s) {
			end++ // closing quote
		}
	} else {
		for end < len(s) && !isSpace(s[end]) {
			end++
		}
		word = unescape(s[:end], 0)
	}
	rest = s[end:]
	i = 0
	for i < len(rest) && isSpace(rest[i]) {
		i++
	}
	return word, rest[i:]
}

// unescape is substring_conf: "\\" becomes "\" and, inside quotes,
// "\<quote>" becomes the quote.
func unescape(s string, quote byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// tokenize splits an argument string into words with getWord. Empty quoted
// words ("") are kept, so arity checks can reject them as Apache does.
func tokenize(s string) []string {
	var words []string
	for {
		s = trimSpace(s)
		if s == "" {
			return words
		}
		var w string
		w, s = getWord(s)
		words = append(words, w)
	}
}

// splitOutsideQuotes splits s at sep bytes that are not inside single or
// double quotes (used for multi-valued GOHTTPD_* variables). Empty pieces
// are dropped.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\' && i+1 < len(s):
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == sep:
			if p := trimSpace(s[start:i]); p != "" {
				parts = append(parts, p)
			}
			start = i + 1
		}
	}
	if p := trimSpace(s[start:]); p != "" {
		parts = append(parts, p)
	}
	return parts
}
