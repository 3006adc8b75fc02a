package event

import "github.com/valyala/fasthttp"

// segment is one piece of deferred output: bytes, or n bytes of a file
// from offset off (file is then a descriptor the segment owns).
type segment struct {
	b     []byte
	file  int
	off   int64
	n     int64
	owned bool // b was copied for the job (it may grow)
	// plain: b or the file holds plaintext of a TLS connection, which a
	// worker encrypts when the loop reaches it (tls_write_linux.go).
	plain bool
}

// writeJob is the rest of a response that the loop finishes on EPOLLOUT
// (Apache's write completion), so a slow reader holds no worker. It may
// refer to the response body (holdsCtx: the RequestCtx goes back to the
// pool only when the job ends) and owns duplicates of the files it sends.
type writeJob struct {
	segs     []segment
	copied   int
	holdsCtx bool
	ctx      *fasthttp.RequestCtx
	// keepAlive: park the connection when the job is done, else close it
	// (lingering close).
	keepAlive bool
}
