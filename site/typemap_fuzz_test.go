package site

import (
	"testing"
)

// FuzzTypeMap: any type-map file and any Accept* headers are parsed and
// negotiated without panicking, and a chosen variant is one of the map's.
func FuzzTypeMap(f *testing.F) {
	f.Add([]byte("URI: foo.en.html\nContent-type: text/html; qs=0.5\nContent-language: en\n\nURI: foo.fr.html\nContent-type: text/html;charset=iso-8859-1\nContent-language: fr, de\n"),
		"text/*;q=0.5, */*;q=0.1", "fr;q=0.4, en-US", "utf-8, *;q=0.1", "gzip, identity;q=0")
	f.Add([]byte("URI: x\nBody:--\nhello\n--\nContent-type: text/plain\n"), "", "", "", "")
	f.Add([]byte("URI: a\n Content-type: \n\tcontinued\nContent-length: 12\n\n\n"), "*", "*", "*", "*")
	f.Fuzz(func(t *testing.T, data []byte, accept, lang, charset, enc string) {
		vars := readTypeMap(data)
		if len(vars) == 0 {
			return
		}
		n := &negotiation{priority: []string{"en", "fr"}, flp: 6, defaultLangQ: 1}
		n.accepts, n.acceptQ = parseAccept([]byte(accept))
		if accept == "" {
			n.accepts = []acceptItem{{name: "*/*", q: 1}}
		}
		n.langs, _ = parseAccept([]byte(lang))
		n.charsets, _ = parseAccept([]byte(charset))
		n.encodings, _ = parseAccept([]byte(enc))
		var best *tmVariant
		q := 0.0
		for _, v := range vars {
			v.langIndex, v.langQ, v.charsetQ = -1, 1, 1
			n.setAcceptQuality(v)
			n.setLanguageQuality(v)
			n.setEncodingQuality(v)
			n.setCharsetQuality(v)
			if better(v, best, &q, func(v *tmVariant) int64 { return v.length }) {
				best = v
			}
		}
		if best != nil && best.uri == "" {
			t.Errorf("chose a variant without URI from %q", data)
		}
		_ = notAcceptablePage(vars)
	})
}
