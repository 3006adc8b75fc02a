package event

import (
	"bytes"
	"io"
	"os"
)

// Header and body of a file response in one segment.
//
// fasthttp writes the head of a response whose body is a file of more than
// 8 KB on its own (it flushes its buffer so that the body can go out with
// ReadFrom, i.e. sendfile). On a socket with TCP_NODELAY that head leaves
// as a segment of its own, a few hundred bytes followed by the body: one
// more packet, and one more wake-up of the client, per response. nginx
// avoids it with TCP_NOPUSH/TCP_CORK (two setsockopt calls per response);
// the shim writes such a head with send(2) and MSG_MORE instead, which
// costs nothing: the kernel holds the bytes until the sendfile(2) that
// follows, whose last piece is sent without MSG_MORE and pushes both out
// together.

// smallFileMax is fasthttp's maxSmallFileSize: a file body longer than
// this is written after the head is flushed.
const smallFileMax = 2 * 4096

// fsReader is what fasthttp.FS's file readers (and site's ranged readers
// over them) implement.
type fsReader interface {
	UpdateByteRange(startPos, endPos int) error
}

// filer is a body over a file that fasthttp sends with ReadFrom
// (site/compress.Body).
type filer interface {
	File() *os.File
}

// headerMore reports whether p, about to be written, ends with the head of
// the response being written whose body is a file that fasthttp sends next
// with ReadFrom. Only then may p be held back for the body.
func (s *shim) headerMore(p []byte) bool {
	if !bytes.HasSuffix(p, crlfcrlf) || s.job != nil || s.c.tls != nil || s.w == nil || s.w.l.Ctx == nil {
		return false
	}
	resp := &s.w.l.Ctx.Response
	if sc := resp.StatusCode(); resp.SkipBody || sc < 200 || sc == 204 || sc == 304 ||
		!resp.IsBodyStream() || resp.Header.ContentLength() <= smallFileMax {
		return false
	}
	return isFileBody(resp.BodyStream())
}

var crlfcrlf = []byte("\r\n\r\n")

// isFileBody reports whether r is a body fasthttp sends from a file.
func isFileBody(r io.Reader) bool {
	if f, _ := fileOf(r); f != nil {
		return true
	}
	switch r.(type) {
	case fsReader, filer:
		return true
	}
	return false
}

// writeMore is write(2), or send(2) with MSG_MORE when more is set, on
// the connection's non-blocking socket (rawio_linux.go).
func writeMore(fd int, p []byte, more bool) (int, error) {
	return rawSend(fd, p, more)
}
