// Package h1 checks HTTP/1.1 request framing and syntax as the bytes
// arrive, before fasthttp parses them (Apache's HttpProtocolOptions).
//
// fasthttp tolerates or normalises much of what RFC 9110/9112 forbid
// (obs-fold, bare LF, whitespace in chunk sizes, ...) and keeps no raw
// request line, so a Validator sits between the connection and fasthttp's
// bufio.Reader: it passes bytes through unchanged and follows each request
// from its request line through its header block and body (Content-Length
// or chunked) to the next one (pipelining). On the first violation it
// stops passing bytes and every later Read returns an *Error carrying the
// status to answer with, so fasthttp never sees a complete request that
// breaks the rules and ends the connection through its ErrorHandler. The
// Validator also keeps the raw request line of the current request, which
// the access log writes for requests that could not be read.
//
// The hot path is one bytes.IndexByte per line plus a table lookup per
// byte of the request line and header fields; body bytes of known length
// are skipped without being looked at. A Validator allocates nothing once
// its two line buffers have grown to the lines it sees.
package h1

import (
	"bytes"
	"encoding/binary"
	"io"
)

// Options are the HttpProtocolOptions settings and the request limits.
type Options struct {
	// Unsafe relaxes the syntax checks (HttpProtocolOptions Unsafe): only
	// the framing (Content-Length, Transfer-Encoding, chunked bodies) and
	// the limits are enforced. The default, Strict, refuses with 400
	// whatever RFC 9110/9112 do not allow.
	Unsafe bool
	// RegisteredMethods answers 501 to methods Apache has not registered
	// (HttpProtocolOptions RegisteredMethods); the default, LenientMethods,
	// accepts any token.
	RegisteredMethods bool
	// Require10 refuses HTTP/0.9 requests (HttpProtocolOptions
	// Require1.0); the default is Allow0.9.
	Require10 bool
	// MaxLine is LimitRequestLine (414 past it), MaxField
	// LimitRequestFieldSize (400), MaxFields LimitRequestFields (400).
	// Zero or less means Apache's defaults: 8190, 8190, 100.
	MaxLine, MaxField, MaxFields int
}

// Error is a protocol violation: the status to answer with and the reason
// for the error log.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return "bad request framing: " + e.Reason }

// Statuses an Error may carry.
const (
	StatusBadRequest     = 400
	StatusURITooLong     = 414
	StatusNotImplemented = 501
	StatusVersion        = 505
)

func bad(reason string) *Error { return &Error{Status: StatusBadRequest, Reason: reason} }

// The violations, allocated once.
var (
	errBareLF       = bad("line not terminated by CRLF (bare LF)")
	errBareCR       = bad("CR not followed by LF")
	errBlankLines   = bad("too many empty lines before the request line")
	errMethod       = bad("invalid method token")
	errRequestLine  = bad("malformed request line")
	errVersion      = bad("malformed HTTP version")
	errVersion0     = bad("HTTP version below 1.0")
	errVersion2     = &Error{Status: StatusVersion, Reason: "HTTP major version not supported on an HTTP/1 connection"}
	errHTTP09       = bad("HTTP/0.9 request cut between CR and LF")
	errHTTP09Method = bad("HTTP/0.9 request with a method other than GET")
	// is09 is not a violation: it tells scan that an HTTP/0.9 request
	// line ended (Allow0.9).
	is09              = &Error{Reason: "HTTP/0.9 request"}
	errHTTP09Refused  = bad("HTTP/0.9 request refused by HttpProtocolOptions Require1.0")
	errUnregistered   = &Error{Status: StatusNotImplemented, Reason: "method not registered (HttpProtocolOptions RegisteredMethods)"}
	errTargetChar     = bad("invalid character in request target")
	errTargetEscape   = bad("invalid %-escape in request target")
	errFragment       = bad("fragment in request target")
	errTargetForm     = bad("invalid request target form")
	errAsterisk       = bad("asterisk-form target without OPTIONS")
	errUserinfo       = bad("userinfo in absolute-form request target")
	errTargetHost     = bad("invalid host in request target")
	errLineTooLong    = &Error{Status: StatusURITooLong, Reason: "request line longer than LimitRequestLine"}
	errFieldTooLong   = bad("header field longer than LimitRequestFieldSize")
	errTooManyFields  = bad("more header fields than LimitRequestFields")
	errObsFold        = bad("obsolete line folding (obs-fold) in header field")
	errFieldName      = bad("invalid header field name (whitespace or non-token byte)")
	errFieldValue     = bad("control byte in header field value")
	errNoHost         = bad("HTTP/1.1 request without Host")
	errManyHosts      = bad("more than one Host header field")
	errHost           = bad("invalid Host header field value")
	errHostMismatch   = bad("Host header field disagrees with the absolute-form target")
	errCL             = bad("invalid Content-Length")
	errManyCL         = bad("more than one Content-Length")
	errCLAndTE        = bad("both Content-Length and Transfer-Encoding")
	errTE10           = bad("Transfer-Encoding in an HTTP/1.0 request")
	errTENotChunked   = bad("Transfer-Encoding without chunked as the final coding")
	errTEDup          = bad("chunked applied more than once")
	errTEEmpty        = bad("empty Transfer-Encoding")
	errTEUnknown      = &Error{Status: StatusNotImplemented, Reason: "unsupported transfer coding"}
	errChunkSize      = bad("invalid chunk size line")
	errChunkOverflow  = bad("chunk size overflow")
	errChunkExt       = bad("invalid chunk extension")
	errChunkEnd       = bad("chunk data not followed by CRLF")
	errTrailerTooLong = bad("trailer field longer than LimitRequestFieldSize")
)

