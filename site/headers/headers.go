package headers

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/internal/aptext"
	"github.com/valyala/fasthttp"
)

// EnvLookup is the request's environment (*setenvif.Env satisfies it).
type EnvLookup interface {
	Lookup(name string) (string, bool)
}

// Vars is what the format specifiers, env= conditions, echo and note
// need from the request. Every field may be left zero.
type Vars struct {
	// Env answers env= and %{VAR}e; nil is an empty environment.
	Env EnvLookup
	// Request is the request's headers, for echo.
	Request *fasthttp.RequestHeader
	// Start is when the request was received (%t, %D); Now the clock for
	// %D (nil: time.Now).
	Start time.Time
	Now   func() time.Time
	// SSLVar is mod_ssl's variable lookup for %{VAR}s ("" or nil:
	// "(null)", as without mod_ssl).
	SSLVar func(name string) string
	// Load answers %l (load averages), Idle and Busy %i and %b (the
	// scoreboard's idle and busy workers); nil prints zeros.
	Load       func() (one, five, fifteen float64)
	Idle, Busy func() int
	// Note receives "Header note" (r->notes: the name, then the header's
	// value, "" when absent), e.g. for %{name}n in the access log.
	Note func(name, value string)
}

// Headers is a compiled conf.HeadersConfig. The nil *Headers does
// nothing. It is immutable and safe for concurrent use.
type Headers struct {
	in, out, err []entry
	fast         fastPlan
}

type entry struct {
	conf.HeaderEntry
	re    *regexp.Regexp // edit, edit*, echo
	plain string         // Value when it is a single literal
	isLit bool
	// canon is Header as fasthttp normalizes header names: Response
	// turns normalizing off while it works and uses canon instead, so
	// that each table operation skips fasthttp's title-casing pass.
	canon string
	// fast: the line may take the fast path (fast.go), its name being
	// bit bit of the response scan; canonB and plainB are canon and
	// plain as bytes.
	fast           bool
	bit            uint8
	canonB, plainB []byte
}

// Compile compiles cfg's regular expressions; nil for an empty
// configuration. Compile once per merged configuration and cache it.
func Compile(cfg *conf.HeadersConfig) (*Headers, error) {
	if cfg.Empty() {
		return nil, nil
	}
	h := &Headers{}
	var err error
	if h.in, err = compileList(cfg.In); err != nil {
		return nil, err
	}
	if h.out, err = compileList(cfg.Out); err != nil {
		return nil, err
	}
	if h.err, err = compileList(cfg.Err); err != nil {
		return nil, err
	}
	h.compileFast()
	return h, nil
}

func compileList(list []conf.HeaderEntry) ([]entry, error) {
	out := make([]entry, len(list))
	for i, e := range list {
		out[i].HeaderEntry = e
		out[i].canon = canonicalKey(e.Header)
		switch e.Action {
		case conf.HeaderEdit, conf.HeaderEditAll:
			re, err := regexp.Compile(e.Regex)
			if err != nil {
				return nil, fmt.Errorf("headers: edit %q: %w", e.Regex, err)
			}
			out[i].re = re
		case conf.HeaderEcho:
			re, err := regexp.Compile(e.Header)
			if err != nil {
				return nil, fmt.Errorf("headers: echo %q: %w", e.Header, err)
			}
			out[i].re = re
		}
		switch {
		case len(e.Value) == 0:
			out[i].isLit = true
		case len(e.Value) == 1 && e.Value[0].Kind == 0:
			out[i].plain, out[i].isLit = e.Value[0].Arg, true
		}
	}
	return out, nil
}

// HasRequest reports whether there are RequestHeader lines.
func (h *Headers) HasRequest() bool { return h != nil && len(h.in) > 0 }

// Request applies the RequestHeader lines to the request's headers, as
// mod_headers' fixups hook: call it after the per-directory SetEnvIf
// and SetEnv, before the handler, so the handler (and the access log's
// %{X}i) sees the changed headers.
func (h *Headers) Request(req *fasthttp.RequestHeader, v *Vars) {
	if h == nil || len(h.in) == 0 {
		return
	}
	t := reqTable{req}
	for i := range h.in {
		apply(&h.in[i], t, v, nil, false)
	}
}

