package site

import (
	"path/filepath"
	"strings"

	"github.com/gohttpd/gohttpd/site/mimetype"
)

// listingTypes is what mod_autoindex's subrequest for each listed entry
// learns from mod_mime: its type and encoding (AddType, AddEncoding,
// TypesConfig), for AddIconByType, AddIconByEncoding and the Alt
// variants. The listed directory's configuration stands for each
// entry's.
func (s *Site) listingTypes(v *vserver, r *resolved) func(string) (string, string) {
	if rs := v.rs; rs != nil && rs.mime {
		var rc *respCfg
		if r.resp != nil {
			rc = r.resp
		} else {
			rc = &respCfg{}
		}
		return func(name string) (string, string) {
			res := mimetype.Lookup(rc.mime, rs.shared.types, name)
			return res.ContentType, res.Encoding
		}
	}
	return func(name string) (string, string) { return v.types.lookup([]byte(name)), "" }
}

// cleanFile is a mapped file name (an Alias target, a rewrite's file) as
// Apache's directory walk canonicalises it (apr_filepath_merge): "." and
// ".." segments resolved, a trailing slash kept.
func cleanFile(f string) string {
	if !strings.Contains(f, "/.") {
		return f
	}
	c := filepath.Clean(f)
	if strings.HasSuffix(f, "/") && c != "/" {
		c += "/"
	}
	return c
}
