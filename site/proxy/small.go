package proxy

import (
	"bytes"
	"io"
	"sync"

	"github.com/valyala/fasthttp"
)

// smallBody is the largest body (by Content-Length) read whole into the
// client's response before it is written, as nginx reads a small answer
// into its proxy buffer: the backend connection goes back to the pool at
// once, before the client takes the response, and the response is sent
// from memory (no stream, no copy buffer, no allocation). Larger bodies
// and bodies without a length are streamed.
const smallBody = 8 << 10

var smallBufs = sync.Pool{New: func() any { b := make([]byte, smallBody+1); return &b }}

// readSmall reads a body of n (<= smallBody) bytes from the backend's
// stream into ctx.Response and releases resp (and with it the backend
// connection). On a read error it returns false with resp.BodyStream
// replaced by one that gives what was read and then the error, so that
// the response goes out cut short, and AH01110 is logged, as for a
// streamed body.
func readSmall(ctx *fasthttp.RequestCtx, resp *fasthttp.Response, stream io.Reader, n int) bool {
	bp := smallBufs.Get().(*[]byte)
	buf := (*bp)[:n+1] // one byte more: the read that reports EOF
	got := 0
	var err error
	for err == nil {
		var k int
		k, err = stream.Read(buf[got:])
		got += k
		if got == len(buf) && err == nil {
			err = io.ErrUnexpectedEOF // more than Content-Length: cannot be
		}
	}
	if err == io.EOF && got == n {
		ctx.Response.AppendBody(buf[:got])
		smallBufs.Put(bp)
		_ = resp.CloseBodyStream() // read to EOF: the connection is pooled
		fasthttp.ReleaseResponse(resp)
		return true
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	// The head goes out before the body fails, as it does for a streamed
	// body (and in Apache, which passes the head with the first bytes).
	ctx.Response.ImmediateHeaderFlush = true
	partial := bytes.Clone(buf[:got])
	smallBufs.Put(bp)
	resp.SetBodyStream(io.MultiReader(bytes.NewReader(partial), errReader{err}), -1)
	return false
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