// Response applies the Header lines to a response, as mod_headers'
// output and error filters do. success is true for a response the
// handler generated normally (mod_headers' FIXUP_HEADERS_OUT filter:
// Apache runs it for any status the handler itself produced, 404s of a
// proxied or CGI response included) and false for an error page the
// server made (ap_send_error_response: a 404 for a missing file, a 403
// from authz, a 500 ...), where only "Header always" applies.
//
// As in Apache, "Header always" acts on a separate table (the
// err_headers_out table, which starts empty here) that is sent before
// the others: "Header always unset X" cannot remove a header the handler
// set, and "Header always set X a" with "Header set X b" sends both.
func (h *Headers) Response(resp *fasthttp.ResponseHeader, success bool, v *Vars) {
	if h == nil || (len(h.err) == 0 && (!success || len(h.out) == 0)) {
		return
	}
	rt := respTable{resp}
	// Header names go in as fasthttp would normalize them (entry.canon),
	// unless the server keeps names as written.
	asWritten := resp.DisableNormalizing()
	if !asWritten {
		defer resp.EnableNormalizing()
	}
	present := allPresent
	if !asWritten && len(h.fast.keys) > 0 {
		present = h.fast.scan(resp)
	}
	if len(h.err) == 0 || (h.fast.errAll && present&h.fast.errMask == 0) {
		if success {
			h.outFast(resp, rt, v, present, !asWritten)
		}
		for i := range h.err {
			if e := &h.err[i]; e.envOK(v) {
				resp.AddBytesKV(e.canonB, e.plainB)
			}
		}
		return
	}
	errT := sliceTable{kv: make([]kv, 0, len(h.err))}
	for i := range h.err {
		apply(&h.err[i], &errT, v, resp, !asWritten)
	}
	if success {
		h.outFast(resp, rt, v, present, !asWritten)
	}
	if len(errT.kv) == 0 {
		return
	}
	// err_headers_out goes first (apr_table_overlay(err, out)): its
	// values go before the response's own values of the same name.
	// fasthttp's Del is not order-preserving, so all deletions come
	// before all additions. Usually no name is in both tables.
	clash := false
	for _, kv := range errT.kv {
		if resp.Peek(kv.k) != nil {
			clash = true
			break
		}
	}
	if !clash {
		for _, kv := range errT.kv {
			rt.add(kv.k, kv.v)
		}
		return
	}
	names := make([]string, 0, len(errT.kv))
	own := make([][]string, 0, len(errT.kv))
	for _, kv := range errT.kv {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, kv.k) }) {
			continue
		}
		names = append(names, kv.k)
		vals := rt.all(kv.k)
		if len(vals) > 0 {
			rt.del(kv.k)
		}
		own = append(own, vals)
	}
	for i, name := range names {
		for _, e := range errT.kv {
			if strings.EqualFold(e.k, name) {
				rt.add(e.k, e.v)
			}
		}
		for _, o := range own[i] {
			rt.add(name, o)
		}
	}
}

// outFast applies the onsuccess lines, the fast ones (fast.go) whose
// names are not in present as one append each.
func (h *Headers) outFast(resp *fasthttp.ResponseHeader, rt respTable, v *Vars, present uint64, canon bool) {
	for i := range h.out {
		e := &h.out[i]
		if e.fast && present&(1<<e.bit) == 0 {
			if e.envOK(v) {
				// The name is absent (scan): an append, without
				// SetCanonical's search of the list for it.
				resp.AddBytesKV(e.canonB, e.plainB)
			}
			continue
		}
		apply(e, rt, v, resp, canon)
	}
}

// apply is one step of do_headers_fixup. resp is the response (for
// echo and for Content-Type, which Apache keeps in r->content_type
// whichever table the line acts on), nil for RequestHeader.
func apply(e *entry, t table, v *Vars, resp *fasthttp.ResponseHeader, canon bool) {
	name := e.Header
	if canon {
		name = e.canon
	}
	if !e.envOK(v) {
		return
	}
	if resp != nil && strings.EqualFold(e.Header, "Content-Type") && e.Action != conf.HeaderEcho {
		t = respTable{resp}
	}
	switch e.Action {
	case conf.HeaderAdd:
		t.add(name, e.value(v))
	case conf.HeaderAppend:
		mergen(t, name, e.value(v))
	case conf.HeaderMerge:
		nv := e.value(v)
		if cur, ok := t.peek(name); !ok {
			t.add(name, nv)
		} else if !hasToken(cur, nv) {
			mergen(t, name, nv)
		}
	case conf.HeaderSet:
		t.set(name, e.value(v))
	case conf.HeaderSetIfEmpty:
		if _, ok := t.peek(name); !ok {
			t.set(name, e.value(v))
		}
	case conf.HeaderUnset:
		t.del(name)
	case conf.HeaderEcho:
		if v == nil || v.Request == nil || resp == nil {
			return
		}
		// echo_header adds to r->headers_out (the response) whichever
		// table the line belongs to.
		for k, val := range v.Request.All() {
			if e.re.Match(k) {
				resp.Add(string(k), string(val))
			}
		}
	case conf.HeaderEdit, conf.HeaderEditAll:
		vals := t.all(name)
		if len(vals) == 0 {
			return
		}
		repl := e.value(v)
		for i, s := range vals {
			vals[i] = e.edit(s, repl)
		}
		t.del(name)
		for _, s := range vals {
			t.add(name, s)
		}
	case conf.HeaderNote:
		if v != nil && v.Note != nil {
			cur, _ := t.peek(name)
			v.Note(e.value(v), cur)
		}
	}
}

