package alias

import (
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// Request is what mod_alias needs to know about a request.
type Request struct {
	// URI is Apache's r->uri: the decoded path with "." and ".."
	// resolved and runs of '/' merged (fasthttp's ctx.Path()).
	URI string
	// Args is the query string without '?' ("" for none: fasthttp does
	// not tell "/x?" from "/x", so a bare '?' is dropped).
	Args string
	// ConstructURL is ap_construct_url: scheme://host[:port] followed by
	// path, the host and port chosen per UseCanonicalName (the request's
	// Host with Off, the default; ServerName with On). Redirect targets
	// that are URL-paths go through it. Nil: the path is used as it is
	// (as with RedirectRelative On).
	ConstructURL func(path string) string
}

// LogLine is an error log line Apache writes for the decision, at Level,
// with its AH number in Text. The site writes it with the request's
// client, as [alias:level].
type LogLine struct {
	Level slog.Level
	Text  string
}

// Result is what mod_alias decides for a request.
type Result struct {
	// Status is the status to answer with, 0 to go on: a 3xx with
	// Location set (the site's error-page code renders Apache's "The
	// document has moved" page, see Page), another status (410 for
	// "gone", 404, 500 after a failed substitution) as an error page,
	// with ErrorDocument applying.
	Status int
	// Location is the Location header of a 3xx answer.
	Location string
	// Filename is the file an Alias or AliasMatch mapped the request to
	// (Status 0): the request is served from it instead of DocumentRoot,
	// through the <Directory> sections that apply to it.
	Filename string
	// Log holds the lines to write to the error log.
	Log []LogLine
	// Recursive is set with Status 500 when the redirect target held
	// bytes a header cannot carry (Apache's AH02430, logged as
	// [http:error]): Apache then sends its 500 page with "Additionally, a
	// 302 Found error was encountered ..." (observed), which
	// errordoc.PageInfo{Status: 500, Recursive: res.Recursive} renders.
	Recursive int
}

// Matched reports whether mod_alias took the request (a redirect, a
// status or an alias).
func (r *Result) Matched() bool { return r.Status != 0 || r.Filename != "" }

// Translate is mod_alias's translate_name hook (translate_alias_redir):
// the one-argument Redirect of the request's <Location> sections (loc,
// the merge of the server's default section and the matching <Location>
// sections, nil for none), then the server's Redirect lines (srv, after
// MergeAliasServer: the virtual host's before the main server's), then
// the one-argument Alias of loc, then the Alias lines. The first match
// decides. Paths that do not start with '/' are left alone.
//
// It allocates nothing when nothing matches.
func Translate(req *Request, srv *conf.AliasServer, loc *conf.AliasDir) Result {
	if req.URI != "" && req.URI[0] != '/' {
		return Result{}
	}
	var res Result
	if found, status, ok := tryRedirect(loc); ok {
		finishRedirect(req, loc, found, status, &res, "AH00673", "AH00674")
		return res
	}
	if srv != nil {
		if found, status, ok := tryList(req, srv.Redirects, true, &res); ok {
			if res.Status == 0 {
				finishRedirect(req, loc, found, status, &res, "AH00673", "AH00674")
			}
			return res
		}
	}
	if loc != nil && loc.AliasSet {
		found := loc.Alias
		if loc.AliasFake != "" && loc.AliasPreservePathSet && loc.AliasPreservePath {
			if l := conf.AliasPrefixLen(req.URI, loc.AliasFake); l > 0 {
				found += req.URI[l:]
			}
		}
		res.Filename = found
		return res
	}
	if srv != nil {
		if found, _, ok := tryList(req, srv.Aliases, false, &res); ok {
			if res.Status == 0 {
				res.Filename = found
			}
			return res
		}
	}
	return Result{}
}

// Fixup is mod_alias's fixups hook (fixup_redir), run after the request
// is mapped to a file and its sections are merged (dir: the full merge of
// <Directory>, <Files>, .htaccess and <Location>, nil for none): the
// one-argument Redirect in effect, then the sections' Redirect lines
// (innermost section's first). It allocates nothing when nothing matches.
func Fixup(req *Request, dir *conf.AliasDir) Result {
	if dir == nil {
		return Result{}
	}
	var res Result
	if found, status, ok := tryRedirect(dir); ok {
		finishRedirect(req, dir, found, status, &res, "AH00675", "AH00676")
		return res
	}
	if found, status, ok := tryList(req, dir.Redirects, true, &res); ok {
		if res.Status == 0 {
			finishRedirect(req, dir, found, status, &res, "AH00675", "AH00676")
		}
		return res
	}
	return Result{}
}

// tryRedirect is try_redirect: the one-argument Redirect of d.
func tryRedirect(d *conf.AliasDir) (string, int, bool) {
	if d == nil || !d.RedirectSet {
		return "", 0, false
	}
	found := ""
	if d.Redirect != "" {
		found = escapeTarget(d.Redirect)
	}
	return found, d.RedirectStatus, true
}

// tryList is try_alias_list. A failed substitution sets res to 500.
func tryList(req *Request, list []conf.AliasEntry, redirect bool, res *Result) (string, int, bool) {
	for i := range list {
		e := &list[i]
		var found string
		if e.Regex {
			re := e.Regexp()
			if re == nil || !strings.HasPrefix(req.URI, e.AnchoredPrefix()) {
				continue
			}
			m := re.FindStringSubmatchIndex(req.URI)
			if m == nil {
				continue
			}
			if e.Real != "" {
				s, ok := pregsub(e.Real, req.URI, m)
				if !ok {
					res.Status = 500
					res.Log = append(res.Log, LogLine{slog.LevelError,
						"AH00672: Regex substitution in '" + e.Real + "' failed. Replacement too long?"})
					return "", 0, true
				}
				found = s
				if redirect {
					found = escapeTarget(found)
				}
			}
		} else {
			l := conf.AliasPrefixLen(req.URI, e.Fake)
			if l == 0 {
				continue
			}
			if redirect {
				found = string(appendEscapePath(append(make([]byte, 0, len(e.Real)+len(req.URI)-l+8), e.Real...), req.URI[l:]))
			} else {
				found = e.Real + req.URI[l:]
			}
		}
		if !redirect && !filepath.IsAbs(found) && e.Root != "" {
			found = filepath.Join(e.Root, found)
		}
		return found, e.Status, true
	}
	return "", 0, false
}

// finishRedirect turns a matched redirect into the answer: a URL-path
// target made absolute with ConstructURL (unless RedirectRelative On),
// refused with 500 when it is not a URL, the request's query string
// appended when the target has none; other statuses as they are.
func finishRedirect(req *Request, d *conf.AliasDir, found string, status int, res *Result, debugAH, errAH string) {
	res.Status = status
	if status < 300 || status >= 400 {
		return
	}
	relative := d != nil && d.RedirectRelativeSet && d.RedirectRelative
	if !relative || !strings.HasPrefix(found, "/") {
		if strings.HasPrefix(found, "/") && req.ConstructURL != nil {
			orig := found
			found = req.ConstructURL(found)
			res.Log = append(res.Log, LogLine{slog.LevelDebug,
				debugAH + ": incomplete redirection target of '" + orig + "' for URI '" + req.URI + "' modified to '" + found + "'"})
		}
		if !conf.IsURL(found) && !(req.ConstructURL == nil && strings.HasPrefix(found, "/")) {
			res.Status = 500
			res.Log = append(res.Log, LogLine{slog.LevelError,
				errAH + ": cannot redirect '" + req.URI + "' to '" + found + "'; target is not a valid absoluteURI or abs_path"})
			return
		}
	}
	if req.Args != "" && strings.IndexByte(found, '?') < 0 {
		found += "?" + req.Args
	}
	if !validFieldValue(found) {
		// The query and fragment of a RedirectMatch target are not
		// escaped: $1 can carry a decoded CR LF. Apache's header filter
		// refuses the response (check_headers).
		res.Log = append(res.Log, LogLine{slog.LevelError,
			"AH02430: Response header 'Location' value of '" + escapeLogItem(found) + "' contains invalid characters, aborting request"})
		res.Recursive, res.Status = status, 500
		return
	}
	res.Location = found
}

// validFieldValue is what Apache's header check accepts: HTAB, SP,
// visible characters and obs-text.
func validFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// escapeLogItem is ap_escape_logitem: control characters, '"' and '\'
// escaped as in Apache's error log.
func escapeLogItem(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