// The errors over LimitRequestFieldSize and LimitRequestFields, whose
// 400 pages carry Apache's error notes (site/server.go).
var (
	ErrFieldTooLong  = errFieldTooLong
	ErrTooManyFields = errTooManyFields
)

// States of the scan.
const (
	stLine      uint8 = iota // request line (or empty lines before it)
	stField                  // header field lines
	stBody                   // Content-Length body bytes
	stChunkSize              // chunk-size line
	stChunkData              // chunk data
	stChunkCR                // CR after chunk data
	stChunkLF                // LF after chunk data
	stTrailer                // trailer field lines
)

// Target forms.
const (
	formOrigin uint8 = iota
	formAbsolute
	formAuthority
	formAsterisk
)

// maxBlankLines is how many empty lines may precede a request line
// (Apache's DEFAULT_LIMIT_BLANK_LINES).
const maxBlankLines = 10

// Validator follows the requests on one connection. The zero value is
// ready for a connection with Apache's default options; Reset readies it
// for another connection. It is not safe for concurrent use.
type Validator struct {
	opt Options
	err *Error

	state uint8
	// fresh: no byte of the current request has been seen yet.
	fresh bool
	// lineDone: reqLine holds the whole request line.
	lineDone   bool
	methodDone bool
	form       uint8
	http10     bool
	nHost      uint8
	clSeen     bool
	teSeen     bool
	teChunked  uint8 // how many times chunked was listed
	teLast     bool  // chunked is the last coding so far
	teOther    bool  // a coding other than chunked came before
	blank      uint8
	fields     int
	remain     int64 // body or chunk bytes left
	cl         int64

	done int // requests read whole on this connection

	// http09: the request was an HTTP/0.9 one (Allow0.9): after its
	// line, Read passes inject (the rest of an HTTP/1.0 request line and
	// an empty header block, so that fasthttp reads it), then the end of
	// the input; the response goes out without its head (Strip09).
	http09 bool
	lineCR bool // the request line ended with CRLF
	// heldCR: a read ended with a CR in the request line, which Read
	// passes with the next read, so that the CR of an HTTP/0.9 line can
	// still be left out.
	heldCR, crWasHeld bool
	crEnds            bool  // the line's CR came before this read
	headSeen          uint8 // how much of the response head's CRLFCRLF Strip09 saw
	inject            []byte

	reqLine []byte // the raw request line (without CRLF) of the current request
	buf     []byte // a field or chunk line split across reads
}

// New returns a Validator for opt.
func New(opt Options) *Validator {
	v := &Validator{}
	v.SetOptions(opt)
	return v
}

// SetOptions sets the options and resets v.
func (v *Validator) SetOptions(opt Options) {
	if opt.MaxLine <= 0 {
		opt.MaxLine = 8190
	}
	if opt.MaxField <= 0 {
		opt.MaxField = 8190
	}
	if opt.MaxFields <= 0 {
		opt.MaxFields = 100
	}
	v.opt = opt
	v.Reset()
}

