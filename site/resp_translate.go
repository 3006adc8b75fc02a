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

// respErrorDoc says how a local ErrorDocument bears on respFinish: inner
// is true while the error document's own request runs (its response
// will carry the error status: no Expires), outer once it has answered
// (that request's phases made the response: nothing more to add).
func respErrorDoc(ctx *fasthttp.RequestCtx) (inner, outer bool) {
	_, inner = ctx.UserValue(errDocKey{}).(int)
	return inner, !inner && ctx.UserValue(errDocServedKey{}) != nil
}
