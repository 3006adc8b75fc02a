package site

// mod_negotiation's type-map handler ("AddHandler type-map var"): a
// *.var file lists variants of a resource (URI, Content-Type with qs,
// Content-Language, Content-Encoding, Description, Body); the variant
// that suits the request's Accept, Accept-Language, Accept-Charset and
// Accept-Encoding best is served by an internal redirect (or its inline
// Body), with Apache's server-driven algorithm (mod_negotiation.c's
// best_match and is_variant_better, LanguagePriority and
// ForceLanguagePriority), its Vary, TCN, Content-Location and variant-list
// ETag, and its 406 with Alternates and a variant list when nothing is
// acceptable. Compared with Apache 2.4.71 in TestTypeMapLikeApache.
//
// Not implemented: the "Negotiate" request header (RFC 2295 transparent
// negotiation by the user agent: Apache then sends 300 lists or lets
// the agent choose), text/html "level" parameters, the prefer-language
// environment variable, MultiViews (Options MultiViews stays refused),
// and a type map named by DirectoryIndex.

import (
	"bytes"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
)

// tmVariant is one record of a type map (var_rec) with its qualities.
type tmVariant struct {
	uri, mimeType, charset, encoding, description string
	langs                                         []string
	qs                                            float64
	body                                          []byte
	hasBody                                       bool
	length                                        int64 // -1: unknown

	typeQ, langQ, charsetQ, encQ float64
	langIndex, stars             int
}

// isTypeMap reports whether the handler mod_mime gives name (its base
// name's extensions, the last one with a handler winning) is type-map.
func isTypeMap(tm map[string]bool, name string) bool {
	if len(tm) == 0 {
		return false
	}
	base := strings.TrimLeft(name[strings.LastIndexByte(name, '/')+1:], ".")
	_, exts, ok := strings.Cut(base, ".")
	found := false
	for ok && exts != "" {
		var ext string
		ext, exts, _ = strings.Cut(exts, ".")
		if h, in := tm[strings.ToLower(ext)]; in {
			found = h
		}
	}
	return found
}

// readTypeMap parses a type map (read_type_map): records of "Name:
// value" lines (continued by lines starting with white space) separated
// by empty lines; a record counts when it has a URI and a content header.
func readTypeMap(data []byte) []*tmVariant {
	var out []*tmVariant
	lines := strings.Split(string(data), "\n")
	cur := &tmVariant{qs: 1, length: -1}
	has := false
	flush := func() {
		if cur.uri != "" && has {
			out = append(out, cur)
		}
		cur, has = &tmVariant{qs: 1, length: -1}, false
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		for i+1 < len(lines) && len(lines[i+1]) > 0 && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') &&
			strings.TrimSpace(lines[i+1]) != "" {
			i++
			line += " " + strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "uri":
			cur.uri = value
		case "content-type":
			typ, params, _ := strings.Cut(value, ";")
			cur.mimeType = strings.ToLower(strings.TrimSpace(typ))
			for p := range strings.SplitSeq(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				v = strings.Trim(strings.TrimSpace(v), `"`)
				switch strings.ToLower(strings.TrimSpace(k)) {
				case "qs":
					if f, err := strconv.ParseFloat(v, 64); err == nil {
						cur.qs = f
					}
				case "charset":
					cur.charset = strings.ToLower(v)
				}
			}
			has = true
		case "content-language":
			for l := range strings.SplitSeq(value, ",") {
				if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
					cur.langs = append(cur.langs, l)
				}
			}
			has = true
		case "content-encoding":
			cur.encoding = strings.ToLower(value)
			has = true
		case "content-length":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				cur.length = n
			}
		case "description":
			cur.description = value
			has = true
		case "body":
			delim := value
			var body strings.Builder
			for i+1 < len(lines) {
				i++
				if strings.TrimRight(lines[i], "\r") == delim {
					break
				}
				body.WriteString(lines[i] + "\n")
			}
			cur.body, cur.hasBody, has = []byte(body.String()), true, true
			cur.length = int64(len(cur.body))
		}
	}
	flush()
	return out
}

// acceptItem is one element of an Accept* header.
type acceptItem struct {
	name string
	q    float64
}

// parseAccept is do_header_line: names lower-cased, q defaulting to 1.
// It returns nil for an absent header, and whether some q was below 1.
func parseAccept(v []byte) (items []acceptItem, anyQ bool) {
	if v == nil {
		return nil, false
	}
	items = []acceptItem{}
	for e := range strings.SplitSeq(string(v), ",") {
		name, params, _ := strings.Cut(e, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		it := acceptItem{name: name, q: 1}
		for p := range strings.SplitSeq(params, ";") {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					it.q = f
				}
			}
		}
		if it.q < 1 {
			anyQ = true
		}
		items = append(items, it)
	}
	return items, anyQ
}

