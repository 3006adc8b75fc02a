package site

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// allowStatic is the Allow header for static files: Apache's default
// handler's methods (TRACE is not among them: gohttpd answers it as
// Apache's TraceEnable Off), comma-separated as Apache's make_allow.
const allowStatic = "GET,HEAD,POST,OPTIONS"

// Canonical header names, for fasthttp's Peek/SetCanonical, which skip the
// per-call normalisation of a string key. (gohttpd never sets
// DisableHeaderNamesNormalizing, so stored names are canonical.)
var (
	hdrAcceptRanges      = []byte(fasthttp.HeaderAcceptRanges)
	hdrConnection        = []byte(fasthttp.HeaderConnection)
	hdrETag              = []byte(fasthttp.HeaderETag)
	hdrIfMatch           = []byte(fasthttp.HeaderIfMatch)
	hdrIfModifiedSince   = []byte(fasthttp.HeaderIfModifiedSince)
	hdrIfNoneMatch       = []byte(fasthttp.HeaderIfNoneMatch)
	hdrIfRange           = []byte(fasthttp.HeaderIfRange)
	hdrIfUnmodifiedSince = []byte(fasthttp.HeaderIfUnmodifiedSince)
	hdrKeepAlive         = []byte("Keep-Alive")
	hdrLastModified      = []byte(fasthttp.HeaderLastModified)
	hdrRange             = []byte(fasthttp.HeaderRange)
	valBytes             = []byte("bytes")
	valKeepAlive         = []byte("Keep-Alive")
)

// wwwAuthKey carries the WWW-Authenticate of an index file's failed
// subrequest from resolveIndex to serveStatic.
type wwwAuthKey struct{}

// rewriteKey is the user value that carries the index file path from
// serveStatic to rewritePath while fasthttp.FS serves a directory.
type rewriteKey struct{}

// rewritePath is fasthttp.FS's PathRewrite: the resolved index file for a
// directory request, else the request path.
func (s *Site) rewritePath(ctx *fasthttp.RequestCtx) []byte {
	if p, ok := ctx.UserValue(rewriteKey{}).(*[]byte); ok {
		return *p
	}
	return ctx.Path()
}

// serveStatic answers from DocumentRoot (or the built-in site). fasthttp.FS
// opens, caches and streams the file (with sendfile for big files); this
// handler decides the method, resolves directory indexes, redirects
// directories to their slash form, and then works on the representation FS
// produced: Content-Type from the type table, validators and conditional
// requests, and byte ranges (single and multiple).
func (s *Site) serveStatic(ctx *fasthttp.RequestCtx, v *vserver, r *resolved) {
	switch {
	case ctx.IsGet() || ctx.IsHead():
	case ctx.IsPost():
		// Apache's default handler delivers a file to POST as to GET
		// (a missing one is 404, not 405).
	case ctx.IsOptions():
		s.options(ctx)
		s.optionsType(ctx, v, r)
		return
	case knownMethod(ctx.Method()):
		s.sendMethodError(ctx, fasthttp.StatusMethodNotAllowed, allowStatic)
		return
	default:
		s.logf(ctx, slog.LevelInfo, "invalid method in request %q", ctx.Method())
		s.sendMethodError(ctx, fasthttp.StatusNotImplemented, allowStatic)
		return
	}
	if r.alias != "" {
		s.serveAlias(ctx, v, r)
		return
	}

	p := ctx.Path()
	name := p
	var bp *[]byte
	if p[len(p)-1] == '/' {
		index, status := s.resolveIndex(ctx, v, p, r)
		if status == statusIndexURI {
			s.serveIndexURI(ctx, v)
			return
		}
		if status == statusListing {
			if !s.fallback(ctx, v, r) {
				s.listing(ctx, v, r, v.docroot+string(p))
			}
			return
		}
		if status == 0 && s.indexRedirect(ctx, v, r, string(p)+index) {
			return
		}
		if status != 0 {
			s.sendError(ctx, status, "")
			if www, ok := ctx.UserValue(wwwAuthKey{}).(string); ok {
				ctx.Response.Header.Set(fasthttp.HeaderWWWAuthenticate, www)
				ctx.RemoveUserValue(wwwAuthKey{})
			}
			return
		}
		bp = s.getBuf()
		defer s.bufs.Put(bp)
		*bp = append(append((*bp)[:0], p...), index...)
		name = *bp
		ctx.SetUserValue(rewriteKey{}, bp)
	}

	// fasthttp.FS answers If-Modified-Since itself (wrongly for files
	// without a modification time, and ahead of If-None-Match); hide it so
	// FS always produces the full representation, evaluated below.
	var imsBuf [64]byte
	var ims []byte
	if v := ctx.Request.Header.PeekCanonical(hdrIfModifiedSince); len(v) > 0 {
		ims = append(imsBuf[:0], v...)
		ctx.Request.Header.Del(fasthttp.HeaderIfModifiedSince)
	}
	v.fsHandler(ctx)
	if ims != nil {
		ctx.Request.Header.SetBytesV(fasthttp.HeaderIfModifiedSince, ims)
	}
	if bp != nil {
		ctx.RemoveUserValue(rewriteKey{})
	}

	switch status := ctx.Response.StatusCode(); status {
	case fasthttp.StatusOK:
		s.finishFile(ctx, v, name)
	case fasthttp.StatusFound:
		// FS redirects a directory asked for without its trailing slash.
		if slashOff(r) {
			s.noSlashDir(ctx, v, r, v.docroot+string(ctx.Path()))
			return
		}
		s.redirectDir(ctx)
	case fasthttp.StatusNotFound:
		if v.trivial {
			// The walk was skipped: a dangling or looping symbolic link
			// is Apache's 403 (AH00037), not a 404.
			if w := v.walk(string(ctx.Path()), ctx.Time()); w.status != 0 {
				s.denied(ctx, w)
				return
			}
		}
		if s.fallback(ctx, v, r) {
			return
		}
		s.logf(ctx, slog.LevelInfo, "AH00128: File does not exist: %s%s", v.docroot, name)
		s.sendError(ctx, status, "")
	default:
		if status >= 400 {
			s.sendError(ctx, status, "")
		}
	}
}

