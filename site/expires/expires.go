package expires

import (
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/valyala/fasthttp"
)

// Response is what the expiry depends on.
type Response struct {
	// Status is the response's status: Apache adds nothing to errors
	// (400 and up).
	Status int
	// ContentType is the response's media type (parameters are ignored).
	ContentType string
	// ModTime is the file's modification time; zero when the response
	// is not a file (a "modification" code then adds nothing).
	ModTime time.Time
	// Now is when the request was received (r->request_time).
	Now time.Time
}

// Code returns the expiry code that applies, as expires_filter picks it:
// ExpiresByType for the exact type, then (when the section's own
// ExpiresByType lines had one) "major/*", then ExpiresDefault. ok is
// false when c is not active or nothing applies.
func Code(c *conf.ExpiresConfig, ctype string) (code conf.ExpiresCode, ok bool) {
	if !c.On() {
		return code, false
	}
	// ap_field_noparam: up to ';', trailing white space removed.
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	ctype = strings.TrimRight(ctype, " \t")
	if len(c.ByType) > 0 && ctype != "" {
		var buf [128]byte
		key := lower(buf[:0], ctype)
		if code, ok = c.ByType[string(key)]; ok {
			return code, true
		}
		if c.Wildcards {
			if slash := strings.IndexByte(ctype, '/'); slash >= 0 {
				// Apache turns "text/css" into "text/*" (and "text/"
				// into "text/*").
				wild := append(key[:slash+1], '*')
				code, ok = c.ByType[string(wild)]
				if ok {
					return code, true
				}
				// A wildcard lookup that fails skips ExpiresDefault
				// only when it finds something; usedefault stays 1.
			}
		}
	}
	if c.Default != nil {
		return *c.Default, true
	}
	return code, false
}

func lower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Apply is mod_expires' output filter on a response header: when c is
// active, the response is not an error and has no Expires header yet, it
// sets Expires and adds "max-age=N" to Cache-Control (merged into an
// existing Cache-Control as "public, max-age=N", apr_table_mergen).
// Call it after the handler and before the Header directives' output
// step (mod_expires' filter runs before mod_headers' one), for success
// responses only (Apache does not call it for error pages).
// It reports whether it changed the headers.
func Apply(c *conf.ExpiresConfig, h *fasthttp.ResponseHeader, r *Response) bool {
	if !c.On() || r.Status >= 400 {
		return false
	}
	if h.Peek(fasthttp.HeaderExpires) != nil {
		return false
	}
	ct := r.ContentType
	if ct == "" {
		ct = string(h.ContentType())
	}
	code, ok := Code(c, ct)
	if !ok {
		return false
	}
	return apply(h, code, r)
}

// apply sets the headers of code for r.
func apply(h *fasthttp.ResponseHeader, code conf.ExpiresCode, r *Response) bool {
	expires, maxAge, ok := Compute(code, r.ModTime, r.Now)
	if !ok {
		return false
	}
	var buf [32]byte
	v := strconv.AppendInt(append(buf[:0], "max-age="...), maxAge, 10)
	if cur := h.Peek(fasthttp.HeaderCacheControl); cur != nil {
		h.Set(fasthttp.HeaderCacheControl, string(cur)+", "+string(v))
	} else {
		h.SetBytesV(fasthttp.HeaderCacheControl, v)
	}
	h.SetBytesV(fasthttp.HeaderExpires, fasthttp.AppendHTTPDate(buf[:0], expires))
	return true
}

// Compute is set_expiration_fields: the Expires time and the max-age
// for code. A time before now becomes now (max-age=0). ok is false for a
// modification-based code without a file (Apache then adds nothing).
// Times are whole seconds, as Apache's headers show them.
func Compute(code conf.ExpiresCode, modTime, now time.Time) (expires time.Time, maxAge int64, ok bool) {
	var base time.Time
	switch code.Base {
	case 'M':
		if modTime.IsZero() {
			return time.Time{}, 0, false
		}
		base = modTime
	case 'A':
		base = now
	default:
		return time.Time{}, 0, false
	}
	expires = base.Add(time.Duration(code.Seconds) * time.Second)
	if expires.Before(now) {
		expires = now
	}
	// apr_time_sec(expires - r->request_time): truncated to seconds.
	maxAge = int64(expires.Sub(now) / time.Second)
	return expires, maxAge, true
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