// Reset readies v for a new connection, keeping its options and buffers.
func (v *Validator) Reset() {
	if v.opt.MaxLine == 0 {
		v.SetOptions(v.opt)
		return
	}
	v.err = nil
	v.done = 0
	v.http09, v.inject, v.headSeen, v.heldCR = false, nil, 0, false
	v.reqLine = v.reqLine[:0]
	v.lineDone = false
	v.nextRequest()
}

// endRequest counts a request read whole and readies v for the next.
func (v *Validator) endRequest() {
	v.done++
	v.nextRequest()
}

// Requests returns how many requests were read whole on the connection.
func (v *Validator) Requests() int { return v.done }

// nextRequest readies v for the next request on the connection.
func (v *Validator) nextRequest() {
	v.state = stLine
	v.fresh = true
	v.blank = 0
	v.buf = v.buf[:0]
}

// Err returns the violation found on the connection, or nil.
func (v *Validator) Err() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// RequestLine returns the raw request line of the request being read or
// served (without its line end; as far as it came if it did not end),
// or nil if none began. It is valid until the next Read.
func (v *Validator) RequestLine() []byte {
	if v.fresh && !v.lineDone {
		return nil
	}
	if len(v.reqLine) > v.opt.MaxLine {
		return v.reqLine[:v.opt.MaxLine]
	}
	return v.reqLine
}

// AtBoundary reports whether every byte v has seen belongs to a request
// that was read whole: the connection may be parked with no state.
func (v *Validator) AtBoundary() bool {
	return v.err == nil && v.state == stLine && v.fresh
}

// Read reads from r into p and checks what came. Bytes up to a violation
// are returned as read; after it, Read returns the *Error and reads no
// more.
func (v *Validator) Read(r io.Reader, p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.http09 {
		if len(v.inject) == 0 {
			return 0, io.EOF
		}
		n := copy(p, v.inject)
		v.inject = v.inject[n:]
		return n, nil
	}
	if v.heldCR && len(p) > 1 {
		return v.readAfterCR(r, p)
	}
	if v.heldCR {
		v.heldCR = false
		p[0] = '\r'
		return 1, nil
	}
	n, err := r.Read(p)
	if n > 0 {
		m, verr := v.scan(p[:n])
		if verr != nil {
			v.err = verr
			if m > 0 {
				return m, nil
			}
			return 0, verr
		}
		if v.http09 {
			if m == 0 {
				return v.Read(r, p)
			}
			return m, nil
		}
		if m < n { // a CR held back; an error comes again next time
			return m, nil
		}
	}
	return n, err
}

// readAfterCR reads into p[1:] and passes the held CR in p[0] with it,
// or leaves it out if it ended an HTTP/0.9 request line.
func (v *Validator) readAfterCR(r io.Reader, p []byte) (int, error) {
	n, err := r.Read(p[1:])
	if n == 0 {
		// Nothing more (the end of the input, a timeout): pass the CR;
		// the next read gets the error again.
		v.heldCR = false
		p[0] = '\r'
		return 1, nil
	}
	v.heldCR, v.crWasHeld = false, true
	m, verr := v.scan(p[1 : 1+n])
	v.crWasHeld = false
	if v.http09 && v.lineCR && v.crEnds {
		return v.Read(r, p) // the held CR ended the line: leave it out
	}
	p[0] = '\r'
	if verr != nil {
		v.err = verr
		return 1 + m, nil
	}
	return 1 + m, err
}

// http10Suffix completes an HTTP/0.9 request line for fasthttp.
var http10Suffix = []byte(" HTTP/1.0\r\n\r\n")

// HTTP09 reports whether the connection carries an HTTP/0.9 request.
func (v *Validator) HTTP09() bool { return v.http09 }

// Strip09 returns what of p, the next bytes of the response, an HTTP/0.9
// client gets: everything after the head (status line and fields), as
// Apache answers HTTP/0.9 requests with the body alone.
func (v *Validator) Strip09(p []byte) []byte {
	const end = "\r\n\r\n"
	if v.headSeen == 4 {
		return p
	}
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == end[v.headSeen]:
			v.headSeen++
		case p[i] == '\r':
			v.headSeen = 1
		default:
			v.headSeen = 0
		}
		if v.headSeen == 4 {
			return p[i+1:]
		}
	}
	return nil
}

