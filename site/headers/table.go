package headers

import (
	"slices"
	"strings"

	"github.com/valyala/fasthttp"
)

// table is the part of an apr table mod_headers uses, over fasthttp's
// header types or a plain list (the err_headers_out table). Keys compare
// case-insensitively.
type table interface {
	peek(key string) (string, bool)
	all(key string) []string
	del(key string)
	add(key, value string)
	set(key, value string)
}

type respTable struct{ h *fasthttp.ResponseHeader }

func (t respTable) peek(key string) (string, bool) {
	if v := t.h.Peek(key); v != nil {
		return string(v), true
	}
	return "", false
}

func (t respTable) all(key string) []string {
	raw := t.h.PeekAll(key)
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i] = string(v)
	}
	return out
}

func (t respTable) del(key string) {
	t.h.Del(key)
	if strings.EqualFold(key, fasthttp.HeaderContentType) {
		// No type at all, as Apache without r->content_type.
		t.h.SetNoDefaultContentType(true)
	}
}

func (t respTable) add(key, value string) { t.h.Add(key, value) }

func (t respTable) set(key, value string) {
	t.h.Del(key)
	t.h.Add(key, value)
}

type reqTable struct{ h *fasthttp.RequestHeader }

func (t reqTable) peek(key string) (string, bool) {
	if v := t.h.Peek(key); v != nil {
		return string(v), true
	}
	return "", false
}

func (t reqTable) all(key string) []string {
	raw := t.h.PeekAll(key)
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i] = string(v)
	}
	return out
}

func (t reqTable) del(key string)        { t.h.Del(key) }
func (t reqTable) add(key, value string) { t.h.Add(key, value) }
func (t reqTable) set(key, value string) { t.h.Del(key); t.h.Add(key, value) }

type kv struct{ k, v string }

type sliceTable struct{ kv []kv }

func (t *sliceTable) peek(key string) (string, bool) {
	for _, e := range t.kv {
		if strings.EqualFold(e.k, key) {
			return e.v, true
		}
	}
	return "", false
}

func (t *sliceTable) all(key string) []string {
	var out []string
	for _, e := range t.kv {
		if strings.EqualFold(e.k, key) {
			out = append(out, e.v)
		}
	}
	return out
}

func (t *sliceTable) del(key string) {
	out := t.kv[:0]
	for _, e := range t.kv {
		if !strings.EqualFold(e.k, key) {
			out = append(out, e)
		}
	}
	t.kv = out
}

func (t *sliceTable) add(key, value string) { t.kv = append(t.kv, kv{key, value}) }

// set is apr_table_setn: the first entry takes the value, the others go.
func (t *sliceTable) set(key, value string) {
	for i := range t.kv {
		if strings.EqualFold(t.kv[i].k, key) {
			t.del(key) // drops t.kv[i] too: put it back in place
			t.kv = slices.Insert(t.kv, i, kv{key, value})
			return
		}
	}
	t.add(key, value)
}