func (s *Site) getBuf() *[]byte {
	if bp, ok := s.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 128)
	return &b
}

// options answers OPTIONS (and OPTIONS *) for static files.
func (s *Site) options(ctx *fasthttp.RequestCtx) {
	ctx.Response.Reset()
	ctx.Response.SetStatusCode(fasthttp.StatusOK)
	ctx.Response.Header.Set(fasthttp.HeaderAllow, allowStatic)
	ctx.Response.Header.SetNoDefaultContentType(true)
}

// knownMethod reports whether m is one of the methods Apache registers
// (http_protocol.c); others get 501 Not Implemented, these 405.
func knownMethod(m []byte) bool {
	switch string(m) {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
		"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
		"VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL",
		"REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE":
		return true
	}
	return false
}

// resolveIndex finds the DirectoryIndex file for the directory path p
// (ending in "/"), as mod_dir does: the first name that is a regular file.
// It returns the name, or the status to answer: 404 when p is missing or
// not a directory, 403 when no index exists (there are no listings).
func (s *Site) resolveIndex(ctx *fasthttp.RequestCtx, v *vserver, p []byte, r *resolved) (string, int) {
	fi, err := v.docs.stat(p)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "", fasthttp.StatusForbidden
	case err != nil || !fi.IsDir():
		s.logf(ctx, slog.LevelInfo, "AH00128: File does not exist: %s%s", v.docroot, p)
		return "", fasthttp.StatusNotFound
	}
	dir := rel(p)
	failed, www := 0, ""
	for _, index := range v.indexNames(r) {
		if strings.ContainsRune(index, '/') {
			if v.indexURI(ctx, p, index) {
				return "", statusIndexURI
			}
			continue
		}
		name := index
		if dir != "." {
			name = dir + "/" + index
		}
		if fi, err := fs.Stat(v.docs.fsys, name); err == nil && fi.Mode().IsRegular() {
			status, w := s.indexCheck(ctx, v, p, index, r)
			if status == 0 {
				return index, 0
			}
			// mod_dir keeps the last failure other than 404 and answers
			// with it when no index is served.
			failed, www = status, w
		}
	}
	if failed != 0 {
		if www != "" {
			ctx.SetUserValue(wwwAuthKey{}, www)
		}
		return "", failed
	}
	if r.cfg.AllowedOptions()&conf.OptIndexes != 0 && v.docroot != "" || hasFallback(r) {
		return "", statusListing
	}
	s.logf(ctx, slog.LevelError, "AH01276: Cannot serve directory %s%s: No matching DirectoryIndex (%s) found, "+
		"and server-generated directory index forbidden by Options directive",
		v.docroot, p, strings.Join(v.indexNames(r), ","))
	return "", fasthttp.StatusForbidden
}

