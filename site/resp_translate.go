package site

import (
	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/site/accesslog"
	"github.com/gohttpd/gohttpd/site/headers"
)

// respTranslated gives an answer of the translate phase (a server's
// Redirect, RewriteRule [R], [F], [G]) what Apache's insert_error_filter
// hooks give it: the "Header always" lines and, below 400, mod_expires'
// headers (Apache adds Expires to a redirect, not to an error), from the
// server's configuration (the request has no directory yet).
func (s *Site) respTranslated(ctx *fasthttp.RequestCtx, v *vserver) {
	rs := v.rs
	if rs == nil || !rs.phases || stateOf(ctx) != nil {
		return
	}
	rc := v.trivialValue.resp
	if rc == nil || !rc.phases {
		return
	}
	st := respStates.Get().(*respState)
	ctx.SetUserValue(respKey{}, st) // respRelease returns it
	ctx.SetUserValue(accesslog.EnvKey, &st.env)
	st.errPage = true
	s.respFinish(ctx, rc, st, &headers.Vars{Env: &st.env, Request: &ctx.Request.Header, Start: ctx.Time()})
}

// inErrDoc reports whether a local ErrorDocument's own request is
// running: its response will carry the error status, so no Expires.
func inErrDoc(ctx *fasthttp.RequestCtx) bool {
	_, ok := ctx.UserValue(errDocKey{}).(int)
	return ok
}

// errDocAnswered reports whether a local ErrorDocument's request made
// the response (with its own phases): the original request, an error
// page, adds nothing.
func errDocAnswered(ctx *fasthttp.RequestCtx) bool {
	return !inErrDoc(ctx) && ctx.UserValue(errDocServedKey{}) != nil
}