// Check checks p as the next bytes of the stream and returns how many of
// them may be passed on, and the violation found, if any (sticky, like
// Read's). It is Read without the reading: a CR that Read would hold back
// at the end of p, and the bytes Read injects for HTTP/0.9, are not
// accounted for.
func (v *Validator) Check(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	m, verr := v.scan(p)
	if verr != nil {
		v.err = verr
		return m, verr
	}
	return m, nil
}

// scan checks p. On a violation it returns how many bytes of p may still
// be passed: those before the line that broke the rules, but at least
// the first byte of a request, so that fasthttp reports the error (it
// closes silently when a keep-alive connection fails before the first
// byte of a request).
func (v *Validator) scan(p []byte) (int, *Error) {
	reqOff := -1 // where the current request began in p
	if v.fresh {
		reqOff = 0
	}
	cut := func(pos int, e *Error) (int, *Error) {
		switch {
		case reqOff < 0:
		case pos <= reqOff && p[reqOff] != '\r' && p[reqOff] != '\n':
			pos = reqOff + 1
		case len(bytes.Trim(p[reqOff:min(pos+1, len(p))], "\r\n")) == 0:
			// fasthttp takes a stream of only CR and LF for the end of
			// the input: pass none of the request, so that a first
			// request fails with the error rather than silently.
			pos = reqOff
		}
		return pos, e
	}
	i := 0
	for i < len(p) {
		switch v.state {
		case stBody, stChunkData:
			k := int64(len(p) - i)
			if k < v.remain {
				v.remain -= k
				i = len(p)
				continue
			}
			i += int(v.remain)
			v.remain = 0
			if v.state == stBody {
				v.endRequest()
				reqOff = i
			} else {
				v.state = stChunkCR
			}
		case stChunkCR:
			if p[i] != '\r' {
				return cut(i, errChunkEnd)
			}
			i++
			v.state = stChunkLF
		case stChunkLF:
			if p[i] != '\n' {
				return cut(i, errChunkEnd)
			}
			i++
			v.state = stChunkSize
		case stLine:
			if v.fresh {
				v.fresh = false
				v.lineDone = false
				v.methodDone = false
				v.reqLine = v.reqLine[:0]
				reqOff = i
			}
			rest := p[i:]
			j := bytes.IndexByte(rest, '\n')
			seg := rest
			if j >= 0 {
				seg = rest[:j]
			}
			room := max(v.opt.MaxLine+1-len(v.reqLine), 0)
			if !v.methodDone {
				// Refuse garbage (a TLS ClientHello, binary) at once rather
				// than wait for a line end that may never come.
				for k, c := range seg[:min(len(seg), room)] {
					if c == ' ' {
						v.methodDone = true
						break
					}
					if !isTchar(c) && !(c == '\r' && len(v.reqLine)+k == 0) {
						// Keep what came of the line for the log.
						if j >= 0 {
							seg = bytes.TrimSuffix(seg, []byte{'\r'})
						}
						v.reqLine = append(v.reqLine, seg[:min(len(seg), max(v.opt.MaxLine-len(v.reqLine), 0))]...)
						v.lineDone = true
						return cut(i+k, errMethod)
					}
				}
			}
			if len(seg) > room {
				v.reqLine = append(v.reqLine, seg[:room]...)
				return cut(i+room, errLineTooLong)
			}
			v.reqLine = append(v.reqLine, seg...)
			if j < 0 {
				if seg[len(seg)-1] == '\r' {
					v.heldCR = true
					return len(p) - 1, nil
				}
				i = len(p)
				continue
			}
			if e := v.requestLine(); e == is09 {
				// Pass the line up to the end of its target (its CR, if
				// any, must not have been passed yet), then the
				// injected rest of an HTTP/1.0 request; drop the rest.
				keep := i + j
				if v.lineCR && j > 0 {
					keep--
				}
				v.crEnds = j == 0
				if keep < i || (v.lineCR && j == 0 && !v.crWasHeld) {
					v.http09 = false
					return cut(i+j, errHTTP09)
				}
				v.inject = http10Suffix
				v.done++
				return keep, nil
			} else if e != nil {
				return cut(i+j, e)
			}
			i += j + 1
		default: // stField, stChunkSize, stTrailer
			rest := p[i:]
			j := bytes.IndexByte(rest, '\n')
			seg := rest
			if j >= 0 {
				seg = rest[:j]
			}
			if limit := v.opt.MaxField + 1; len(v.buf)+len(seg) > limit {
				return cut(i+max(limit-len(v.buf), 0), v.tooLong())
			}
			if j < 0 {
				v.buf = append(v.buf, rest...)
				i = len(p)
				continue
			}
			line := seg
			if len(v.buf) > 0 {
				v.buf = append(v.buf, line...)
				line = v.buf
			}
			var e *Error
			switch v.state {
			case stField:
				e = v.fieldLine(line)
			case stChunkSize:
				e = v.chunkLine(line)
			default:
				e = v.trailerLine(line)
			}
			if e != nil {
				return cut(i+j, e)
			}
			v.buf = v.buf[:0]
			i += j + 1
			if v.state == stLine {
				reqOff = i
			}
		}
	}
	return len(p), nil
}