// redirectDir answers 301 to the slash form of the request path, keeping
// the query string (mod_dir's fixup).
func (s *Site) redirectDir(ctx *fasthttp.RequestCtx) {
	loc := (&url.URL{Path: string(ctx.Path()) + "/"}).EscapedPath()
	if q := ctx.URI().QueryString(); len(q) > 0 {
		loc += "?" + string(q)
	}
	// ap_construct_url, as Apache: the URL is absolute (UseCanonicalName
	// Off: the request's host and port, else the server's name and port).
	loc = s.urlOptions(ctx, s.serverOf(ctx)).URL(loc)
	s.sendError(ctx, fasthttp.StatusMovedPermanently, loc)
	ctx.Response.Header.Set(fasthttp.HeaderLocation, loc)
}

// validators are what the conditional and range headers are checked
// against.
type validators struct {
	etag    []byte
	lastMod time.Time
	hasLM   bool
}

// finishFile completes the 200 response FS made for the file name: type,
// Accept-Ranges, validators, preconditions (304/412) and ranges (206/416).
func (s *Site) finishFile(ctx *fasthttp.RequestCtx, srv *vserver, name []byte) {
	h := &ctx.Response.Header
	size := int64(h.ContentLength())
	if srv.rs != nil && s.fileType(ctx, srv, name) {
		// mod_mime's configuration (resp_chain.go)
	} else if typ := srv.types.lookup(name); typ != "" {
		h.SetContentType(typ)
	} else {
		h.Del(fasthttp.HeaderContentType)
		h.SetNoDefaultContentType(true)
	}
	h.SetCanonical(hdrAcceptRanges, valBytes)
	if srv.rs != nil && s.compressFile(ctx, srv, name, size) {
		return
	}

	now := ctx.Time()
	if now.IsZero() {
		now = time.Now()
	}
	var etagBuf [48]byte
	var v validators
	if srv.embedded {
		// Embedded files have no modification time: no Last-Modified,
		// and a strong ETag from a hash of their contents.
		h.Del(fasthttp.HeaderLastModified)
		if e := srv.etags[string(bytes.TrimLeft(name, "/"))]; e != "" {
			v.etag = append(etagBuf[:0], e...)
		}
	} else if t, err := fasthttp.ParseHTTPDate(h.PeekCanonical(hdrLastModified)); err == nil {
		v.lastMod, v.hasLM = t, true
		v.etag = appendETag(etagBuf[:0], size, t, now)
	}
	if len(v.etag) > 0 {
		h.SetCanonical(hdrETag, v.etag)
	}

	switch s.preconditions(ctx, &v, now) {
	case fasthttp.StatusNotModified:
		// Apache's 304 keeps Last-Modified, ETag and Accept-Ranges.
		var lmBuf [40]byte
		lm := append(lmBuf[:0], h.PeekCanonical(hdrLastModified)...)
		ctx.Response.Reset() // also closes the file stream
		ctx.Response.SetStatusCode(fasthttp.StatusNotModified)
		ctx.Response.Header.SetNoDefaultContentType(true)
		if len(lm) > 0 {
			h.SetCanonical(hdrLastModified, lm)
		}
		if len(v.etag) > 0 {
			ctx.Response.Header.SetCanonical(hdrETag, v.etag)
		}
		h.SetCanonical(hdrAcceptRanges, valBytes)
		return
	case fasthttp.StatusPreconditionFailed:
		s.sendError(ctx, fasthttp.StatusPreconditionFailed, "")
		return
	}
	s.serveRange(ctx, srv, name, size, &v)
}

// appendETag appends Apache's default ETag (FileETag MTime Size: the size
// and the modification time in microseconds, in hex). fasthttp.FS only
// exposes the modification time to the second (Last-Modified), so the
// tag is weak, as Apache makes it for files changed less than a second
// before the request, until the file is two seconds old.
func appendETag(dst []byte, size int64, mtime, now time.Time) []byte {
	if now.Sub(mtime) < 2*time.Second {
		dst = append(dst, "W/"...)
	}
	dst = append(dst, '"')
	dst = strconv.AppendInt(dst, size, 16)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, mtime.UnixMicro(), 16)
	return append(dst, '"')
}