// negotiation is negotiation_state for one request.
type negotiation struct {
	accepts, langs, charsets, encodings []acceptItem
	acceptQ                             bool
	defaultLangQ                        float64
	priority                            []string
	flp                                 uint8
}

func (n *negotiation) setAcceptQuality(v *tmVariant) {
	q := 0.0
	for _, a := range n.accepts {
		prev := v.stars
		switch {
		case a.name == "*" || a.name == "*/*":
			if v.stars < 1 {
				v.stars = 1
			}
		case strings.HasSuffix(a.name, "/*") && strings.HasPrefix(v.mimeType, a.name[:len(a.name)-1]):
			if v.stars < 2 {
				v.stars = 2
			}
		case a.name == v.mimeType:
			v.stars = 3
		default:
			continue
		}
		if prev == v.stars {
			continue // not a more specific match
		}
		switch {
		case !n.acceptQ && v.stars == 1:
			q = 0.01
		case !n.acceptQ && v.stars == 2:
			q = 0.02
		default:
			q = a.q
		}
	}
	v.typeQ = q
}

func (n *negotiation) setLanguageQuality(v *tmVariant) {
	flp := n.flp
	if flp == 0 {
		flp = 2 // FLP_DEFAULT: Prefer
	}
	if len(v.langs) == 0 {
		v.langQ = n.defaultLangQ
	} else if n.langs != nil {
		var best, star *acceptItem
		fiddle := 0.0
		anyStar := false
		for _, lang := range v.langs {
			var bestTag *acceptItem
			longest := 0
			for i := range n.langs {
				a := &n.langs[i]
				if a.name == "*" {
					if star == nil {
						star = a
					}
					continue
				}
				if strings.HasPrefix(lang, a.name) && (len(lang) == len(a.name) || lang[len(a.name)] == '-') && len(a.name) > longest {
					longest, bestTag = len(a.name), a
				}
				if bestTag == nil {
					if p := strings.IndexByte(a.name, '-'); p >= 0 && strings.HasPrefix(lang, a.name[:p]) {
						fiddle = 0.001
					}
				}
			}
			if best == nil || (bestTag != nil && bestTag.q > best.q) {
				best = bestTag
			}
			if bestTag == nil && star != nil {
				anyStar = true
			}
		}
		if anyStar && (best == nil || star.q > best.q) {
			best = star
		}
		v.langQ = fiddle
		if best != nil {
			v.langQ = best.q
		}
	}
	if (flp&2 != 0 && v.langIndex < 0) || (flp&4 != 0 && v.langQ == 0) {
		bestIdx := -1
		for _, lang := range v.langs {
			for i, p := range n.priority {
				if strings.EqualFold(p, lang) && (bestIdx == -1 || i < bestIdx) {
					bestIdx = i
				}
			}
		}
		if bestIdx >= 0 {
			if v.langQ != 0 {
				if flp&2 != 0 {
					v.langIndex = bestIdx
				}
			} else if flp&4 != 0 {
				v.langIndex, v.langQ = bestIdx, 0.0001
			}
		}
	}
}

func (n *negotiation) setEncodingQuality(v *tmVariant) {
	enc := v.encoding
	identity := enc == "" || enc == "identity"
	if n.encodings == nil {
		v.encQ = 1
		if !identity {
			v.encQ = 0.5
		}
		return
	}
	notFound := 0.0
	if identity {
		enc, notFound = "identity", 0.0001
	}
	enc = strings.TrimPrefix(enc, "x-")
	var star *acceptItem
	for i := range n.encodings {
		name := strings.TrimPrefix(n.encodings[i].name, "x-")
		if name == enc {
			v.encQ = n.encodings[i].q
			return
		}
		if name == "*" {
			star = &n.encodings[i]
		}
	}
	if star != nil {
		v.encQ = star.q
		return
	}
	v.encQ = notFound
}

func (n *negotiation) setCharsetQuality(v *tmVariant) {
	v.charsetQ = 1
	if n.charsets == nil {
		return
	}
	cs := v.charset
	if cs == "" {
		if !strings.HasPrefix(v.mimeType, "text/") {
			return
		}
		cs = "iso-8859-1"
	}
	var star *acceptItem
	for i := range n.charsets {
		if n.charsets[i].name == cs {
			v.charsetQ = n.charsets[i].q
			return
		}
		if n.charsets[i].name == "*" {
			star = &n.charsets[i]
		}
	}
	switch {
	case star != nil:
		v.charsetQ = star.q
	case cs == "iso-8859-1":
		v.charsetQ = 1
	default:
		v.charsetQ = 0
	}
}