func (v *Validator) tooLong() *Error {
	if v.state == stTrailer {
		return errTrailerTooLong
	}
	return errFieldTooLong
}

// endLine strips the line end: CRLF, or (Unsafe) a bare LF. A CR
// elsewhere is refused in Strict mode.
func (v *Validator) endLine(line []byte) ([]byte, *Error) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	} else if !v.opt.Unsafe {
		return nil, errBareLF
	}
	if !v.opt.Unsafe && bytes.IndexByte(line, '\r') >= 0 {
		return nil, errBareCR
	}
	return line, nil
}

// requestLine checks the request line in v.reqLine (LF excluded).
func (v *Validator) requestLine() *Error {
	v.lineCR = len(v.reqLine) > 0 && v.reqLine[len(v.reqLine)-1] == '\r'
	line, e := v.endLine(v.reqLine)
	if e != nil {
		v.lineDone = true
		return e
	}
	if len(line) == 0 {
		// An empty line before the request (RFC 9112 §2.2).
		v.blank++
		if v.blank > maxBlankLines {
			return errBlankLines
		}
		v.reqLine = v.reqLine[:0]
		v.methodDone = false
		return nil
	}
	v.reqLine = line
	v.lineDone = true
	v.state = stField
	v.fields, v.nHost = 0, 0
	v.clSeen, v.teSeen, v.teOther, v.teLast = false, false, false, false
	v.teChunked, v.cl = 0, 0
	v.form = formOrigin

	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return errRequestLine
	}
	method, rest := line[:sp], line[sp+1:]
	for _, c := range method {
		if !isTchar(c) {
			return errMethod
		}
	}
	sp = bytes.LastIndexByte(rest, ' ')
	if v.opt.Unsafe {
		// Apache's Unsafe: split on runs of blanks, version as sent.
		rest = bytes.TrimLeft(rest, " \t")
		sp = bytes.IndexAny(rest, " \t")
	}
	if sp < 0 {
		// No version: HTTP/0.9 ("GET /path"), which has only GET.
		switch {
		case v.opt.Require10:
			return errHTTP09Refused
		case string(method) != "GET":
			return errHTTP09Method
		case len(rest) == 0:
			return errRequestLine
		}
		if !v.opt.Unsafe {
			if e := v.checkTarget(method, rest); e != nil {
				return e
			}
			if v.form != formOrigin {
				return errTargetForm
			}
		}
		v.http09 = true
		return is09
	}
	target, version := rest[:sp], rest[sp+1:]
	if v.opt.Unsafe {
		version = bytes.TrimSpace(version)
		v.http10 = !bytes.HasPrefix(version, []byte("HTTP/1.1"))
	} else {
		if len(version) != 8 || string(version[:5]) != "HTTP/" || !isDigit(version[5]) ||
			version[6] != '.' || !isDigit(version[7]) {
			return errVersion
		}
		switch {
		case version[5] == '0':
			return errVersion0
		case version[5] >= '2':
			// Apache checks the target before the version: the HTTP/2
			// client preface ("PRI * HTTP/2.0") gets 400 for its '*'.
			if len(target) > 0 && !v.opt.Unsafe {
				if err := v.checkTarget(method, target); err != nil {
					return err
				}
			}
			return errVersion2
		}
		v.http10 = version[7] == '0'
	}
	if v.opt.RegisteredMethods && !registered(method) {
		return errUnregistered
	}
	if len(target) == 0 {
		return errRequestLine
	}
	if v.opt.Unsafe {
		v.form = formOrigin
		if target[0] != '/' && target[0] != '*' {
			v.form = formAbsolute
		}
		return nil
	}
	return v.checkTarget(method, target)
}