// preconditions evaluates the conditional headers in RFC 9110 §13.2.2
// order (as ap_meets_conditions): If-Match (strong), else
// If-Unmodified-Since, then If-None-Match (weak; it wins over
// If-Modified-Since), else If-Modified-Since (ignored when later than now).
// It returns 0, 304 or 412. Only GET and HEAD reach it.
func (s *Site) preconditions(ctx *fasthttp.RequestCtx, v *validators, now time.Time) int {
	req := &ctx.Request.Header
	if im := req.PeekCanonical(hdrIfMatch); len(im) > 0 {
		if !matchETags(req.PeekAll(fasthttp.HeaderIfMatch), v.etag, false) {
			return fasthttp.StatusPreconditionFailed
		}
	} else if ius := req.PeekCanonical(hdrIfUnmodifiedSince); len(ius) > 0 && v.hasLM {
		if t, err := fasthttp.ParseHTTPDate(ius); err == nil && v.lastMod.After(t) {
			return fasthttp.StatusPreconditionFailed
		}
	}
	if inm := req.PeekCanonical(hdrIfNoneMatch); len(inm) > 0 {
		if matchETags(req.PeekAll(fasthttp.HeaderIfNoneMatch), v.etag, true) {
			return fasthttp.StatusNotModified
		}
	} else if ims := req.PeekCanonical(hdrIfModifiedSince); len(ims) > 0 && v.hasLM {
		if t, err := fasthttp.ParseHTTPDate(ims); err == nil && !t.After(now) && !v.lastMod.After(t) {
			return fasthttp.StatusNotModified
		}
	}
	return 0
}

// byteRangeUpdater is implemented by fasthttp.FS's file readers (their
// UpdateByteRange is how FS serves a single range itself).
type byteRangeUpdater interface {
	UpdateByteRange(startPos, endPos int) error
}

// serveRange applies a Range header to a GET or HEAD (RFC 9110 §14.2
// defines range handling for GET; Apache's byterange filter applies it to
// HEAD too, whose M_GET it shares, and so does gohttpd). A
// single range narrows FS's own file reader, which keeps sendfile; several
// ranges are read from the file opened again here, after checking it is
// still the representation FS described.
func (s *Site) serveRange(ctx *fasthttp.RequestCtx, srv *vserver, name []byte, size int64, v *validators) {
	req := &ctx.Request.Header
	header := req.PeekCanonical(hdrRange)
	if len(header) == 0 || !ctx.IsGet() && !ctx.IsHead() {
		return
	}
	if ir := req.PeekCanonical(hdrIfRange); len(ir) > 0 && !ifRangeMatches(ir, v) {
		return
	}
	var buf [4]byteRange
	ranges, res := parseRanges(buf[:0], header, size)
	switch res {
	case rangeIgnore:
		return
	case rangeUnsatisfiable:
		// No Content-Range: Apache's byterange filter sets one in
		// headers_out, which its error page drops.
		s.sendError(ctx, fasthttp.StatusRequestedRangeNotSatisfiable, "")
		return
	}
	h := &ctx.Response.Header
	if len(ranges) == 1 {
		r := ranges[0]
		if ctx.IsHead() {
			// Apache's byterange filter answers HEAD as GET (M_GET):
			// the range's headers, no body.
			h.SetContentLength(int(r.length()))
			h.SetContentRange(int(r.first), int(r.last), int(size))
			ctx.Response.SetStatusCode(fasthttp.StatusPartialContent)
			return
		}
		u, ok := ctx.Response.BodyStream().(byteRangeUpdater)
		if !ok {
			return
		}
		if err := u.UpdateByteRange(int(r.first), int(r.last)); err != nil {
			s.logf(ctx, slog.LevelError, "cannot seek to byte range of %s: %v", name, err)
			s.sendError(ctx, fasthttp.StatusInternalServerError, "")
			return
		}
		h.SetContentLength(int(r.length()))
		h.SetContentRange(int(r.first), int(r.last), int(size))
		ctx.Response.SetStatusCode(fasthttp.StatusPartialContent)
		return
	}
	f, err := srv.docs.open(name)
	if err != nil {
		return
	}
	ra, ok := f.(interface {
		io.ReaderAt
		io.Closer
	})
	if st, err := f.Stat(); !ok || err != nil || st.Size() != size ||
		(v.hasLM && !st.ModTime().Truncate(time.Second).Equal(v.lastMod)) {
		_ = f.Close() // changed since FS cached it: send the whole representation
		return
	}
	body, n, boundary := newMultipartBody(ra, ranges, size, string(h.ContentType()))
	ctx.Response.SetBodyStream(body, int(n))
	h.SetContentType("multipart/byteranges; boundary=" + boundary)
	ctx.Response.SetStatusCode(fasthttp.StatusPartialContent)
}

