package accesslog

import (
	"bytes"

	"github.com/valyala/fasthttp"
)

// rawKey is the user value SetRawRequest stores under.
type rawKey struct{}

// rawRequest is the request line as received, for a request that could
// not be read or an HTTP/0.9 one.
type rawRequest struct {
	line   []byte
	http09 bool
}

// SetRawRequest records that the request in ctx could not be read and
// what its request line was as received (nil when none came): %r then
// logs that line escaped, or "-", and %m %U %q %H log its parts, or "-",
// instead of the defaults fasthttp's empty request holds ("GET", "/",
// "HTTP/1.1"), as Apache logs r->the_request. line must stay valid until
// the log line is written.
func SetRawRequest(ctx *fasthttp.RequestCtx, line []byte) {
	ctx.SetUserValue(rawKey{}, rawRequest{line: line})
}

// SetHTTP09 records that the request in ctx was an HTTP/0.9 one, whose
// request line was line ("GET /path"): %r logs that line and %H
// "HTTP/0.9", as Apache does; fasthttp read it as HTTP/1.0.
func SetHTTP09(ctx *fasthttp.RequestCtx, line []byte) {
	ctx.SetUserValue(rawKey{}, rawRequest{line: line, http09: true})
}

// rawOf returns the raw request recorded for ctx. Only error responses and
// HTTP/0.9 requests (read as HTTP/1.0) can have one, so the common case
// costs two comparisons.
func rawOf(ctx *fasthttp.RequestCtx) (rawRequest, bool) {
	if ctx.Response.StatusCode() < 400 && ctx.Request.Header.IsHTTP11() {
		return rawRequest{}, false
	}
	r, ok := ctx.UserValue(rawKey{}).(rawRequest)
	return r, ok
}

// parts splits the line as Apache's request-line parser does, on single
// spaces: method, target (path and query) and protocol; missing parts are
// empty.
func (r rawRequest) parts() (method, path, query, proto []byte) {
	l := r.line
	sp := bytes.IndexByte(l, ' ')
	if sp < 0 {
		return nil, nil, nil, nil
	}
	method, l = l[:sp], l[sp+1:]
	target := l
	if sp = bytes.IndexByte(l, ' '); sp >= 0 {
		target, proto = l[:sp], l[sp+1:]
	}
	path = target
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		path, query = target[:q], target[q+1:]
	}
	if i := bytes.Index(path, []byte("://")); i > 0 && path[0] != '/' {
		// Absolute form: the path after the authority (Apache's
		// r->parsed_uri.path), "/" when empty.
		path = path[i+3:]
		if j := bytes.IndexByte(path, '/'); j >= 0 {
			path = path[j:]
		} else {
			path = []byte{'/'}
		}
	}
	if h := bytes.IndexByte(query, '#'); h >= 0 {
		query = query[:h]
	}
	return method, path, query, proto
}
