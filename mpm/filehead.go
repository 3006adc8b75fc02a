package mpm

import (
	"bytes"
	"io"
	"os"

	"github.com/valyala/fasthttp"
)

// Header and body of a file response in one segment (prefork, worker).
//
// fasthttp writes the head of a response whose body is a file of more than
// 8 KB on its own (it flushes its buffer so that the body goes out with
// ReadFrom, i.e. sendfile). On a socket with TCP_NODELAY that head leaves
// as a segment of its own before the body: one more packet and one more
// wake-up of the client per response. nginx avoids it with
// TCP_NOPUSH/TCP_CORK (two setsockopt calls per response); here Track's
// handler marks the connection when the response is such a file, and the
// Conn writes the head that follows with send(2) and MSG_MORE, so that the
// kernel holds it until the sendfile(2) whose last piece pushes both out.
// The event engine does the same in its shim (mpm/event/more_linux.go).

// smallFileMax is fasthttp's maxSmallFileSize: a file body longer than
// this is written after the head is flushed.
const smallFileMax = 2 * 4096

// markFileHead records on ctx's connection whether the response about to
// be written is a file body sent after its head (see above).
func markFileHead(ctx *fasthttp.RequestCtx) {
	c, ok := ctx.Conn().(*Conn)
	if !ok {
		return
	}
	resp := &ctx.Response
	sc := resp.StatusCode() // 1xx, 204 and 304 have no body
	c.fileHead = !ctx.IsHead() && !resp.SkipBody && sc >= 200 && sc != 204 && sc != 304 && resp.IsBodyStream() &&
		resp.Header.ContentLength() > smallFileMax && IsFileBody(resp.BodyStream())
}

// writeHead writes p, the first write after the handler of a file
// response: with MSG_MORE when it ends with the head.
func (c *Conn) writeHead(p []byte) (int, error) {
	c.fileHead = false
	if !bytes.HasSuffix(p, crlfcrlf) {
		return c.TCPConn.Write(p)
	}
	return sendMore(c.TCPConn, p)
}

var crlfcrlf = []byte("\r\n\r\n")

// IsFileBody reports whether r is a response body fasthttp sends from a
// file with ReadFrom: an *os.File, an *io.LimitedReader over one,
// fasthttp.FS's readers (which have UpdateByteRange), or a body that
// exposes its file (site/compress.Body).
func IsFileBody(r io.Reader) bool {
	switch r := r.(type) {
	case *os.File:
		return true
	case *io.LimitedReader:
		_, ok := r.R.(*os.File)
		return ok
	case interface {
		UpdateByteRange(startPos, endPos int) error
	}:
		return true
	case interface{ File() *os.File }:
		return true
	}
	return false
}