// edit is process_regexp: the first match (edit) or every match (edit*)
// replaced by repl with $0..$9 expanded. For edit* Go's successive
// non-overlapping matches are used (an empty match right after a match
// is skipped, where PCRE's loop in Apache would take it; Apache 2.4.71
// crashes on edit* patterns that match empty, so nothing working
// differs).
func (e *entry) edit(s, repl string) string {
	if e.Action == conf.HeaderEdit {
		m := e.re.FindStringSubmatchIndex(s)
		if m == nil {
			return s
		}
		return s[:m[0]] + pregsub(repl, s, m) + s[m[1]:]
	}
	all := e.re.FindAllStringSubmatchIndex(s, -1)
	if all == nil {
		return s
	}
	var b strings.Builder
	pos := 0
	for _, m := range all {
		b.WriteString(s[pos:m[0]])
		b.WriteString(pregsub(repl, s, m))
		pos = m[1]
	}
	b.WriteString(s[pos:])
	return b.String()
}

// hasToken is hdr_merge's scan (a modified ap_get_token): whether nv is
// one of cur's comma-separated tokens, compared exactly, a quoted string
// being part of its token.
func hasToken(cur, nv string) bool {
	i := 0
	for i < len(cur) {
		for i < len(cur) && isSpace(cur[i]) {
			i++
		}
		start := i
		for i < len(cur) && cur[i] != ',' {
			c := cur[i]
			i++
			if c == '"' {
				for i < len(cur) {
					c2 := cur[i]
					i++
					if c2 == '"' {
						break
					}
				}
			}
		}
		if cur[start:i] == nv {
			return true
		}
		if i < len(cur) {
			i++
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// mergen is apr_table_mergen: ", value" appended to the first value of
// key, or a new entry.
func mergen(t table, key, value string) {
	vals := t.all(key)
	if len(vals) == 0 {
		t.add(key, value)
		return
	}
	vals[0] += ", " + value
	t.del(key)
	for _, s := range vals {
		t.add(key, s)
	}
}

// value is process_tags.
func (e *entry) value(v *Vars) string {
	if e.isLit {
		return e.plain
	}
	var b strings.Builder
	for _, tag := range e.Value {
		switch tag.Kind {
		case 0:
			b.WriteString(tag.Arg)
		case 'D':
			b.WriteString("D=")
			var d int64
			if v != nil && !v.Start.IsZero() {
				now := time.Now
				if v.Now != nil {
					now = v.Now
				}
				d = now().Sub(v.Start).Microseconds()
			}
			b.WriteString(strconv.FormatInt(d, 10))
		case 't':
			b.WriteString("t=")
			var t int64
			if v != nil {
				t = v.Start.UnixMicro()
			}
			b.WriteString(strconv.FormatInt(t, 10))
		case 'e':
			s, ok := "", false
			if v != nil && v.Env != nil {
				s, ok = v.Env.Lookup(tag.Arg)
			}
			if !ok {
				s = "(null)"
			}
			b.WriteString(unwrap(s))
		case 's':
			s := ""
			if v != nil && v.SSLVar != nil {
				s = v.SSLVar(tag.Arg)
			}
			if s == "" {
				s = "(null)"
			}
			b.WriteString(unwrap(s))
		case 'l':
			var a, c, d float64
			if v != nil && v.Load != nil {
				a, c, d = v.Load()
			}
			fmt.Fprintf(&b, "l=%.2f/%.2f/%.2f", a, c, d)
		case 'i', 'b':
			n := 0
			if v != nil {
				if f := v.Idle; tag.Kind == 'i' && f != nil {
					n = f()
				} else if f := v.Busy; tag.Kind == 'b' && f != nil {
					n = f()
				}
			}
			b.WriteByte(tag.Kind)
			b.WriteByte('=')
			b.WriteString(strconv.Itoa(n))
		}
	}
	return b.String()
}

// unwrap is unwrap_header: CR and LF become spaces.
func unwrap(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// pregsub is ap_pregsub (aptext.Pregsub), unbounded.
func pregsub(tmpl, src string, m []int) string {
	s, _ := aptext.Pregsub(tmpl, src, m, 0)
	return s
}

// canonicalKey is a header name as fasthttp normalizes it: each
// dash-separated word capitalized, unless the name has a byte outside
// the token characters (then fasthttp leaves it as it is). ETag is the
// exception: the site sets it spelt as Apache does, "ETag", not "Etag"
// (so "Header unset ETag" finds it).
func canonicalKey(k string) string {
	if strings.EqualFold(k, fasthttp.HeaderETag) {
		return fasthttp.HeaderETag
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return k
		}
	}
	b := []byte(k)
	upper := true
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
		upper = b[i] == '-'
	}
	return string(b)
}

// isTokenByte is RFC 9110's tchar (fasthttp's validHeaderFieldByte).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