// checkTarget checks the request target's characters and form (RFC 9112
// §3.2, RFC 3986).
func (v *Validator) checkTarget(method, t []byte) *Error {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !uriChar[c] {
			if c == '#' {
				return errFragment
			}
			return errTargetChar
		}
		if c == '%' {
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return errTargetEscape
			}
			i += 2
		}
	}
	connect := string(method) == "CONNECT"
	switch {
	case t[0] == '/':
		if connect {
			return errTargetForm
		}
		v.form = formOrigin
	case len(t) == 1 && t[0] == '*':
		if string(method) != "OPTIONS" {
			return errAsterisk
		}
		v.form = formAsterisk
	case connect:
		if !validAuthority(t, true) {
			return errTargetHost
		}
		v.form = formAuthority
	default:
		auth, ok := absoluteAuthority(t)
		if !ok {
			return errTargetForm
		}
		if bytes.IndexByte(auth, '@') >= 0 {
			return errUserinfo
		}
		if !validAuthority(auth, false) {
			return errTargetHost
		}
		v.form = formAbsolute
	}
	return nil
}

// absoluteAuthority returns the authority of an http or https
// absolute-form target.
func absoluteAuthority(t []byte) ([]byte, bool) {
	var rest []byte
	switch {
	case len(t) > 7 && bytes.EqualFold(t[:7], []byte("http://")):
		rest = t[7:]
	case len(t) > 8 && bytes.EqualFold(t[:8], []byte("https://")):
		rest = t[8:]
	default:
		return nil, false
	}
	end := len(rest)
	if i := bytes.IndexAny(rest, "/?"); i >= 0 {
		end = i
	}
	return rest[:end], true
}

// targetAuthority returns the authority of the current absolute-form
// request line.
func (v *Validator) targetAuthority() []byte {
	line := v.reqLine
	sp := bytes.IndexByte(line, ' ')
	rest := line[sp+1:]
	rest = rest[:bytes.LastIndexByte(rest, ' ')]
	auth, _ := absoluteAuthority(rest)
	return auth
}

