package rewrite

import (
	"strings"

	"github.com/gohttpd/gohttpd/conf"
)

// Server runs a server's (or virtual host's) rules on a request, as
// mod_rewrite's translate_name hook (hook_uri2file) does: before the URL
// is mapped to a file. rs is the compiled server scope (the virtual
// host's conf.MergeRewriteServer result); it does nothing (Action None,
// no allocation) unless rs.Active().
func Server(rs *Ruleset, req *Request) Result {
	if !rs.Active() || req.End {
		return Result{}
	}
	if rs.cfg.Options&conf.RewriteAllowAnyURI == 0 && (req.URI == "" || req.URI[0] != '/') {
		return Result{}
	}
	r := run{req: req, rs: rs, filename: req.URI, args: req.Query, trace: req.TraceLevel > 0}
	if r.trace {
		r.tracef(2, "init rewrite engine with requested uri %s", r.filename)
	}
	status := r.applyList()
	if status == actNone {
		if r.trace {
			r.tracef(1, "pass through %s", r.filename)
		}
		return r.result(None, 0)
	}
	if r.queryUnsafe(status) {
		r.errorf("AH10410: Rewritten query string contains control characters or spaces")
		return r.result(Status, 403)
	}
	switch status {
	case actStatus, actStatusSet:
		return r.result(Status, r.status)
	}
	if skip := absoluteURI(r.filename); skip > 0 {
		loc := r.location(skip, status)
		res := r.result(Redirect, r.redirectStatus())
		res.Location = loc
		return res
	}
	if u, ok := strings.CutPrefix(r.filename, "passthrough:"); ok && len(r.filename) > 12 {
		res := r.result(PassThrough, 0)
		res.URI = u
		return res
	}
	if r.trace {
		r.tracef(2, "local path result: %s", r.filename)
	}
	if !strings.HasPrefix(r.filename, "/") {
		return r.result(Status, 400)
	}
	lastsub := r.lastsub
	if rs.cfg.Options&conf.RewriteUnsafePrefixStat != 0 {
		lastsub = nil
	}
	if !r.prefixStat(r.filename, lastsub) || r.reduced {
		f, ok := coreTranslate(req.DocumentRoot, r.filename)
		if !ok {
			req.connVars()
			r.errorf("AH00127: Cannot map %s to file", req.TheRequest)
			return r.result(Status, 403)
		}
		if r.trace {
			r.tracef(2, "prefixed with document_root to %s", f)
		}
		r.filename = f
	}
	if r.trace {
		r.tracef(1, "go-ahead with %s [OK]", r.filename)
	}
	res := r.result(File, 0)
	res.Filename = r.filename
	return res
}

// Dir runs per-directory rules (a <Directory> section's or an
// .htaccess file's, merged with conf.MergeRewriteDir), as mod_rewrite's
// fixup hook (hook_fixup) does: after the directory walk, with
// req.Filename and req.PathInfo set. A changed URL is an
// InternalRedirect: the integrator restarts the request with it, and
// the per-directory rules run again in the new request (see the package
// documentation for L and END). rs does nothing unless rs.Active() and
// it is a per-directory scope.
func Dir(rs *Ruleset, req *Request) Result {
	if !rs.Active() || rs.cfg.Dir == "" {
		return Result{}
	}
	dir := rs.cfg.Dir
	if rs.cfg.Options&conf.RewriteAllowNoSlash == 0 {
		// the .htaccess of /foo/ for the URL /foo: let mod_dir redirect
		if l := len(dir) - 1; len(req.Filename) == l && dir[l] == '/' && strings.HasPrefix(dir, req.Filename) {
			return Result{}
		}
	}
	if req.End {
		return Result{}
	}
	r := run{req: req, rs: rs, perdir: dir, filename: req.Filename, pathInfo: req.PathInfo, args: req.Query, trace: req.TraceLevel > 0}
	if req.SymLinksOff {
		r.errorf("AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule directive is also forbidden due to its similar ability to circumvent directory restrictions : %s", req.Filename)
		return Result{Action: Status, Status: 403, Log: r.res.Log}
	}
	ofilename := req.Filename
	if r.filename == "" {
		r.filename = req.URI
		if r.trace {
			r.tracef(2, "init rewrite engine with requested uri %s", r.filename)
		}
	}
	status := r.applyList()
	if status == actNone {
		if r.trace {
			r.tracef(1, "pass through %s", ofilename)
		}
		return r.result(None, 0)
	}
	if r.queryUnsafe(status) {
		r.errorf("AH10411: Rewritten query string contains control characters or spaces")
		return r.result(Status, 403)
	}
	switch status {
	case actStatus, actStatusSet:
		return r.result(Status, r.status)
	}
	base, hasBase := rs.cfg.Base, rs.cfg.BaseSet
	if skip := absoluteURI(r.filename); skip > 0 {
		if hasBase {
			if slash := strings.IndexByte(r.filename[skip:], '/'); slash >= 0 && skip+slash+1 < len(r.filename) {
				cp := skip + slash + 1
				if r.trace {
					r.tracef(2, "trying to replace prefix %s with %s", dir, base)
				}
				d := strings.TrimPrefix(dir, "/")
				if sub := substPrefixPath(r.filename[cp:], d, base[1:]); sub != r.filename[cp:] {
					r.filename = r.filename[:cp] + sub
				}
			}
		}
		loc := r.location(skip, status)
		res := r.result(Redirect, r.redirectStatus())
		res.Location = loc
		return res
	}
	r.filename = strings.TrimPrefix(r.filename, "passthrough:")
	if !strings.HasPrefix(r.filename, "/") {
		return r.result(Status, 400)
	}
	if ofilename != "" && r.filename == ofilename {
		if r.trace {
			r.tracef(1, "initial URL equal rewritten URL: %s [IGNORING REWRITE]", r.filename)
		}
		return r.result(None, 0)
	}
	before := r.filename
	if hasBase {
		if r.trace {
			r.tracef(2, "trying to replace prefix %s with %s", dir, base)
		}
		r.filename = substPrefixPath(r.filename, dir, base)
	} else if root := strings.TrimSuffix(req.DocumentRoot, "/"); req.DocumentRoot != "" &&
		strings.HasPrefix(r.filename, root) && len(r.filename) > len(root) && r.filename[len(root)] == '/' {
		if r.trace {
			r.tracef(2, "strip document_root prefix: %s -> %s", r.filename, r.filename[len(root):])
		}
		r.filename = r.filename[len(root):]
	}
	croot := req.ContextDocumentRoot
	if croot == "" {
		croot = req.DocumentRoot // ap_context_document_root's default
	}
	if before == r.filename && rs.cfg.Options&conf.RewriteIgnoreContextInfo == 0 && croot != "" {
		if r.trace {
			r.tracef(2, "trying to replace context docroot %s with context prefix %s", croot, req.ContextPrefix)
		}
		r.filename = substPrefixPath(r.filename, croot, req.ContextPrefix)
	}
	if r.trace {
		r.tracef(1, "internal redirect with %s [INTERNAL REDIRECT]", r.filename)
	}
	res := r.result(InternalRedirect, 0)
	res.URI = r.filename
	return res
}

