package headers

import (
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// The fast path of Response: a "Header [always] set NAME literal" line
// whose NAME the response does not have yet is one append (Apache's
// apr_table_set on an absent key appends too), where the general path
// deletes first and, for "always" lines, builds the err_headers_out
// table and merges it. Which lines qualify is decided by compileFast;
// whether their names are present is found by one pass over the
// response's headers per request (scan). Every other case takes the
// general path, so the result is the same header for header and in the
// same order. The append is fasthttp's SetCanonical (the name is
// canonical already; on an absent name it appends), which skips the
// name's copy and normalizing pass of Add.

// fastPlan is what compileFast found. The zero value takes the general
// path.
type fastPlan struct {
	// keys are the qualifying names (canonical), bit i for keys[i].
	keys [][]byte
	// lens has bit n set when some key is n bytes long (n < 64).
	lens uint64
	// errAll: every "always" line qualifies and none of their names is
	// touched by an onsuccess line, so err_headers_out is a list of
	// appends made after the onsuccess lines when none of its names is
	// in the response.
	errAll  bool
	errMask uint64
}

// specialNames are the headers fasthttp keeps outside its list (or
// manages itself): the general path handles them.
var specialNames = []string{"Content-Type", "Content-Length", "Content-Encoding", "Connection",
	"Server", "Set-Cookie", "Transfer-Encoding", "Trailer", "Date"}

// simpleSet reports whether e is a "set" of a literal value on a name
// fasthttp stores in its plain list.
func simpleSet(e *entry) bool {
	if e.Action != conf.HeaderSet || !e.isLit || len(e.canon) == 0 || len(e.canon) >= 64 {
		return false
	}
	for _, s := range specialNames {
		if strings.EqualFold(s, e.Header) {
			return false
		}
	}
	return true
}

// compileFast marks the lines of h that may take the fast path.
func (h *Headers) compileFast() {
	count := func(list []entry, name string) int {
		n := 0
		for i := range list {
			if list[i].Action == conf.HeaderEcho || strings.EqualFold(list[i].Header, name) {
				n++
			}
		}
		return n
	}
	for _, e := range h.out {
		if e.Action == conf.HeaderEcho {
			return // echo adds names only known per request
		}
	}
	add := func(e *entry) {
		e.bit = uint8(len(h.fast.keys))
		e.fast = true
		h.fast.keys = append(h.fast.keys, []byte(e.canon))
		h.fast.lens |= 1 << len(e.canon)
	}
	for i := range h.out {
		e := &h.out[i]
		if len(h.fast.keys) < 64 && simpleSet(e) && count(h.out, e.Header) == 1 && count(h.err, e.Header) == 0 {
			add(e)
		}
	}
	errAll := true
	for i := range h.err {
		e := &h.err[i]
		if len(h.fast.keys) < 64 && simpleSet(e) && count(h.err, e.Header) == 1 && count(h.out, e.Header) == 0 {
			add(e)
			h.fast.errMask |= 1 << e.bit
		} else {
			errAll = false
		}
	}
	h.fast.errAll = errAll && len(h.err) > 0
	for _, list := range [][]entry{h.out, h.err} {
		for i := range list {
			list[i].canonB, list[i].plainB = []byte(list[i].canon), []byte(list[i].plain)
		}
	}
}

// allPresent: scan's answer when it cannot tell (every line then takes
// the general path).
const allPresent = ^uint64(0)

// scan returns the bits of the fast keys the response has.
func (f *fastPlan) scan(resp *fasthttp.ResponseHeader) uint64 {
	var present uint64
	for k := range resp.All() {
		n := len(k)
		if n >= 64 || f.lens&(1<<n) == 0 {
			if n == len("Trailer") && string(k) == "Trailer" {
				return allPresent // a trailer name: fasthttp files it elsewhere
			}
			continue
		}
		for i, key := range f.keys {
			if string(key) == string(k) {
				present |= 1 << i
			}
		}
	}
	return present
}

// envOK is the line's env= condition.
func (e *entry) envOK(v *Vars) bool {
	if e.Env == "" {
		return true
	}
	name, want := e.Env, true
	if name[0] == '!' {
		name, want = name[1:], false
	}
	var ok bool
	if v != nil && v.Env != nil {
		_, ok = v.Env.Lookup(name)
	}
	return ok == want
}
