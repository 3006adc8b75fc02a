package rewrite

import (
	"net"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// RequestHeaders reads the headers of a fasthttp request without
// copying them.
type RequestHeaders struct{ H *fasthttp.RequestHeader }

// Header returns the header's value (its first line) and whether it is
// there. The value points into the request buffer.
func (h RequestHeaders) Header(name string) (string, bool) {
	if h.H == nil {
		return "", false
	}
	var v []byte
	if name == "Host" {
		v = h.H.Host() // what Peek gives, without normalizing the name
	} else {
		v = h.H.Peek(name)
	}
	if v == nil {
		return "", false
	}
	return b2s(v), true
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// FromRequestCtx fills the fields of req that a fasthttp request gives:
// Method, Protocol and Headers at once; TheRequest, RemoteAddr/RemotePort
// and ConnRemoteAddr (the TCP peer) and ServerAddr when a rule first
// reads them (they cost allocations most rule sets never need). The
// site fills URI, Query, Scheme, ServerName, ServerPort, DocumentRoot,
// Env, FS and the per-directory fields. Strings point into ctx's
// buffers: req must not outlive the handler call. Call it only when a
// Ruleset is Active.
func FromRequestCtx(ctx *fasthttp.RequestCtx, req *Request) {
	req.Method = b2s(ctx.Method())
	req.Protocol = b2s(ctx.Request.Header.Protocol())
	req.ctx = ctx
	req.Headers = RequestHeaders{&ctx.Request.Header}
}

// connVars fills the fields FromRequestCtx left for later, once.
func (req *Request) connVars() {
	ctx := req.ctx
	if ctx == nil {
		return
	}
	req.ctx = nil
	req.TheRequest = req.Method + " " + string(ctx.RequestURI()) + " " + req.Protocol
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		req.RemoteAddr = a.IP.String()
		req.RemotePort = a.Port
		req.ConnRemoteAddr = req.RemoteAddr
	}
	if a, ok := ctx.LocalAddr().(*net.TCPAddr); ok {
		req.ServerAddr = a.IP.String()
	}
}