// better is is_variant_better (Apache's own algorithm).
func better(v, best *tmVariant, bestQ *float64, lengthOf func(*tmVariant) int64) bool {
	if v.encQ == 0 || v.langQ == 0 || v.qs == 0 || v.charsetQ == 0 || v.typeQ == 0 {
		return false
	}
	q := v.typeQ * v.qs
	if q == 0 || q < *bestQ {
		return false
	}
	if q > *bestQ || best == nil {
		*bestQ = q
		return true
	}
	if v.langQ < best.langQ {
		return false
	}
	if v.langQ > best.langQ {
		*bestQ = q
		return true
	}
	if best.langIndex != -1 && (v.langIndex == -1 || v.langIndex > best.langIndex) {
		return false
	}
	if v.langIndex != -1 && (best.langIndex == -1 || v.langIndex < best.langIndex) {
		*bestQ = q
		return true
	}
	if v.charsetQ < best.charsetQ {
		return false
	}
	if v.charsetQ > best.charsetQ ||
		(v.charset != "" && v.charset != "iso-8859-1" && (best.charset == "" || best.charset == "iso-8859-1")) {
		*bestQ = q
		return true
	}
	if v.encQ < best.encQ {
		return false
	}
	if v.encQ > best.encQ {
		*bestQ = q
		return true
	}
	if lengthOf(v) >= lengthOf(best) {
		return false
	}
	*bestQ = q
	return true
}

// serveTypeMap answers a request for a type map; it reports false when
// the file cannot be read (the static handler then answers).
func (s *Site) serveTypeMap(ctx *fasthttp.RequestCtx, v *vserver, r *resolved, rc *respCfg) bool {
	file := r.filename
	if file == "" || v.trivial {
		file = v.docroot + string(ctx.Path())
	}
	fi, err := os.Stat(file)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	vars := readTypeMap(data)
	if len(vars) == 0 {
		return false
	}
	dir := path.Dir(file)
	lengthOf := func(t *tmVariant) int64 {
		if t.length < 0 && !t.hasBody {
			if st, err := os.Stat(path.Join(dir, t.uri)); err == nil {
				t.length = st.Size()
			} else {
				t.length = 0
			}
		}
		return t.length
	}
	req := &ctx.Request.Header
	n := &negotiation{priority: rc.langPri, flp: rc.flp}
	n.accepts, n.acceptQ = parseAccept(req.Peek(fasthttp.HeaderAccept))
	if n.accepts == nil {
		n.accepts = []acceptItem{{name: "*/*", q: 1}}
	}
	n.langs, _ = parseAccept(req.Peek(fasthttp.HeaderAcceptLanguage))
	n.charsets, _ = parseAccept(req.Peek("Accept-Charset"))
	n.encodings, _ = parseAccept(req.Peek(fasthttp.HeaderAcceptEncoding))
	n.defaultLangQ = 1
	for _, t := range vars {
		if len(t.langs) > 0 {
			n.defaultLangQ = 0.0001
			break
		}
	}
	transparent := true
	var best *tmVariant
	bestQ := 0.0
	for _, t := range vars {
		t.langIndex, t.langQ, t.charsetQ = -1, 1, 1
		n.setAcceptQuality(t)
		n.setLanguageQuality(t)
		n.setEncodingQuality(t)
		n.setCharsetQuality(t)
		if better(t, best, &bestQ, lengthOf) {
			best = t
		}
		if strings.Contains(t.uri, "/") || t.hasBody {
			transparent = false
		}
	}
	h := &ctx.Response.Header
	if bestQ <= 0 || best == nil {
		s.sendError(ctx, fasthttp.StatusNotAcceptable, "")
		ctx.Response.SetBodyString(notAcceptablePage(vars))
		setNegHeaders(h, vars, transparent, "list", lengthOf)
		return true
	}
	if best.hasBody {
		if !ctx.IsGet() && !ctx.IsHead() { // M_GET covers HEAD
			s.sendError(ctx, fasthttp.StatusMethodNotAllowed, "")
			h.Set(fasthttp.HeaderAllow, "GET,POST,OPTIONS")
			return true
		}
		ctx.SetStatusCode(fasthttp.StatusOK)
		h.SetCanonical(hdrAcceptRanges, valBytes)
		ct := best.mimeType
		if ct != "" && best.charset != "" {
			ct += "; charset=" + best.charset
		}
		if ct != "" {
			h.SetContentType(ct)
		} else {
			h.SetNoDefaultContentType(true)
		}
		if len(best.langs) > 0 {
			h.Set(fasthttp.HeaderContentLanguage, strings.Join(best.langs, ", "))
		}
		if best.encoding != "" {
			h.Set(fasthttp.HeaderContentEncoding, best.encoding)
		}
		ctx.SetBody(best.body)
		setNegHeaders(h, vars, transparent, "choice", lengthOf)
		return true
	}
	// An internal redirect to the variant, its query string kept.
	orig := append([]byte(nil), ctx.Path()...)
	target := path.Join(path.Dir(string(orig)), best.uri)
	ctx.URI().SetPath(target)
	r2 := v.resolve(ctx.URI().Path(), ctx.Time())
	switch {
	case r2.check && s.denied(ctx, r2):
	case r2.handler != nil:
		r2.handler(ctx)
	default:
		s.serveStatic(ctx, v, r2)
	}
	ctx.URI().SetPathBytes(orig)
	if transparent {
		h.Set(fasthttp.HeaderContentLocation, best.uri)
		// The variant list's validator joins the variant's ETag
		// (Apache 2.4.71 leaves the closing quote out; gohttpd keeps it).
		if et := h.PeekCanonical(hdrETag); len(et) > 1 && et[len(et)-1] == '"' {
			nt := append(bytes.Clone(et[:len(et)-1]), ';')
			nt = strconv.AppendInt(nt, fi.Size(), 16)
			nt = append(nt, '-')
			nt = strconv.AppendInt(nt, fi.ModTime().UnixMicro(), 16)
			h.SetCanonical(hdrETag, append(nt, '"'))
		}
	}
	setNegHeaders(h, vars, transparent, "choice", lengthOf)
	return true
}

