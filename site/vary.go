package site

import (
	"strings"

	"github.com/valyala/fasthttp"
)

var hdrVaryName = []byte(fasthttp.HeaderVary)

// fixupVary is Apache's fixup_vary (http_filters.c): every Vary field's
// comma-separated names, each once (compared without regard to case), in
// one field joined by "," ("Cookie,Accept-Language"), as
// ap_http_header_filter sends it whatever the modules added.
func fixupVary(h *fasthttp.ResponseHeader) {
	v := h.PeekCanonical(hdrVaryName)
	if v == nil {
		return
	}
	all := h.PeekAll(fasthttp.HeaderVary)
	if len(all) == 1 && !strings.ContainsAny(b2s(v), ", \t") {
		return // one name: nothing to do
	}
	var names []string
	for _, f := range all {
		for _, n := range strings.FieldsFunc(string(f), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			dup := false
			for _, have := range names {
				if strings.EqualFold(have, n) {
					dup = true
					break
				}
			}
			if !dup {
				names = append(names, n)
			}
		}
	}
	h.Del(fasthttp.HeaderVary)
	if len(names) > 0 {
		h.Set(fasthttp.HeaderVary, strings.Join(names, ","))
	}
}