// ifRangeMatches evaluates If-Range (RFC 9110 §13.1.5): an entity-tag must
// match the current ETag by strong comparison, a date must equal
// Last-Modified exactly.
func ifRangeMatches(ir []byte, v *validators) bool {
	if bytes.IndexByte(ir[:min(3, len(ir))], '"') >= 0 {
		tag, rest, ok := nextETag(trimOWS(ir))
		if !ok || len(trimOWS(rest)) > 0 {
			return false
		}
		o, w := splitWeak(tag)
		eo, ew := splitWeak(v.etag)
		return !w && !ew && len(eo) > 0 && bytes.Equal(o, eo)
	}
	if !v.hasLM {
		return false
	}
	t, err := fasthttp.ParseHTTPDate(ir)
	return err == nil && t.Equal(v.lastMod)
}

// matchETags reports whether the entity-tag lists in values (one or more
// If-Match or If-None-Match lines) match etag, by weak or strong comparison
// (RFC 9110 §8.8.3.2). "*" alone matches any current representation. A
// malformed list matches nothing.
func matchETags(values [][]byte, etag []byte, weak bool) bool {
	opaque, etagWeak := splitWeak(etag)
	matched, star, elems := false, false, 0
	for _, v := range values {
		for {
			v = bytes.TrimLeft(v, " \t,")
			if len(v) == 0 {
				break
			}
			elems++
			if v[0] == '*' {
				star = true
				v = v[1:]
			} else {
				tag, rest, ok := nextETag(v)
				if !ok {
					return false
				}
				o, w := splitWeak(tag)
				if len(opaque) > 0 && bytes.Equal(o, opaque) && (weak || (!w && !etagWeak)) {
					matched = true
				}
				v = rest
			}
			v = bytes.TrimLeft(v, " \t")
			if len(v) > 0 && v[0] != ',' {
				return false
			}
		}
	}
	if star {
		return elems == 1
	}
	return matched
}

// nextETag splits the entity-tag at the start of b from the rest.
func nextETag(b []byte) (tag, rest []byte, ok bool) {
	i := 0
	if len(b) >= 2 && b[0] == 'W' && b[1] == '/' {
		i = 2
	}
	if len(b) < i+2 || b[i] != '"' {
		return nil, nil, false
	}
	n := bytes.IndexByte(b[i+1:], '"')
	if n < 0 {
		return nil, nil, false
	}
	for _, c := range b[i+1 : i+1+n] {
		// etagc = "!" / %x23-7E / obs-text
		if c != '!' && (c < 0x23 || c == 0x7f) {
			return nil, nil, false
		}
	}
	end := i + n + 2
	return b[:end], b[end:], true
}

// splitWeak returns the opaque-tag (with its quotes) and whether tag is weak.
func splitWeak(tag []byte) ([]byte, bool) {
	if len(tag) >= 2 && tag[0] == 'W' && tag[1] == '/' {
		return tag[2:], true
	}
	return tag, false
}

// indexCheck is mod_dir's subrequest for an index file: the access
// phases of the file's own configuration, run (and logged) when it
// differs from the directory's. It returns 0 when the file may be served,
// or the status the subrequest failed with (and its WWW-Authenticate).
func (s *Site) indexCheck(ctx *fasthttp.RequestCtx, v *vserver, dir []byte, index string, r *resolved) (int, string) {
	bp := s.getBuf()
	defer s.bufs.Put(bp)
	*bp = append(append((*bp)[:0], dir...), index...)
	ir := v.resolve(*bp, ctx.Time())
	if ir.status != 0 {
		s.logWalk(ctx, ir)
		return ir.status, ""
	}
	if !ir.check || ir.cfg == r.cfg || ir.cfg.Auth == r.cfg.Auth {
		return 0, ""
	}
	d, checked := s.check(ctx, ir, true)
	if !checked {
		return 0, ""
	}
	return d.Status, d.WWWAuthenticate
}