// validAuthority checks host[:port] as Apache's strict host check does:
// a name of letters, digits, '-', '.' and '_' without empty labels, or an
// IP literal in brackets, and a port of 1 to 5 digits (required when
// needPort).
func validAuthority(a []byte, needPort bool) bool {
	host, port, hasPort := a, []byte(nil), false
	if len(a) > 0 && a[0] == '[' {
		end := bytes.IndexByte(a, ']')
		if end < 2 {
			return false
		}
		for _, c := range a[1:end] {
			if !isHex(c) && c != ':' && c != '.' {
				return false
			}
		}
		host = nil
		switch rest := a[end+1:]; {
		case len(rest) == 0:
		case rest[0] == ':':
			port, hasPort = rest[1:], true
		default:
			return false
		}
	} else {
		if i := bytes.LastIndexByte(a, ':'); i >= 0 {
			host, port, hasPort = a[:i], a[i+1:], true
		}
		if len(host) == 0 || host[0] == '.' || host[0] == '-' {
			return false
		}
		prevDot := false
		for _, c := range host {
			if !hostChar[c] {
				return false
			}
			if c == '.' && prevDot {
				return false
			}
			prevDot = c == '.'
		}
	}
	if !hasPort {
		return !needPort
	}
	if len(port) == 0 || len(port) > 5 {
		return false
	}
	for _, c := range port {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// sameAuthority compares two authorities case-insensitively, a default
// port (80, 443) matching its absence.
func sameAuthority(a, b []byte) bool {
	return bytes.EqualFold(trimDefaultPort(a), trimDefaultPort(b))
}

func trimDefaultPort(a []byte) []byte {
	if bytes.HasSuffix(a, []byte(":80")) {
		return a[:len(a)-3]
	}
	if bytes.HasSuffix(a, []byte(":443")) {
		return a[:len(a)-4]
	}
	return bytes.TrimSuffix(a, []byte("."))
}

// fieldLine checks one header field line, or the empty line that ends
// the header block.
func (v *Validator) fieldLine(line []byte) *Error {
	line, e := v.endLine(line)
	if e != nil {
		return e
	}
	if len(line) == 0 {
		return v.endHead()
	}
	v.fields++
	if v.fields > v.opt.MaxFields {
		return errTooManyFields
	}
	name, value, e := v.splitField(line)
	if e != nil {
		return e
	}
	switch len(name) {
	case 4:
		if lowerEq(name, "host") {
			return v.host(value)
		}
	case 14:
		if lowerEq(name, "content-length") {
			return v.contentLength(value)
		}
	case 17:
		if lowerEq(name, "transfer-encoding") {
			return v.transferEncoding(value)
		}
	}
	return nil
}

// splitField splits a field line into its name and its value without
// surrounding whitespace, checking both.
func (v *Validator) splitField(line []byte) (name, value []byte, e *Error) {
	if line[0] == ' ' || line[0] == '\t' {
		if !v.opt.Unsafe {
			return nil, nil, errObsFold
		}
		return nil, nil, nil
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		if v.opt.Unsafe {
			return nil, nil, nil
		}
		return nil, nil, errFieldName
	}
	name, value = line[:colon], line[colon+1:]
	if !v.opt.Unsafe {
		for _, c := range name {
			if !isTchar(c) {
				return nil, nil, errFieldName
			}
		}
		if !validValue(value) {
			return nil, nil, errFieldValue
		}
	} else if bytes.IndexByte(value, 0) >= 0 {
		return nil, nil, errFieldValue
	}
	return name, trimOWS(value), nil
}

func (v *Validator) host(value []byte) *Error {
	v.nHost++
	if v.nHost > 1 {
		return errManyHosts
	}
	if v.opt.Unsafe {
		return nil
	}
	if !validAuthority(value, false) {
		return errHost
	}
	if v.form == formAbsolute && !sameAuthority(value, v.targetAuthority()) {
		return errHostMismatch
	}
	return nil
}

func (v *Validator) contentLength(value []byte) *Error {
	if v.clSeen {
		return errManyCL
	}
	v.clSeen = true
	if len(value) == 0 || len(value) > 18 {
		return errCL
	}
	var n int64
	for _, c := range value {
		if !isDigit(c) {
			return errCL
		}
		n = n*10 + int64(c-'0')
	}
	v.cl = n
	return nil
}

// transferEncoding records the codings of one Transfer-Encoding field;
// several fields form one list (RFC 9110 §5.3).
func (v *Validator) transferEncoding(value []byte) *Error {
	v.teSeen = true
	if len(value) == 0 {
		return errTEEmpty
	}
	for len(value) > 0 {
		var elem []byte
		if i := bytes.IndexByte(value, ','); i >= 0 {
			elem, value = value[:i], value[i+1:]
		} else {
			elem, value = value, nil
		}
		elem = trimOWS(elem)
		if len(elem) == 0 {
			continue // empty list elements are ignored (RFC 9110 §5.6.1)
		}
		if len(elem) == 7 && lowerEq(elem, "chunked") {
			v.teChunked++
			v.teLast = true
			continue
		}
		v.teLast = false
		v.teOther = true
	}
	return nil
}

// endHead applies the rules that need the whole header block and sets up
// the body (RFC 9112 §6).
func (v *Validator) endHead() *Error {
	if !v.http10 && v.nHost == 0 {
		return errNoHost
	}
	switch {
	case v.teSeen:
		switch {
		case v.http10:
			return errTE10
		case v.teChunked > 1:
			return errTEDup
		case v.teChunked == 0 && !v.teOther:
			return errTEEmpty
		case !v.teLast:
			return errTENotChunked
		case v.teOther:
			return errTEUnknown
		case v.clSeen && !v.opt.Unsafe:
			return errCLAndTE
		}
		v.state = stChunkSize
	case v.cl > 0:
		v.state = stBody
		v.remain = v.cl
	default:
		v.endRequest()
	}
	return nil
}

// chunkLine checks a chunk-size line: chunk-size [ chunk-ext ] CRLF
// (RFC 9112 §7.1), and sets up the chunk.
func (v *Validator) chunkLine(line []byte) *Error {
	line, e := v.endLine(line)
	if e != nil {
		return e
	}
	i := 0
	var n int64
	for i < len(line) && isHex(line[i]) {
		if n > 1<<58 {
			return errChunkOverflow
		}
		n = n<<4 | int64(unhex(line[i]))
		i++
	}
	if i == 0 {
		return errChunkSize
	}
	if i < len(line) {
		if v.opt.Unsafe {
			if bytes.IndexByte(line[i:], 0) >= 0 {
				return errChunkExt
			}
		} else if !validChunkExt(line[i:]) {
			return errChunkExt
		}
	}
	if n == 0 {
		v.state = stTrailer
		return nil
	}
	v.remain = n
	v.state = stChunkData
	return nil
}

// validChunkExt checks *( BWS ";" BWS name [ BWS "=" BWS value ] ).
func validChunkExt(s []byte) bool {
	i := 0
	skipBWS := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	token := func() bool {
		start := i
		for i < len(s) && isTchar(s[i]) {
			i++
		}
		return i > start
	}
	for i < len(s) {
		// RFC 9112 allows BWS before ';', but fasthttp refuses it, and
		// whitespace after a chunk size is a known smuggling vector:
		// Strict refuses it too.
		if s[i] != ';' {
			return false
		}
		i++
		skipBWS()
		if !token() {
			return false
		}
		skipBWS()
		if i < len(s) && s[i] == '=' {
			i++
			skipBWS()
			if i < len(s) && s[i] == '"' {
				i++
				closed := false
				for i < len(s) {
					c := s[i]
					if c == '"' {
						i++
						closed = true
						break
					}
					if c == '\\' {
						i++
						if i >= len(s) || !(s[i] == '\t' || s[i] >= 0x20 && s[i] != 0x7f) {
							return false
						}
					} else if !(c == '\t' || c >= 0x20 && c != 0x7f) {
						return false
					}
					i++
				}
				if !closed {
					return false
				}
			} else if !token() {
				return false
			}
		}
	}
	return true
}

// validValue reports whether every byte of a field value is allowed
// (fieldChar). Eight bytes at a time, it looks for a byte below 0x20 or
// equal to 0x7f with word arithmetic (hasless/haszero from "Bit Twiddling
// Hacks") and checks byte by byte only a word that has one (HTAB is
// allowed). Field values are most of a request head (User-Agent, Cookie):
// on a 71-byte User-Agent this takes 12 ns against 24 ns for a table
// lookup per byte (BenchmarkValue).
func validValue(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		y := x ^ (ones * 0x7f)
		if ((x-ones*0x20)&^x|(y-ones)&^y)&highs != 0 {
			for _, c := range b[:8] {
				if !fieldChar[c] {
					return false
				}
			}
		}
		b = b[8:]
	}
	for _, c := range b {
		if !fieldChar[c] {
			return false
		}
	}
	return true
}

// trailerLine checks one trailer field line, or the empty line that ends
// the chunked body.
func (v *Validator) trailerLine(line []byte) *Error {
	line, e := v.endLine(line)
	if e != nil {
		return e
	}
	if len(line) == 0 {
		v.endRequest()
		return nil
	}
	_, _, e = v.splitField(line)
	return e
}

// registered are the methods Apache registers by default
// (ap_method_registry_init), for RegisteredMethods.
var registeredMethods = []string{
	"GET", "HEAD", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE",
	"PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN",
	"UPDATE", "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY",
	"BASELINE-CONTROL", "MERGE",
}

func registered(m []byte) bool {
	for _, r := range registeredMethods {
		if string(m) == r {
			return true
		}
	}
	return false
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// lowerEq reports whether b, lower-cased, is s (which is lower case).
func lowerEq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func isTchar(c byte) bool { return tchar[c] }

// Byte classes.
var (
	// tchar: RFC 9110 §5.6.2 token characters.
	tchar = classOf("!#$%&'*+-.^_`|~", true)
	// uriChar: what RFC 3986 allows in a URI reference, '#' excepted
	// (unreserved, gen-delims, sub-delims and '%').
	uriChar = classOf("-._~:/?[]@!$&'()*+,;=%", true)
	// hostChar: Apache's strict host names.
	hostChar = classOf("-._", true)
	// fieldChar: field-value bytes (VCHAR, obs-text, SP, HTAB).
	fieldChar = func() (t [256]bool) {
		for c := 0x20; c < 256; c++ {
			t[c] = c != 0x7f
		}
		t['\t'] = true
		return t
	}()
)

// classOf returns a table of extra plus, if alnum, letters and digits.
func classOf(extra string, alnum bool) (t [256]bool) {
	if alnum {
		for c := '0'; c <= '9'; c++ {
			t[c] = true
		}
		for c := 'a'; c <= 'z'; c++ {
			t[c] = true
			t[c-'a'+'A'] = true
		}
	}
	for i := range len(extra) {
		t[extra[i]] = true
	}
	return t
}