// setNegHeaders is set_neg_headers: Vary by the dimensions the variants
// differ in, TCN for a transparent resource, Alternates for a list.
func setNegHeaders(h *fasthttp.ResponseHeader, vars []*tmVariant, transparent bool, result string, lengthOf func(*tmVariant) int64) {
	var byType, byLang, byCharset, byEnc bool
	first := vars[0]
	for _, t := range vars[1:] {
		byType = byType || t.mimeType != first.mimeType
		byLang = byLang || strings.Join(t.langs, ",") != strings.Join(first.langs, ",")
		byCharset = byCharset || t.charset != first.charset
		byEnc = byEnc || t.encoding != first.encoding
	}
	var vary []string
	for _, d := range []struct {
		on   bool
		name string
	}{{transparent, "negotiate"}, {byType, "accept"}, {byLang, "accept-language"}, {byCharset, "accept-charset"}, {byEnc, "accept-encoding"}} {
		if d.on {
			vary = append(vary, d.name)
		}
	}
	if result == "list" {
		var alts []string
		for _, t := range vars {
			if t.hasBody {
				continue
			}
			q := strconv.FormatFloat(t.qs, 'f', 3, 64)
			q = strings.TrimRight(strings.TrimRight(q, "0"), ".")
			a := `{"` + t.uri + `" ` + q
			if t.mimeType != "" {
				a += " {type " + t.mimeType + "}"
			}
			if t.charset != "" {
				a += " {charset " + t.charset + "}"
			}
			if len(t.langs) > 0 {
				a += " {language " + strings.Join(t.langs, ",") + "}"
			}
			if t.encoding != "" {
				a += " {encoding " + t.encoding + "}"
			}
			if l := lengthOf(t); l >= 0 {
				a += " {length " + strconv.FormatInt(l, 10) + "}"
			}
			alts = append(alts, a+"}")
		}
		h.Set("Alternates", strings.Join(alts, ", "))
	}
	if len(vary) > 0 {
		h.Add(fasthttp.HeaderVary, strings.Join(vary, ","))
	}
	if transparent {
		// "TCN" as Apache writes it (fasthttp would send "Tcn").
		asWritten := h.DisableNormalizing()
		h.Set("TCN", result)
		if !asWritten {
			h.EnableNormalizing()
		}
	}
}

// notAcceptablePage is the 406 error page with make_variant_list's list.
func notAcceptablePage(vars []*tmVariant) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>406 Not Acceptable</title>\n" +
		"</head><body>\n<h1>Not Acceptable</h1>\n" +
		"<p>An appropriate representation of the requested resource could not be found on this server.</p>\n" +
		"Available variants:\n<ul>\n")
	for _, t := range vars {
		name := escapeHTML(t.uri)
		b.WriteString(`<li><a href="` + name + `">` + name + "</a> " + escapeHTML(t.description))
		if t.mimeType != "" {
			b.WriteString(", type " + t.mimeType)
		}
		if len(t.langs) > 0 {
			b.WriteString(", language " + strings.Join(t.langs, ", "))
		}
		if t.charset != "" {
			b.WriteString(", charset " + t.charset)
		}
		if t.encoding != "" {
			b.WriteString(", encoding " + t.encoding)
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul>\n</body></html>\n")
	return b.String()
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
