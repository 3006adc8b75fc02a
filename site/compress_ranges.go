package site

import (
	"os"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/site/compress"
)

// codedRanges applies a Range header to a compressed static response
// whose body is b. Apache's byterange filter runs after the compressors,
// so ranges are ranges of the coded bytes: one narrows b (serveRange),
// several give a multipart/byteranges body read from the coded file
// (Apache 2.4.71: "Range: bytes=10-20,30-40" with gzip gives 206
// multipart/byteranges of the gzip bytes).
func (s *Site) codedRanges(ctx *fasthttp.RequestCtx, v *vserver, name []byte, b *compress.Body, val *validators) {
	header := ctx.Request.Header.PeekCanonical(hdrRange)
	if !strings.Contains(b2s(header), ",") {
		s.serveRange(ctx, v, name, b.Size(), val)
		return
	}
	if !ctx.IsGet() && !ctx.IsHead() {
		return
	}
	if ir := ctx.Request.Header.PeekCanonical(hdrIfRange); len(ir) > 0 && !ifRangeMatches(ir, val) {
		return
	}
	var buf [4]byteRange
	ranges, res := parseRanges(buf[:0], header, b.Size())
	switch {
	case res == rangeIgnore:
		return
	case res == rangeUnsatisfiable || len(ranges) < 2:
		// None satisfiable, or one left after merging: as serveRange.
		s.serveRange(ctx, v, name, b.Size(), val)
		return
	}
	// The response's body stream (b) is closed when it is replaced: the
	// multipart body reads its own descriptor of the same cached file.
	f, err := os.Open(b.File().Name())
	if err != nil {
		return
	}
	if st, err := f.Stat(); err != nil || st.Size() != b.Size() {
		_ = f.Close() // replaced in the cache meanwhile: the whole body
		return
	}
	h := &ctx.Response.Header
	body, n, boundary := newMultipartBody(f, ranges, b.Size(), string(h.ContentType()))
	ctx.Response.SetBodyStream(body, int(n))
	h.SetContentType("multipart/byteranges; boundary=" + boundary)
	ctx.Response.SetStatusCode(fasthttp.StatusPartialContent)
}
