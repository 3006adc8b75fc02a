package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrMalformed is wrapped by every error about a response that is not
// valid HTTP/1.x.
var ErrMalformed = errors.New("load: malformed response")

// maxInformational bounds the 1xx responses skipped before a final one.
const maxInformational = 8

// response is what the reader keeps of one response.
type response struct {
	status int
	// body counts the body bytes; size counts every byte of the response.
	body, size int64
	// close reports that the server will close the connection after it
	// (Connection: close, HTTP/1.0 without keep-alive, or a body delimited
	// by the end of the connection).
	close bool
}

// respReader reads HTTP/1.x responses from rd through one fixed buffer.
// It keeps the header bytes of the response being read only until the next
// read, and never the body: it is allocation-free after newRespReader.
type respReader struct {
	rd   io.Reader
	buf  []byte
	r, w int
	// started reports that a byte of the current response has arrived, so
	// a failure after it cannot be retried.
	started bool
	// h describes the body of the response whose head was read last.
	h head
}

func newRespReader(rd io.Reader, size int) *respReader {
	return &respReader{rd: rd, buf: make([]byte, size)}
}

// reset drops buffered bytes and reads from rd from now on.
func (rr *respReader) reset(rd io.Reader) {
	rr.rd, rr.r, rr.w, rr.started = rd, 0, 0, false
}

// fill reads more bytes after the buffered ones, first moving them to the
// start of the buffer. It fails when the buffer is full.
func (rr *respReader) fill() error {
	if rr.r > 0 {
		n := copy(rr.buf, rr.buf[rr.r:rr.w])
		rr.r, rr.w = 0, n
	}
	if rr.w == len(rr.buf) {
		return fmt.Errorf("%w: a header or chunk line is longer than %d bytes", ErrMalformed, len(rr.buf))
	}
	for range 100 { // a reader returning 0, nil is broken; do not spin on it
		n, err := rr.rd.Read(rr.buf[rr.w:])
		if n > 0 {
			rr.w += n
			rr.started = true
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// next reads one whole final response (skipping 1xx ones) into resp.
func (rr *respReader) next(resp *response) error {
	rr.started = rr.w > rr.r
	*resp = response{}
	for range maxInformational + 1 {
		if err := rr.readHead(resp); err != nil {
			return err
		}
		if resp.status >= 200 {
			return rr.readBody(resp)
		}
	}
	return fmt.Errorf("%w: more than %d informational responses", ErrMalformed, maxInformational)
}

// head is what readHead learns about the body.
type head struct {
	contentLength int64 // -1: none
	chunked       bool
}

// readHead reads a status line and headers, up to the empty line.
func (rr *respReader) readHead(resp *response) error {
	scanned := 0
	for {
		if i := bytes.Index(rr.buf[rr.r+scanned:rr.w], crlfcrlf); i >= 0 {
			end := rr.r + scanned + i + len(crlfcrlf)
			h, err := parseHead(rr.buf[rr.r:end], resp)
			if err != nil {
				return err
			}
			resp.size += int64(end - rr.r)
			rr.r = end
			rr.h = h
			return nil
		}
		if n := rr.w - rr.r; n > len(crlfcrlf) {
			scanned = n - len(crlfcrlf) + 1
		}
		if err := rr.fill(); err != nil {
			if err == io.EOF && rr.w > rr.r {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
}

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
)

// parseHead parses a response head that ends with an empty line and
// records the status and the connection's fate in resp.
func parseHead(b []byte, resp *response) (head, error) {
	h := head{contentLength: -1}
	line, rest, _ := bytes.Cut(b, crlf)
	// "HTTP/1.1 200 OK": the version, a space, three digits, then a space
	// or the end of the line.
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return h, fmt.Errorf("%w: status line %q", ErrMalformed, truncate(line))
	}
	minor := line[7]
	if minor != '0' && minor != '1' {
		return h, fmt.Errorf("%w: version in %q", ErrMalformed, truncate(line))
	}
	status := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return h, fmt.Errorf("%w: status code in %q", ErrMalformed, truncate(line))
		}
		status = status*10 + int(c-'0')
	}
	if status < 100 {
		return h, fmt.Errorf("%w: status code in %q", ErrMalformed, truncate(line))
	}
	resp.status = status
	keepAlive := minor == '1'
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, crlf)
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 {
			return h, fmt.Errorf("%w: header line %q", ErrMalformed, truncate(line))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := parseLength(value)
			if err != nil {
				return h, err
			}
			if h.contentLength >= 0 && h.contentLength != n {
				return h, fmt.Errorf("%w: two different Content-Length headers", ErrMalformed)
			}
			h.contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if containsToken(value, "chunked") {
				h.chunked = true
			}
		case bytes.EqualFold(name, []byte("Connection")):
			if containsToken(value, "close") {
				resp.close = true
			}
			if containsToken(value, "keep-alive") {
				keepAlive = true
			}
		}
	}
	if !keepAlive {
		resp.close = true
	}
	return h, nil
}

