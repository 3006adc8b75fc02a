package expires

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// Expires is an active configuration prepared for the request path:
// Apply gives what the package-level Apply gives, with the type lookup
// remembered per Content-Type and the two header values of an "access"
// code formatted once per second (they depend on the request's time in
// whole seconds only). Safe for concurrent use.
type Expires struct {
	c *conf.ExpiresConfig
	// mod: some code counts from the file's modification time.
	mod    bool
	types  [8]atomic.Pointer[typeMemo]
	stamps [8]atomic.Pointer[stamp]
}

// typeMemo is Code's answer for one Content-Type value.
type typeMemo struct {
	ctype string
	code  conf.ExpiresCode
	ok    bool
}

// stamp is an access code's header values at one second.
type stamp struct {
	sec           int64
	seconds       int32
	maxAge, date  []byte
	maxAgeSeconds int64
}

// New prepares c; nil when c is not active (Apply on nil does nothing).
func New(c *conf.ExpiresConfig) *Expires {
	if !c.On() {
		return nil
	}
	x := &Expires{c: c}
	if c.Default != nil && c.Default.Base == 'M' {
		x.mod = true
	}
	for _, code := range c.ByType {
		x.mod = x.mod || code.Base == 'M'
	}
	return x
}

// UsesModTime reports whether some code counts from the file's
// modification time (Response.ModTime is read only then).
func (x *Expires) UsesModTime() bool { return x != nil && x.mod }

var (
	hdrExpires      = []byte(fasthttp.HeaderExpires)
	hdrCacheControl = []byte(fasthttp.HeaderCacheControl)
)

// Apply is the package-level Apply for x's configuration.
func (x *Expires) Apply(h *fasthttp.ResponseHeader, r *Response) bool {
	if x == nil || r.Status >= 400 {
		return false
	}
	// PeekCanonical: what Peek finds, without copying and normalizing
	// the name (stored names are canonical, or as written when the
	// server keeps them so, where Peek does not normalize either).
	if h.PeekCanonical(hdrExpires) != nil {
		return false
	}
	ct := r.ContentType
	if ct == "" {
		ct = b2s(h.ContentType())
	}
	code, ok := x.code(ct)
	if !ok {
		return false
	}
	if code.Base != 'A' {
		return apply(h, code, r)
	}
	sec := r.Now.Unix()
	slot := &x.stamps[uint32(code.Seconds)%uint32(len(x.stamps))]
	s := slot.Load()
	if s == nil || s.sec != sec || s.seconds != code.Seconds {
		expires, maxAge, _ := Compute(code, r.Now, r.Now)
		s = &stamp{sec: sec, seconds: code.Seconds, maxAgeSeconds: maxAge,
			maxAge: strconv.AppendInt([]byte("max-age="), maxAge, 10),
			date:   fasthttp.AppendHTTPDate(nil, expires)}
		slot.Store(s)
	}
	if cur := h.PeekCanonical(hdrCacheControl); cur != nil {
		h.Set(fasthttp.HeaderCacheControl, string(cur)+", "+string(s.maxAge))
	} else {
		h.SetCanonical(hdrCacheControl, s.maxAge)
	}
	h.SetCanonical(hdrExpires, s.date)
	return true
}

// code is Code for ct, remembered.
func (x *Expires) code(ct string) (conf.ExpiresCode, bool) {
	i := len(ct)
	if slash := strings.IndexByte(ct, '/'); slash >= 0 && slash+1 < len(ct) {
		i += int(ct[slash+1])
	}
	slot := &x.types[i%len(x.types)]
	if m := slot.Load(); m != nil && m.ctype == ct {
		return m.code, m.ok
	}
	code, ok := Code(x.c, ct)
	slot.Store(&typeMemo{ctype: strings.Clone(ct), code: code, ok: ok})
	return code, ok
}
