package compress

import (
	"bytes"

	"github.com/gohttpd/gohttpd/conf"
)

// Encoding is a content coding gohttpd produces.
type Encoding uint8

const (
	// Identity: the response is sent as it is.
	Identity Encoding = iota
	// Gzip is mod_deflate's DEFLATE filter (Content-Encoding: gzip).
	Gzip
	// Brotli is mod_brotli's BROTLI_COMPRESS filter (Content-Encoding: br).
	Brotli
)

// Token is the Content-Encoding value ("" for Identity).
func (e Encoding) Token() string {
	switch e {
	case Gzip:
		return "gzip"
	case Brotli:
		return "br"
	}
	return ""
}

// String is Token, or "identity".
func (e Encoding) String() string {
	if e == Identity {
		return "identity"
	}
	return e.Token()
}

// etagSuffix is what the filter appends inside an ETag's closing quote
// (mod_deflate's "-gzip", mod_brotli's "-br").
func (e Encoding) etagSuffix() string {
	switch e {
	case Gzip:
		return "-gzip"
	case Brotli:
		return "-br"
	}
	return ""
}

func encodingOf(f conf.Filter) Encoding {
	switch f {
	case conf.FilterDeflate:
		return Gzip
	case conf.FilterBrotli:
		return Brotli
	}
	return Identity
}

// Env is what the request's environment (SetEnvIf, SetEnvIfNoCase,
// BrowserMatch, SetEnv: whoever sets it, the integrator reads it) says
// to the filters.
type Env uint8

const (
	// NoGzip is the "no-gzip" variable (any value): DEFLATE does nothing.
	NoGzip Env = 1 << iota
	// NoBrotli is "no-brotli" (any value): BROTLI_COMPRESS does nothing.
	NoBrotli
	// GzipOnlyTextHTML is "gzip-only-text/html" with the value "1":
	// DEFLATE compresses only types starting with "text/html".
	GzipOnlyTextHTML
	// ForceGzip is "force-gzip" (any value): DEFLATE compresses even
	// without "gzip" in Accept-Encoding.
	ForceGzip
)

// EnvOf reads the four variables from a request's environment (lookup
// returns a variable's value and whether it is set), as the modules do:
// no-gzip, no-brotli and force-gzip count when set to anything,
// gzip-only-text/html only with the value "1".
func EnvOf(lookup func(name string) (string, bool)) Env {
	var e Env
	if _, ok := lookup("no-gzip"); ok {
		e |= NoGzip
	}
	if _, ok := lookup("no-brotli"); ok {
		e |= NoBrotli
	}
	if v, ok := lookup("gzip-only-text/html"); ok && v == "1" {
		e |= GzipOnlyTextHTML
	}
	if _, ok := lookup("force-gzip"); ok {
		e |= ForceGzip
	}
	return e
}

// Request is what Decide needs from the request.
type Request struct {
	// AcceptEncoding is the Accept-Encoding header (nil when absent; only
	// the first line counts, as apr_table_get).
	AcceptEncoding []byte
	// Env is the environment's flags.
	Env Env
	// Name is the mapped file name (for AddOutputFilter's extensions);
	// "" for responses without a file (proxied, handlers).
	Name string
}

// Response is what Decide needs from the response, as it leaves the
// handler.
type Response struct {
	Status int
	// ContentType, ContentEncoding and CacheControl are the response
	// headers (nil when absent).
	ContentType, ContentEncoding, CacheControl []byte
	// ContentRange reports a Content-Range header: the handler answered a
	// range itself (a proxied 206), which the filters never compress.
	ContentRange bool
	// Length is the body's size when known before the body is produced
	// (a file, a Content-Length), else -1.
	Length int64
}

// Decision is Decide's answer.
type Decision struct {
	// Encoding is the coding to apply (Identity: none).
	Encoding Encoding
	// Vary says to add "Accept-Encoding" to Vary (merged, as
	// apr_table_mergen: once).
	Vary bool
	// AlterETag is the ETag treatment for Encoding (ETagAddSuffix: see
	// AppendETag).
	AlterETag conf.AlterETag
}

// A Policy is the compression behaviour of one merged per-directory
// configuration and its server's settings. Build one per (vhost,
// directory) with NewPolicy and cache it with the merged configuration;
// it is immutable and safe for concurrent use.
type Policy struct {
	dir *conf.CompressDir
	srv conf.CompressServer
	// byType and set are the chain's fixed part (mod_filter's chain,
	// SetOutputFilter), in the order Apache inserts them after
	// AddOutputFilter's.
	set    []conf.Filter
	byType []conf.ByTypeFilter
}

