package site

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"strconv"
)

// maxRanges is Apache's MaxRanges default: a Range header with more
// range-specs than this is ignored and the whole representation is sent.
const maxRanges = 200

// byteRange is one satisfiable range, first and last inclusive.
type byteRange struct {
	first, last int64
}

func (r byteRange) length() int64 { return r.last - r.first + 1 }

// rangeResult says what to do with a Range header.
type rangeResult int

const (
	rangeIgnore        rangeResult = iota // send the whole representation (200)
	rangeUnsatisfiable                    // 416 with Content-Range: bytes */size
	rangePartial                          // 206 with the ranges returned
)

// parseRanges interprets a Range header value for a representation of size
// bytes, as RFC 9110 §14.1.1 and §14.2 ask and as Apache's byterange filter
// does (ap_set_byterange):
//   - a unit other than "bytes" (case-insensitive), a syntax error, or more
//     than maxRanges range-specs: ignore the header;
//   - no satisfiable range-spec: 416;
//   - otherwise the satisfiable ranges in request order, each merged into
//     the one before it when they overlap or touch (Apache's coalescing),
//     and ignored altogether when they add up to more than size (Apache:
//     "Sum of ranges larger than file, ignoring").
//
// dst is reused for the result.
func parseRanges(dst []byteRange, header []byte, size int64) ([]byteRange, rangeResult) {
	dst = dst[:0]
	const unit = "bytes="
	if len(header) < len(unit) || !bytes.EqualFold(header[:len(unit)], []byte(unit)) {
		return dst, rangeIgnore
	}
	set := header[len(unit):]
	specs := 0
	satisfiable := false
	var sum int64
	for len(set) > 0 {
		var spec []byte
		if i := bytes.IndexByte(set, ','); i >= 0 {
			spec, set = set[:i], set[i+1:]
		} else {
			spec, set = set, nil
		}
		spec = trimOWS(spec)
		if len(spec) == 0 {
			continue // empty list elements are allowed (RFC 9110 §5.6.1.2)
		}
		specs++
		if specs > maxRanges {
			return dst[:0], rangeIgnore
		}
		dash := bytes.IndexByte(spec, '-')
		if dash < 0 {
			return dst[:0], rangeIgnore
		}
		var r byteRange
		if dash == 0 { // suffix-range: "-" suffix-length
			n, ok := parseDigits(spec[1:])
			if !ok {
				return dst[:0], rangeIgnore
			}
			if n == 0 || size == 0 {
				continue // unsatisfiable
			}
			r = byteRange{first: max(size-n, 0), last: size - 1}
		} else { // int-range: first-pos "-" [ last-pos ]
			first, ok := parseDigits(spec[:dash])
			if !ok {
				return dst[:0], rangeIgnore
			}
			last := size - 1
			if rest := spec[dash+1:]; len(rest) > 0 {
				l, ok := parseDigits(rest)
				if !ok || l < first {
					return dst[:0], rangeIgnore
				}
				last = min(l, size-1)
			}
			if first >= size {
				continue // unsatisfiable
			}
			r = byteRange{first: first, last: last}
		}
		satisfiable = true
		if n := len(dst); n > 0 && overlapsOrTouches(dst[n-1], r) {
			prev := &dst[n-1]
			sum -= prev.length()
			prev.first = min(prev.first, r.first)
			prev.last = max(prev.last, r.last)
			sum += prev.length()
			continue
		}
		dst = append(dst, r)
		sum += r.length()
	}
	switch {
	case specs == 0:
		return dst[:0], rangeIgnore
	case !satisfiable:
		return dst[:0], rangeUnsatisfiable
	case sum > size:
		return dst[:0], rangeIgnore
	}
	return dst, rangePartial
}

func overlapsOrTouches(a, b byteRange) bool {
	return b.first <= a.last+1 && a.first <= b.last+1
}

// parseDigits parses 1*DIGIT without sign or spaces; it fails on overflow.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
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

// appendContentRange appends "bytes first-last/size".
func appendContentRange(dst []byte, r byteRange, size int64) []byte {
	dst = append(dst, "bytes "...)
	dst = strconv.AppendInt(dst, r.first, 10)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, r.last, 10)
	dst = append(dst, '/')
	return strconv.AppendInt(dst, size, 10)
}

// multipartBody is a multipart/byteranges body (RFC 9110 §14.6) read from
// f. It owns f and closes it when fasthttp closes the body stream.
type multipartBody struct {
	io.Reader
	f io.Closer
}

func (m *multipartBody) Close() error { return m.f.Close() }

// newMultipartBody lays out the parts for ranges of a representation of
// size bytes and type contentType ("" omits the part Content-Type). It
// returns the body, its exact length and the boundary.
func newMultipartBody(f interface {
	io.ReaderAt
	io.Closer
}, ranges []byteRange, size int64, contentType string) (*multipartBody, int64, string) {
	// Apache's byterange filter: a 16-hex-digit boundary, every part
	// after a CRLF, "Content-type" and "Content-range" spelt so.
	var rb [8]byte
	_, _ = rand.Read(rb[:])
	boundary := hex.EncodeToString(rb[:])
	readers := make([]io.Reader, 0, 2*len(ranges)+1)
	var total int64
	var head []byte
	for _, r := range ranges {
		head = append(head[:0], "\r\n--"...)
		head = append(head, boundary...)
		if contentType != "" {
			head = append(head, "\r\nContent-type: "...)
			head = append(head, contentType...)
		}
		head = append(head, "\r\nContent-range: "...)
		head = appendContentRange(head, r, size)
		head = append(head, "\r\n\r\n"...)
		part := bytes.Clone(head)
		readers = append(readers, bytes.NewReader(part), io.NewSectionReader(f, r.first, r.length()))
		total += int64(len(part)) + r.length()
	}
	tail := "\r\n--" + boundary + "--\r\n"
	readers = append(readers, bytes.NewReader([]byte(tail)))
	total += int64(len(tail))
	return &multipartBody{Reader: io.MultiReader(readers...), f: f}, total, boundary
}