// result is the Result so far with the action, status and query.
func (r *run) result(a Action, status int) Result {
	res := r.res
	res.Action, res.Status = a, status
	res.Query, res.QueryChanged = r.args, r.args != r.req.Query
	return res
}

// queryUnsafe: the query has a control character or a space and will
// not be escaped (AH10410/AH10411).
func (r *run) queryUnsafe(status int) bool {
	if r.args == "" {
		return false
	}
	if absoluteURI(r.filename) > 0 && status != actNoEscape {
		return false
	}
	for i := 0; i < len(r.args); i++ {
		if !vcharObstext(r.args[i]) {
			return true
		}
	}
	return false
}

func (r *run) redirectStatus() int {
	if r.status >= 300 && r.status <= 399 {
		return r.status
	}
	return 302
}

// location escapes the redirect target and appends the query.
func (r *run) location(skip, status int) string {
	loc := r.filename
	if status != actNoEscape {
		if r.trace {
			r.tracef(1, "escaping %s for redirect", loc)
		}
		loc = escapeAbsoluteURI(loc, skip)
	}
	if r.args != "" {
		if status == actNoEscape || r.args == r.req.Query {
			loc += "?" + r.args
		} else {
			loc += "?" + escapeURI(r.args)
		}
	}
	if r.trace {
		r.tracef(1, "redirect to %s [REDIRECT/%d]", loc, r.redirectStatus())
	}
	return loc
}

// substPrefixPath is subst_prefix_path: replace the directory prefix
// match of input with subst (RewriteBase).
func substPrefixPath(input, match, subst string) string {
	l := len(match)
	if l > 0 && match[l-1] == '/' {
		l--
	}
	if !strings.HasPrefix(input, match[:l]) || len(input) <= l || input[l] != '/' {
		return input
	}
	l++
	if subst != "" && !strings.HasSuffix(subst, "/") {
		subst += "/"
	}
	return subst + input[l:]
}

// prefixStat is prefix_stat: whether the first segment of path exists
// (and the rule wrote it, or path lies in the document root), in which
// case path is a file system path; else it is document-root relative.
func (r *run) prefixStat(path string, lastsub *rule) bool {
	rest := strings.TrimLeft(path, "/")
	seg := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		seg = rest[:i]
	}
	if seg == ".." {
		return false
	}
	statpath := "/" + seg
	if !r.fs().Stat(statpath).Exists {
		return false
	}
	if lastsub == nil || lastsub.Has(conf.RuleUnsafePrefix) {
		return true
	}
	root, croot := r.req.DocumentRoot, r.req.ContextDocumentRoot
	return strings.HasPrefix(lastsub.Subst, statpath) ||
		(root != "" && strings.HasPrefix(path, root)) ||
		(croot != "" && croot != root && strings.HasPrefix(path, croot))
}

// coreTranslate is ap_core_translate for a rewritten URL: the document
// root joined with the path (leading slashes dropped), refused when
// ".." climbs above the root (APR_FILEPATH_SECUREROOT).
func coreTranslate(root, uri string) (string, bool) {
	p := strings.TrimLeft(uri, "/")
	depth := 0
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "..":
			depth--
			if depth < 0 {
				return "", false
			}
		case "", ".":
		default:
			depth++
		}
	}
	root = strings.TrimSuffix(root, "/")
	if !strings.Contains(p, "/.") && !strings.Contains(p, "//") && !strings.HasPrefix(p, ".") {
		return root + "/" + p, true
	}
	var segs []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "..":
			segs = segs[:len(segs)-1]
		case ".", "":
		default:
			segs = append(segs, seg)
		}
	}
	out := root + "/" + strings.Join(segs, "/")
	if strings.HasSuffix(p, "/") && len(segs) > 0 {
		out += "/"
	}
	return out, true
}