// NewPolicy compiles a merged directory configuration and the server's
// (nil: Apache's defaults). It returns nil when no filter can ever apply
// (dir is nil or Empty): a nil *Policy is valid and Decide on it returns
// the zero Decision at the cost of a nil check.
func NewPolicy(dir *conf.CompressDir, srv *conf.CompressServer) *Policy {
	if dir.Empty() {
		return nil
	}
	p := &Policy{dir: dir, srv: conf.DefaultCompressServer(), byType: dir.ByType}
	if srv != nil {
		p.srv = *srv
	}
	if dir.SetSet {
		p.set = dir.Set
	}
	return p
}

// Server returns the server settings the policy uses (levels, cache).
func (p *Policy) Server() *conf.CompressServer { return &p.srv }

// Sidecars reports PrecompressedSidecars.
func (p *Policy) Sidecars() bool { return p != nil && p.dir.Sidecars }

// smallBody is mod_deflate's threshold: a body whose whole length is
// known and at most sizeof(gzip_header) + VALIDATION_SIZE + 50 = 68 bytes
// is not compressed (and gets no Vary from DEFLATE). Measured on Apache
// 2.4.71: 68 bytes stay identity, 69 are gzipped. mod_brotli has no such
// rule (a 12-byte body becomes 16 bytes of br).
const smallBody = 10 + 8 + 50

// Decide runs Apache's output filters' decisions in Apache's order:
// AddOutputFilter's (by the file's extensions), then SetOutputFilter's,
// then AddOutputFilterByType's chain. The first filter that compresses
// wins (later ones see Content-Encoding set); so, as in Apache, the order
// of the configuration decides between gzip and br when a client accepts
// both, not the q-values. It allocates nothing.
//
// Each filter, as deflate_out_filter and compress_filter do: skips 204,
// a Content-Range, its env variable, an existing non-identity
// Content-Encoding (DEFLATE also a small known body and, with
// gzip-only-text/html=1, types other than text/html) without touching
// Vary; otherwise adds Vary: Accept-Encoding, then compresses when
// Accept-Encoding names its coding ("gzip", "br"; any case) with a
// non-zero q. Deliberate differences from Apache: Cache-Control:
// no-transform on the response disables compression (RFC 9110 §7.7;
// Apache ignores it), q is read wherever it is among the parameters and
// in any case (RFC 9110 §12.4.2; Apache reads only the first parameter,
// lower-case), and for 304 the decision gives Vary but no coding (the
// static path puts the coding's ETag on the 304 itself).
func (p *Policy) Decide(req *Request, resp *Response) Decision {
	var d Decision
	if p == nil {
		return d
	}
	st := resp.Status
	if st < 200 || st == 204 || resp.ContentRange || hasToken(resp.CacheControl, "no-transform") {
		return d
	}
	if encodedAlready(resp.ContentEncoding) {
		return d
	}
	var accept acceptance
	parsed := false
	try := func(f conf.Filter) bool {
		e := encodingOf(f)
		switch e {
		case Gzip:
			if resp.Length >= 0 && resp.Length <= smallBody && st != 304 {
				return false
			}
			if req.Env&NoGzip != 0 {
				return false
			}
			if req.Env&GzipOnlyTextHTML != 0 && !bytes.HasPrefix(resp.ContentType, []byte("text/html")) {
				return false
			}
		case Brotli:
			if req.Env&NoBrotli != 0 {
				return false
			}
		default:
			return false
		}
		d.Vary = true
		if st == 304 {
			return false
		}
		if !parsed {
			accept, parsed = parseAccept(req.AcceptEncoding), true
		}
		ok := accept.has(e)
		if e == Gzip && req.Env&ForceGzip != 0 {
			ok = true
		}
		if !ok {
			return false
		}
		d.Encoding = e
		if e == Gzip {
			d.AlterETag = p.srv.DeflateAlterETag
		} else {
			d.AlterETag = p.srv.BrotliAlterETag
		}
		return true
	}
	if req.Name != "" && len(p.dir.ByExt) > 0 {
		var buf [4]conf.Filter
		for _, f := range p.dir.FiltersForExt(req.Name, buf[:0]) {
			if try(f) {
				return d
			}
		}
	}
	for _, f := range p.set {
		if try(f) {
			return d
		}
	}
	if len(p.byType) > 0 && len(resp.ContentType) > 0 {
		ct := resp.ContentType
		for i, c := range ct {
			if c == ';' || c == ' ' || c == '\t' {
				ct = ct[:i]
				break
			}
		}
		for i := range p.byType {
			if typeListed(p.byType[i].Types, ct) && try(p.byType[i].Filter) {
				return d
			}
		}
	}
	return d
}

// typeListed is mod_filter's provider match: the type, cut at ';', ' ' or
// '\t', equals one of the listed ones exactly (case-sensitive).
func typeListed(types []string, ct []byte) bool {
	for _, t := range types {
		if string(ct) == t {
			return true
		}
	}
	return false
}

