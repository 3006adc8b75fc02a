package mimetype

import (
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// Types is the TypesConfig table: extension (lower case, no dot) to
// media type, from conf.LoadMimeTypes. It is shared and read-only.
type Types map[string]string

// Result is what mod_mime (and ForceType) decided for a file.
type Result struct {
	// ContentType is r->content_type before AddDefaultCharset ("" when
	// no extension is known: Apache 2.4 then sends no Content-Type).
	ContentType string
	// Encoding is the Content-Encoding from AddEncoding ("x-gzip"; several
	// extensions give "gzip, x-compress"), "" for none.
	Encoding string
}

// DirType is the type Apache gives a directory (DIR_MAGIC_TYPE), which
// mod_dir and mod_autoindex look for; it is never sent.
const DirType = "httpd/unix-directory"

// Lookup is find_ct followed by the core's ForceType: the type and
// encoding of the file name (the last path segment of a mapped file
// name) under cfg (the merged per-directory configuration; nil is
// none) and types.
//
// Extensions are every dot-separated part after the first one (leading
// dots ignored, empty parts skipped): "file.tar.gz" tries "tar" then
// "gz", a later one's type winning and encodings adding up;
// "index.html.en" is text/html (an unknown extension changes nothing,
// AddLanguage is not supported). For each extension an AddType (or a
// RemoveType) replaces TypesConfig's type; AddCharset's charset is set
// on (or replaces in) the final type's parameters. ForceType replaces
// the type (not the encoding) unless it is "none".
//
// The common case (one known extension, no charset) allocates nothing.
func Lookup(cfg *conf.MimeConfig, types Types, name string) Result {
	var r Result
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	fn := strings.TrimLeft(name, ".")
	var charset string
	if dot := strings.IndexByte(fn, '.'); dot >= 0 {
		rest := fn[dot+1:]
		var buf [32]byte
		for rest != "" {
			var ext string
			if j := strings.IndexByte(rest, '.'); j >= 0 {
				ext, rest = rest[:j], rest[j+1:]
			} else {
				ext, rest = rest, ""
			}
			if ext == "" {
				continue
			}
			// m[string(k)] does not allocate.
			k := buf[:0]
			for i := 0; i < len(ext); i++ {
				c := ext[i]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				k = append(k, c)
			}
			var info conf.MimeExt
			var hasInfo bool
			if cfg != nil && cfg.Ext != nil {
				info, hasInfo = cfg.Ext[string(k)]
			}
			if !hasInfo || !info.TypeSet {
				if t, ok := types[string(k)]; ok {
					r.ContentType = t
				}
			}
			if hasInfo {
				if info.TypeSet && info.Type != "" {
					r.ContentType = info.Type
				}
				if info.Charset != "" {
					charset = info.Charset
				}
				if info.Encoding != "" {
					if r.Encoding == "" {
						r.Encoding = info.Encoding
					} else {
						r.Encoding = r.Encoding + ", " + info.Encoding
					}
				}
			}
		}
	}
	if r.ContentType != "" && (charset != "" || strings.IndexByte(r.ContentType, ';') >= 0) {
		r.ContentType = withParams(r.ContentType, charset)
	}
	if cfg != nil && cfg.ForceType != "" && cfg.ForceType != "none" {
		r.ContentType = cfg.ForceType
	}
	return r
}

// withParams is the end of find_ct (analyze_ct and the rebuild):
// "type/subtype" and its parameters as "; attr=value", the charset
// parameter replaced by charset (or added at the end) when charset is
// set.
func withParams(ct, charset string) string {
	base, params, _ := strings.Cut(ct, ";")
	var b strings.Builder
	b.WriteString(strings.TrimSpace(base))
	override := false
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		attr, val, _ := strings.Cut(p, "=")
		attr, val = strings.TrimSpace(attr), strings.TrimSpace(val)
		if charset != "" && attr == "charset" {
			if !override {
				b.WriteString("; charset=")
				b.WriteString(charset)
				override = true
			}
			continue
		}
		b.WriteString("; ")
		b.WriteString(attr)
		b.WriteByte('=')
		b.WriteString(val)
	}
	if charset != "" && !override {
		b.WriteString("; charset=")
		b.WriteString(charset)
	}
	return b.String()
}

// DefaultCharset is ap_make_content_type's AddDefaultCharset step, for
// the Content-Type of every response (error pages and Header-set types
// included): with AddDefaultCharset On (or a charset) in cfg, a type
// containing "text/plain" or "text/html" and no "charset=" (both
// compared without case, anywhere in the value, as Apache's strmatch
// does) gets "; charset=NAME". Otherwise ct is returned as it is.
func DefaultCharset(cfg *conf.MimeConfig, ct string) string {
	if cfg == nil || cfg.Charset != conf.DefaultCharsetOn || ct == "" {
		return ct
	}
	if containsFold(ct, "charset=") {
		return ct
	}
	if containsFold(ct, "text/plain") || containsFold(ct, "text/html") {
		return ct + "; charset=" + cfg.CharsetName
	}
	return ct
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
