package site

import (
	"bytes"
	"log/slog"
	"math"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// limits are the LimitRequest* directives; a value ≤ 0 means no limit.
type limits struct {
	line      int   // LimitRequestLine
	fieldSize int   // LimitRequestFieldSize
	fields    int   // LimitRequestFields
	body      int64 // LimitRequestBody
}

func newLimits(h *conf.HTTPConfig) limits {
	return limits{
		line:      h.LimitRequestLine,
		fieldSize: h.LimitRequestFieldSize,
		fields:    h.LimitRequestFields,
		body:      h.LimitRequestBody,
	}
}

// Bounds of the per-connection read buffer that fasthttp also uses as the
// largest request header block it accepts.
const (
	minReadBuffer = 4096
	maxReadBuffer = 1 << 20
)

// readBufferSize is fasthttp's ReadBufferSize for these limits: room for a
// request line of LimitRequestLine, one field of LimitRequestFieldSize and
// 4 KiB of ordinary fields, rounded up to 4 KiB (20 KiB with Apache's
// defaults). A request line or field just over its limit therefore still
// arrives whole and gets Apache's answer (414, or 400 with Apache's note)
// from checkLimits; a header block larger than the buffer is refused by
// fasthttp and mapped by Site.handleError.
func (l limits) readBufferSize() int {
	line, field := l.line, l.fieldSize
	if line <= 0 {
		line = 8190
	}
	if field <= 0 {
		field = 8190
	}
	n := line + 2 + field + 2 + 4096
	n = (n + 4095) &^ 4095
	return min(max(n, minReadBuffer), maxReadBuffer)
}

// maxBody is fasthttp's MaxRequestBodySize for LimitRequestBody, where 0
// means unlimited (fasthttp reads ≤ 0 as its 4 MiB default).
func (l limits) maxBody() int {
	if l.body <= 0 || l.body > math.MaxInt {
		return math.MaxInt
	}
	return int(l.body)
}

// checkLimits applies LimitRequestLine (414) and LimitRequestFieldSize and
// LimitRequestFields (400 with Apache's note) to a request fasthttp has
// read, in Apache's order: the request line first, then each field as it
// came. It reports whether it answered the request.
func (s *Site) checkLimits(ctx *fasthttp.RequestCtx) bool {
	h := &ctx.Request.Header
	if s.lim.line > 0 {
		if n := len(h.Method()) + 1 + len(h.RequestURI()) + 1 + len(h.Protocol()); n > s.lim.line {
			s.logf(ctx, slog.LevelInfo, "AH00565: request failed: URI too long (longer than %d)", s.lim.line)
			s.sendError(ctx, fasthttp.StatusRequestURITooLong, "")
			return true
		}
	}
	if s.lim.fieldSize <= 0 && s.lim.fields <= 0 {
		return false
	}
	raw := h.RawHeaders()
	count := 0
	for len(raw) > 0 {
		var line []byte
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			line, raw = raw, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		if s.lim.fieldSize > 0 && len(line) > s.lim.fieldSize {
			name := line
			if i := bytes.IndexByte(line, ':'); i >= 0 {
				name = line[:i]
			}
			s.logf(ctx, slog.LevelInfo, "AH00561: Request header exceeds LimitRequestFieldSize: %.80s", name)
			s.sendError(ctx, fasthttp.StatusBadRequest, noteFieldSize)
			return true
		}
		count++
		if s.lim.fields > 0 && count > s.lim.fields {
			s.logf(ctx, slog.LevelInfo, "AH00563: Request header exceeds LimitRequestFields")
			s.sendError(ctx, fasthttp.StatusBadRequest, noteFields)
			return true
		}
	}
	return false
}

// checkPath refuses request paths Apache refuses before mapping them to
// files, looking at the raw path (fasthttp's ctx.Path() has already
// decoded and normalised it): a bad %-escape or a path that does not start
// with "/" (400), %2F (404: AllowEncodedSlashes Off), %00 (404), and dot
// segments that climb above the root, also when written %2e (400). OPTIONS
// * is answered here. It reports whether it answered the request.
func (s *Site) checkPath(ctx *fasthttp.RequestCtx) bool {
	if s.expectFailed(ctx) {
		return true
	}
	if uri := ctx.Request.Header.RequestURI(); len(uri) == 1 && uri[0] == '*' {
		// fasthttp admits "*" only with OPTIONS; Apache's answer has
		// no Allow.
		s.options(ctx)
		ctx.Response.Header.Del(fasthttp.HeaderAllow)
		return true
	}
	if ctx.IsConnect() {
		// Not a proxy: Apache's default handler refuses the method.
		s.sendMethodError(ctx, fasthttp.StatusMethodNotAllowed, allowStatic)
		return true
	}
	p := ctx.URI().PathOriginal()
	if len(p) == 0 {
		if uri := ctx.Request.Header.RequestURI(); len(uri) > 0 && uri[0] != '/' {
			// An absolute-form target with an empty path ("http://x?a"):
			// the path is "/" (RFC 9110 §4.2.3).
			p = []byte{'/'}
		}
	}
	status, why := validatePath(p)
	if status == 0 {
		return false
	}
	s.logf(ctx, slog.LevelInfo, why, p)
	s.sendError(ctx, status, "")
	return true
}

// validatePath checks a raw request path (no query). It returns 0, or the
// status to answer with and a log message with one %q verb for the path.
func validatePath(p []byte) (status int, why string) {
	if len(p) == 0 || p[0] != '/' {
		return fasthttp.StatusBadRequest, "AH10244: invalid URI path (%q)"
	}
	depth := 0
	segLen, dots := 0, 0 // length of the current segment, and how many of its bytes are '.'
	endSegment := func() bool {
		switch {
		case segLen == 2 && dots == 2:
			depth--
			if depth < 0 {
				return false
			}
		case segLen == 1 && dots == 1, segLen == 0:
		default:
			depth++
		}
		segLen, dots = 0, 0
		return true
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c == 0 { // fasthttp refuses control bytes already; never pass one on
			return fasthttp.StatusBadRequest, "AH10244: invalid URI path (%q)"
		}
		if c == '%' {
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return fasthttp.StatusBadRequest, "bad %%-escape in URI path (%q)"
			}
			c = unhex(p[i+1])<<4 | unhex(p[i+2])
			i += 2
			switch c {
			case '/':
				return fasthttp.StatusNotFound, "AH00026: found %%2f (encoded '/') in URI path (%q), returning 404"
			case 0:
				return fasthttp.StatusNotFound, "found %%00 (encoded NUL) in URI path (%q), returning 404"
			}
		}
		if c == '/' {
			if !endSegment() {
				return fasthttp.StatusBadRequest, "AH10244: invalid URI path (%q)"
			}
			continue
		}
		segLen++
		if c == '.' {
			dots++
		}
	}
	if !endSegment() {
		return fasthttp.StatusBadRequest, "AH10244: invalid URI path (%q)"
	}
	return 0, ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