// parseLength parses a Content-Length value: decimal digits, at most 18.
func parseLength(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 18 {
		return 0, fmt.Errorf("%w: Content-Length %q", ErrMalformed, truncate(v))
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: Content-Length %q", ErrMalformed, truncate(v))
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// containsToken reports whether the comma-separated list v holds tok
// (ASCII case-insensitive).
func containsToken(v []byte, tok string) bool {
	for part := range bytes.SplitSeq(v, []byte(",")) {
		if bytes.EqualFold(bytes.TrimSpace(part), []byte(tok)) {
			return true
		}
	}
	return false
}

// readBody consumes the body of the response whose head was just read.
func (rr *respReader) readBody(resp *response) error {
	h := rr.h
	switch {
	case resp.status == 204 || resp.status == 304:
		return nil
	case h.chunked:
		return rr.readChunked(resp)
	case h.contentLength >= 0:
		return rr.skip(resp, h.contentLength)
	default: // delimited by the end of the connection
		resp.close = true
		err := rr.skip(resp, -1)
		if err == io.EOF {
			return nil
		}
		return err
	}
}

// skip consumes n body bytes (n < 0: up to EOF, which it returns).
func (rr *respReader) skip(resp *response, n int64) error {
	for n != 0 {
		if rr.w == rr.r {
			rr.r, rr.w = 0, 0
			if err := rr.fill(); err != nil {
				if err == io.EOF && n > 0 {
					return io.ErrUnexpectedEOF
				}
				return err
			}
		}
		k := int64(rr.w - rr.r)
		if n >= 0 && k > n {
			k = n
		}
		rr.r += int(k)
		resp.body += k
		resp.size += k
		if n > 0 {
			n -= k
		}
	}
	return nil
}

// maxChunks bounds the chunks of one body, so a hostile stream of empty
// extensions cannot keep a worker forever.
const maxChunks = 1 << 20

// readChunked consumes a chunked body and its trailers.
func (rr *respReader) readChunked(resp *response) error {
	for range maxChunks {
		line, err := rr.line(resp)
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimSpace(line)
		size, err := parseHex(line)
		if err != nil {
			return err
		}
		if size == 0 {
			for range maxChunks { // trailers up to the empty line
				t, err := rr.line(resp)
				if err != nil {
					return err
				}
				if len(t) == 0 {
					return nil
				}
			}
			return fmt.Errorf("%w: too many trailer lines", ErrMalformed)
		}
		if err := rr.skip(resp, size); err != nil {
			return err
		}
		t, err := rr.line(resp)
		if err != nil {
			return err
		}
		if len(t) != 0 {
			return fmt.Errorf("%w: chunk data longer than its size", ErrMalformed)
		}
	}
	return fmt.Errorf("%w: more than %d chunks", ErrMalformed, maxChunks)
}

// line returns the next CRLF-terminated line without its CRLF; it is valid
// until the next read.
func (rr *respReader) line(resp *response) ([]byte, error) {
	for {
		if i := bytes.Index(rr.buf[rr.r:rr.w], crlf); i >= 0 {
			l := rr.buf[rr.r : rr.r+i]
			rr.r += i + len(crlf)
			resp.size += int64(i + len(crlf))
			return l, nil
		}
		if err := rr.fill(); err != nil {
			if err == io.EOF {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// parseHex parses a chunk size: 1 to 15 hex digits.
func parseHex(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 15 {
		return 0, fmt.Errorf("%w: chunk size %q", ErrMalformed, truncate(v))
	}
	var n int64
	for _, c := range v {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("%w: chunk size %q", ErrMalformed, truncate(v))
		}
		n = n<<4 | int64(d)
	}
	return n, nil
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}