// encodedAlready reports a Content-Encoding with a token other than
// identity, 7bit, 8bit or binary (mod_deflate's check, from
// mod_negotiation).
func encodedAlready(ce []byte) bool {
	for len(ce) > 0 {
		var tok []byte
		tok, ce = nextElement(ce)
		tok = trimOWS(tok)
		if i := bytes.IndexByte(tok, ';'); i >= 0 {
			tok = trimOWS(tok[:i])
		}
		switch string(tok) {
		case "", "identity", "7bit", "8bit", "binary":
		default:
			return true
		}
	}
	return false
}

// acceptance is what Accept-Encoding allows of the codings gohttpd makes.
type acceptance uint8

func (a acceptance) has(e Encoding) bool { return a&(1<<e) != 0 }

// parseAccept reads Accept-Encoding as mod_deflate and mod_brotli do for
// their own token: the first element whose coding is literally "gzip"
// (or "br"), in any case, is acceptable unless its q is 0. "*" and
// "x-gzip" are not read (Apache 2.4.71 sends identity for
// "Accept-Encoding: *"). Malformed elements are skipped.
func parseAccept(h []byte) acceptance {
	var a, seen acceptance
	for len(h) > 0 {
		var el []byte
		el, h = nextElement(h)
		coding, params := el, []byte(nil)
		if i := bytes.IndexByte(el, ';'); i >= 0 {
			coding, params = el[:i], el[i+1:]
		}
		coding = trimOWS(coding)
		var e Encoding
		switch {
		case equalFold(coding, "gzip"):
			e = Gzip
		case equalFold(coding, "br"):
			e = Brotli
		default:
			continue
		}
		bit := acceptance(1 << e)
		if seen&bit != 0 {
			continue
		}
		seen |= bit
		if !zeroQ(params) {
			a |= bit
		}
	}
	return a
}

// zeroQ reports a q parameter whose value is 0 (qvalue = "0" [ "." 0*3"0" ]).
func zeroQ(params []byte) bool {
	for len(params) > 0 {
		p := params
		if i := bytes.IndexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			params = nil
		}
		p = trimOWS(p)
		if len(p) < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
			continue
		}
		v := p[2:]
		if len(v) == 0 || v[0] != '0' {
			return false
		}
		v = v[1:]
		if len(v) == 0 {
			return true
		}
		if v[0] != '.' || len(v) > 4 {
			return false
		}
		for _, c := range v[1:] {
			if c != '0' {
				return false
			}
		}
		return true
	}
	return false
}

// nextElement splits a comma-separated list at its first comma.
func nextElement(h []byte) (el, rest []byte) {
	if i := bytes.IndexByte(h, ','); i >= 0 {
		return h[:i], h[i+1:]
	}
	return h, nil
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

func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasToken reports whether a comma-separated header value lists tok
// (lower case) as an element, ignoring case and any "=value".
func hasToken(h []byte, tok string) bool {
	for len(h) > 0 {
		var el []byte
		el, h = nextElement(h)
		el = trimOWS(el)
		if i := bytes.IndexByte(el, '='); i >= 0 {
			el = trimOWS(el[:i])
		}
		if equalFold(el, tok) {
			return true
		}
	}
	return false
}

// AppendETag appends the ETag of the e-coded representation of the
// resource whose identity ETag is etag, with mode (the Decision's
// AlterETag): mod_deflate's deflate_check_etag and mod_brotli's
// equivalent insert "-gzip" or "-br" before the closing quote of a tag
// longer than 2 bytes ending in '"' (W/ stays); ETagRemove gives nothing,
// ETagNoChange the tag itself.
func AppendETag(dst, etag []byte, e Encoding, mode conf.AlterETag) []byte {
	switch {
	case e == Identity || mode == conf.ETagNoChange:
		return append(dst, etag...)
	case mode == conf.ETagRemove:
		return dst
	}
	n := len(etag)
	if n <= 2 || etag[n-1] != '"' {
		return append(dst, etag...)
	}
	dst = append(dst, etag[:n-1]...)
	dst = append(dst, e.etagSuffix()...)
	return append(dst, '"')
}

// AppendTrimmedETag appends tag without a "-gzip" or "-br" suffix
// (`"x-gzip"` → `"x"`, `W/"x-br"` → `W/"x"`; other tags unchanged).
// Compare the client's If-None-Match tags through it against the
// identity ETag: a tag of any coded representation of an unchanged file
// then gets its 304. (Apache 2.4 compares them with the identity ETag
// only, so a browser holding a gzipped copy is sent it again in full:
// bug 45023; its documented workaround is a RequestHeader edit doing
// what this does.)
func AppendTrimmedETag(dst, tag []byte) []byte {
	n := len(tag)
	if n >= 2 && tag[n-1] == '"' {
		body := tag[:n-1]
		for _, s := range [...]string{"-gzip", "-br"} {
			j := len(body) - len(s)
			if j >= 1 && string(body[j:]) == s && body[j-1] != '"' {
				dst = append(dst, body[:j]...)
				return append(dst, '"')
			}
		}
	}
	return append(dst, tag...)
}
