package site

import (
	"log/slog"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/site/errordoc"
)

var hdrExpect = []byte(fasthttp.HeaderExpect)

// expectFailed answers 417 Expectation Failed to an Expect header other
// than 100-continue (any case), as Apache's ap_read_request does
// (AH00570), with its page quoting the header. It reports whether it
// answered.
func (s *Site) expectFailed(ctx *fasthttp.RequestCtx) bool {
	e := ctx.Request.Header.PeekCanonical(hdrExpect)
	if len(e) == 0 || strings.EqualFold(b2s(e), "100-continue") {
		return false
	}
	s.logf(ctx, slog.LevelInfo, "AH00570: client sent an unrecognized expectation value of Expect: %s", e)
	v := s.serverOf(ctx)
	markErrorPage(ctx)
	ctx.Response.Reset()
	ctx.Response.SetStatusCode(fasthttp.StatusExpectationFailed)
	ctx.Response.Header.SetContentType(errorContentType)
	page := errordoc.Page{Doctype: errordoc.DoctypeHTML401, ServerAdmin: v.pages.admin}
	ctx.Response.SetBodyRaw(page.Append(make([]byte, 0, 512), &errordoc.PageInfo{
		Status: fasthttp.StatusExpectationFailed, Expect: string(e)}))
	return true
}
