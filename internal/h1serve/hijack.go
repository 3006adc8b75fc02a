package h1serve

import (
	"io"
	"net"
	"reflect"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// A handler hijacks a connection with RequestCtx.Hijack, which keeps the
// HijackHandler in an unexported field that only fasthttp.Server reads
// (RequestCtx has Hijacked but no getter). The loop finds the field by
// reflection once; TestHijackFields fails if a fasthttp upgrade renames or
// retypes it, and hijackFields then stays false: a hijacking handler's
// response is written and the HijackHandler never runs.
var hijackFields, hijackOff, noResponseOff = func() (bool, uintptr, uintptr) {
	t := reflect.TypeFor[fasthttp.RequestCtx]()
	h, ok1 := t.FieldByName("hijackHandler")
	nr, ok2 := t.FieldByName("hijackNoResponse")
	if !ok1 || !ok2 || h.Type != reflect.TypeFor[fasthttp.HijackHandler]() || nr.Type != reflect.TypeFor[bool]() {
		return false, 0, 0
	}
	return true, h.Offset, nr.Offset
}()

// takeHijack returns and clears the HijackHandler the handler registered,
// and whether it asked for no response (HijackSetNoResponse).
func takeHijack(ctx *fasthttp.RequestCtx) (fasthttp.HijackHandler, bool) {
	if !ctx.Hijacked() || !hijackFields {
		return nil, false
	}
	hp := (*fasthttp.HijackHandler)(unsafe.Add(unsafe.Pointer(ctx), hijackOff))
	np := (*bool)(unsafe.Add(unsafe.Pointer(ctx), noResponseOff))
	h, nr := *hp, *np
	*hp, *np = nil, false
	return h, nr
}

// HijackedConn is the net.Conn a HijackHandler gets: the connection, read
// through the bytes the loop had already buffered.
type HijackedConn struct {
	net.Conn
	R io.Reader
}

func (c *HijackedConn) Read(p []byte) (int, error) { return c.R.Read(p) }
