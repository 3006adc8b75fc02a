package rewrite

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/internal/aptext"
)

// Ruleset is a compiled mod_rewrite scope (a conf.RewriteConfig, usually
// the merge of a chain of scopes). It is immutable and safe for
// concurrent use. A nil *Ruleset does nothing.
type Ruleset struct {
	cfg   *conf.RewriteConfig
	rules []rule
}

type rule struct {
	*conf.RewriteRule
	re *conf.RewriteRegex
	// captures: some expansion of the rule or its conditions uses $N.
	captures bool
	conds    []cond
	// whole: the pattern is "^(.*)$" (1) or "^(.*)" / "(.*)" (2), the
	// canonical-host rules' pattern: matched without the regexp (whose
	// submatch API allocates).
	whole uint8
	// lit: the pattern is a literal (literal.go), for Match.
	lit *literal
}

type cond struct {
	*conf.RewriteCond
	re       *conf.RewriteRegex
	captures bool // a later expansion uses %N
	lit      *literal
	// varOnly: Input is "%{VAR}" alone, VAR here (expand's shortcut,
	// decided once).
	varOnly string
}

// Compile compiles a configuration; nil gives a nil Ruleset. The patterns
// were checked by conf, so an error means a configuration that did not
// come from conf's builder.
func Compile(c *conf.RewriteConfig) (*Ruleset, error) {
	if c == nil {
		return nil, nil
	}
	rs := &Ruleset{cfg: c, rules: make([]rule, 0, len(c.Rules))}
	for _, r := range c.Rules {
		re, err := conf.CompileRewriteRegex(r.Pattern, r.Has(conf.RuleNoCase))
		if err != nil {
			return nil, fmt.Errorf("rewrite: %s: RewriteRule: cannot compile regular expression '%s': %w", r.Pos, r.Pattern, err)
		}
		cr := rule{RewriteRule: r, re: re, lit: compileLiteral(r.Pattern, r.Has(conf.RuleNoCase))}
		switch r.Pattern {
		case "^(.*)$":
			cr.whole = 1
		case "^(.*)", "(.*)":
			cr.whole = 2
		}
		uses := func(s string, sigil byte) bool {
			for i := 0; i+1 < len(s); i++ {
				if s[i] == sigil && s[i+1] >= '0' && s[i+1] <= '9' && (i == 0 || s[i-1] != '\\') {
					return true
				}
			}
			return false
		}
		texts := append([]string{r.Subst, r.Type, r.Handler}, r.Env...)
		texts = append(texts, r.Cookies...)
		for i := range r.Conds {
			texts = append(texts, r.Conds[i].Input)
		}
		for _, t := range texts {
			if uses(t, '$') {
				cr.captures = true
			}
		}
		for i := range r.Conds {
			c := &r.Conds[i]
			cc := cond{RewriteCond: c}
			if in := c.Input; len(in) > 3 && in[0] == '%' && in[1] == '{' && closingCurly(in, 2) == len(in)-1 {
				cc.varOnly = in[2 : len(in)-1]
			}
			if c.Kind == conf.CondRegex {
				cc.lit = compileLiteral(c.Pattern, c.NoCase)
				cc.re, err = conf.CompileRewriteRegex(c.Pattern, c.NoCase)
				if err != nil {
					return nil, fmt.Errorf("rewrite: %s: RewriteCond: cannot compile regular expression '%s': %w", r.Pos, c.Pattern, err)
				}
				// %N refers to the last matched condition: any later text.
				later := append([]string{r.Subst, r.Type, r.Handler}, r.Env...)
				later = append(later, r.Cookies...)
				for j := i + 1; j < len(r.Conds); j++ {
					later = append(later, r.Conds[j].Input)
				}
				for _, t := range later {
					if uses(t, '%') {
						cc.captures = true
					}
				}
			}
			cr.conds = append(cr.conds, cc)
		}
		rs.rules = append(rs.rules, cr)
	}
	return rs, nil
}

// Config returns the configuration rs was compiled from.
func (rs *Ruleset) Config() *conf.RewriteConfig {
	if rs == nil {
		return nil
	}
	return rs.cfg
}

// Active reports whether rs has anything to do: RewriteEngine On and at
// least one rule. Both Server and Dir return at once otherwise.
func (rs *Ruleset) Active() bool {
	return rs != nil && rs.cfg.Engine == conf.RewriteOn && len(rs.rules) > 0
}

// FileInfo is what a file test needs of a file.
type FileInfo struct {
	Exists bool
	Mode   fs.FileMode
	Size   int64
}

// FS answers the file tests (-f -s -d -l -x -F) and the server-context
// prefix check. OSFS uses the real file system; tests use a fake.
type FS interface {
	// Stat follows symbolic links; Lstat does not.
	Stat(name string) FileInfo
	Lstat(name string) FileInfo
}

// Headers gives request headers (name in any case).
type Headers interface {
	Header(name string) (string, bool)
}

// Env gives the request's environment (%{ENV:name}: Apache looks in
// r->notes, then r->subprocess_env, then the process environment).
type Env interface {
	Getenv(name string) (string, bool)
}

// Request is what the engine reads of a request: plain values filled by
// the integrator, and three small interfaces. Unused values may stay
// empty.
type Request struct {
	// Method is the request method; URI is r->uri (the decoded,
	// normalized path); Query is r->args without '?' ("" for none).
	Method, URI, Query string
	// Scheme is "http" or "https" (ap_http_scheme; HTTPS is "on" for
	// https).
	Scheme string
	// ServerName and ServerPort are ap_get_server_name_for_url and
	// ap_get_server_port (UseCanonicalName applied), for SERVER_NAME,
	// SERVER_PORT and the host of redirects.
	ServerName string
	ServerPort int
	// RemoteAddr, RemotePort, ServerAddr, ConnRemoteAddr: the client
	// (after mod_remoteip), its port, the local address, the TCP peer.
	RemoteAddr     string
	RemotePort     int
	ServerAddr     string
	ConnRemoteAddr string
	// RemoteHost is the client's name if known (REMOTE_HOST), else "".
	RemoteHost string
	// TheRequest is the request line; Protocol is "HTTP/1.1".
	TheRequest, Protocol string
	// DocumentRoot of the virtual host; ContextPrefix and
	// ContextDocumentRoot as mod_alias sets them (else "" and the
	// DocumentRoot).
	DocumentRoot, ContextPrefix, ContextDocumentRoot string
	// Filename and PathInfo are r->filename and r->path_info after the
	// directory walk: used by Dir (the per-directory rules match
	// Filename+PathInfo). Server starts from URI.
	Filename, PathInfo string
	// RemoteUser and AuthType after authentication.
	RemoteUser, AuthType string
	// ServerAdmin and ServerSoftware (ServerTokens applied).
	ServerAdmin, ServerSoftware string
	// Headers, Env and FS; nil Headers and Env have no values, nil FS
	// is OSFS.
	Headers Headers
	Env     Env
	FS      FS
	// FileAccess, when set, is asked by -F after the file exists (Apache
	// runs a subrequest, access control included).
	FileAccess func(path string) bool
	// IsSelf answers ap_matches_request_vhost: a substitution that is a
	// URL of the virtual host itself is reduced to a local path instead
	// of redirecting. Apache's test: host is one of the <VirtualHost>
	// address names with its port (a "*" address never matches), or
	// the ServerName or a ServerAlias and port is the port written in
	// ServerName (none written: port 0, never equal; so with
	// "ServerName example.org" a rule to http://example.org/x
	// redirects, as measured on Apache 2.4.71). Nil: never.
	IsSelf func(host string, port int) bool
	// Now is the time of TIME* variables (zero: time.Now()).
	Now time.Time
	// LimitRequestLine (default 8190): a rewritten file name longer than
	// twice this fails with 500, as in Apache.
	LimitRequestLine int
	// End is set when an earlier phase or round of this request (before
	// an internal redirect too) used the END flag (Result.End).
	End bool
	// SymLinksOff: neither FollowSymLinks nor SymLinksIfOwnerMatch is
	// on where the per-directory rules apply (Dir answers 403, AH00670).
	SymLinksOff bool
	// TraceLevel is LogLevel rewrite:traceN (0: no trace lines).
	TraceLevel int

	// ctx: FromRequestCtx's request, whose connection fields are filled
	// on first use (connVars).
	ctx *fasthttp.RequestCtx
}

// Action is what the rules decided.
type Action uint8

const (
	// None: nothing was rewritten; go on as without mod_rewrite (Env,
	// Cookies, Type, Vary may still apply).
	None Action = iota
	// File (server context): the request maps to Result.Filename; skip
	// the URL-to-file mapping (Alias, DocumentRoot) and go on with the
	// directory walk on that file. r->uri stays.
	File
	// PassThrough (server context, PT): the URL is now Result.URI; go on
	// with the normal URL-to-file mapping (Alias, DocumentRoot) on it.
	PassThrough
	// InternalRedirect (per directory): restart the request with the URL
	// Result.URI and query Result.Query (ap_internal_redirect).
	InternalRedirect
	// Redirect: answer Result.Status with Location: Result.Location.
	Redirect
	// Status: answer Result.Status (403 F, 410 G, R=4xx/5xx, 400, 500)
	// with the site's error page.
	Status
)

var actionNames = [...]string{"none", "file", "passthrough", "internal-redirect", "redirect", "status"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "action(" + strconv.Itoa(int(a)) + ")"
}

// EnvVar is an E= flag's effect: set Name to Value, or unset Name.
type EnvVar struct {
	Name, Value string
	Unset       bool
}

// LogLine is a line for the error log: Level 1..8 is rewrite:traceN, 0
// is an error ([rewrite:error]) whose Text starts with its AH number
// when Apache's has one.
type LogLine struct {
	Level int
	Text  string
}

// Result is the outcome of Server or Dir.
type Result struct {
	Action Action
	// Status for Redirect and Status.
	Status int
	// Filename for File; URI for PassThrough and InternalRedirect.
	Filename, URI string
	// Query is r->args after the rules (without '?'); QueryChanged
	// whether it differs from Request.Query.
	Query        string
	QueryChanged bool
	// Location for Redirect (escaped as Apache does).
	Location string
	// Env are E= effects in order; the integrator applies them to the
	// request's environment (subprocess_env).
	Env []EnvVar
	// Cookies are Set-Cookie values (CO=), sent with any answer.
	Cookies []string
	// Type is T= (lower case): the response's Content-Type; Handler is
	// H= (a handler gohttpd has). Both belong to the request they were
	// computed on: after an InternalRedirect they are lost, as Apache's
	// r->notes are (Env and Cookies are not: the environment moves to
	// REDIRECT_* names, Set-Cookie stays in err_headers_out).
	Type, Handler string
	// Vary lists the request headers the matching rules' conditions
	// read, to merge into the response's Vary header.
	Vary string
	// End: a rule with END matched; pass Request.End = true to every
	// later Server and Dir call for this request, internal redirects
	// included.
	End bool
	// DiscardPathInfo: a DPI rule matched in per-directory context.
	DiscardPathInfo bool
	// Log holds trace lines (Request.TraceLevel) and errors.
	Log []LogLine
}

// run is the state of one pass over a rule list (rewrite_ctx plus the
// request_rec fields mod_rewrite changes).
type run struct {
	req      *Request
	rs       *Ruleset
	perdir   string
	filename string
	pathInfo string
	args     string
	status   int
	uri      string // ctx->uri
	lastsub  *rule
	reduced  bool
	res      Result

	rrSrc, rcSrc string
	rrOK, rcOK   bool
	rr, rc       [20]int
	rrN, rcN     int
	vary         string
	varyThis     string
	// fullFile+fullPI = full, cached
	fullFile, fullPI, full string
	trace                  bool
}

func (r *run) tracef(level int, format string, args ...any) {
	if level > r.req.TraceLevel {
		return
	}
	text := fmt.Sprintf(format, args...)
	if r.perdir != "" {
		text = "[perdir " + r.perdir + "] " + text
	}
	r.res.Log = append(r.res.Log, LogLine{Level: level, Text: text})
}

// tracef0 is a trace line Apache logs without the "[perdir ...]" prefix.
func (r *run) tracef0(level int, format string, args ...any) {
	if level > r.req.TraceLevel {
		return
	}
	r.res.Log = append(r.res.Log, LogLine{Level: level, Text: fmt.Sprintf(format, args...)})
}

func (r *run) errorf(format string, args ...any) {
	r.res.Log = append(r.res.Log, LogLine{Text: fmt.Sprintf(format, args...)})
}

func (r *run) fs() FS {
	if r.req.FS != nil {
		return r.req.FS
	}
	return OSFS{}
}

// the values apply_rewrite_list returns
const (
	actNone = iota
	actNormal
	actNoEscape
	actStatus
	actStatusSet
)

// rule results
const (
	rcNoMatch = iota
	rcMatch
	rcNoSub
	rcStatusSet
)

// applyList is apply_rewrite_list.
func (r *run) applyList() int {
	changed := actNone
	round := 1
	rules := r.rs.rules
loop:
	for i := 0; i < len(rules); i++ {
		p := &rules[i]
		r.vary = ""
		rc := r.applyRule(p)
		if rc == rcNoMatch {
			for i < len(rules) && rules[i].Has(conf.RuleChain) {
				i++
			}
			continue
		}
		if !p.Has(conf.RuleNoSub) {
			if r.trace {
				r.tracef(2, "setting lastsub to rule with output %s", p.Subst)
			}
			r.lastsub = p
		}
		limit := r.req.LimitRequestLine
		if limit <= 0 {
			limit = 8190
		}
		if len(r.filename) > 2*limit {
			r.errorf("RewriteRule '%s' and URI '%s' exceeded maximum length (%d)", p.Pattern, r.req.URI, 2*limit)
			r.status = 500
			return actStatus
		}
		if r.vary != "" {
			if r.res.Vary == "" {
				r.res.Vary = r.vary
			} else {
				r.res.Vary += ", " + r.vary
			}
		}
		if rc == rcStatusSet {
			return actStatusSet
		}
		if p.Has(conf.RuleStatus) {
			return actStatus
		}
		if rc != rcNoSub {
			changed = actNormal
			if p.Has(conf.RuleNoEscape) {
				changed = actNoEscape
			}
		}
		if p.Has(conf.RulePassThrough) {
			if r.trace {
				r.tracef(2, "forcing '%s' to get passed through to next API URI-to-filename handler", r.filename)
			}
			r.filename = "passthrough:" + r.filename
			changed = actNormal
			break
		}
		if p.Has(conf.RuleEnd) {
			if r.trace {
				r.tracef(8, "Rule has END flag, no further rewriting for this request")
			}
			r.res.End = true
			break
		}
		if p.Has(conf.RuleLast) {
			break
		}
		if p.Has(conf.RuleNext) {
			round++
			if round >= p.MaxRounds {
				r.errorf("AH02596: RewriteRule '%s' and URI '%s' exceeded maximum number of rounds (%d) via the [N] flag", p.Pattern, r.req.URI, p.MaxRounds)
				r.status = 500
				return actStatus
			}
			goto loop
		}
		if p.Skip > 0 {
			i = min(i+p.Skip, len(rules))
		}
	}
	return changed
}

// applyRule is apply_rewrite_rule.
func (r *run) applyRule(p *rule) int {
	r.uri = r.filename
	if r.perdir != "" {
		if r.pathInfo != "" {
			if r.trace {
				r.tracef(3, "add path info postfix: %s -> %s%s", r.uri, r.uri, r.pathInfo)
			}
			// the same concatenation for every rule until one rewrites
			if r.fullFile != r.filename || r.fullPI != r.pathInfo {
				r.fullFile, r.fullPI, r.full = r.filename, r.pathInfo, r.filename+r.pathInfo
			}
			r.uri = r.full
		}
		if strings.HasPrefix(r.uri, r.perdir) {
			if r.trace {
				r.tracef(3, "strip per-dir prefix: %s -> %s", r.uri, r.uri[len(r.perdir):])
			}
			r.uri = r.uri[len(r.perdir):]
		}
	}
	if r.trace {
		pat := p.Pattern
		if p.Has(conf.RuleNotMatch) {
			pat = "!" + pat
		}
		r.tracef(3, "applying pattern '%s' to uri '%s'", pat, r.uri)
	}
	var matched bool
	if p.captures && !p.Has(conf.RuleNotMatch) {
		var idx []int
		if p.whole != 0 {
			idx, matched = p.wholeMatch(r.uri, r.rr[:0])
		} else {
			idx, matched = p.re.Submatch(r.uri, r.rr[:0])
		}
		if matched {
			r.rrN = copy(r.rr[:], idx) / 2
		}
	} else if p.lit != nil {
		matched = p.lit.match(r.uri)
	} else {
		matched = p.re.Match(r.uri)
	}
	if matched == p.Has(conf.RuleNotMatch) {
		return rcNoMatch
	}
	r.varyThis = ""
	r.rcOK = false
	r.rrOK = matched && p.captures
	r.rrSrc = r.uri
	if !p.captures {
		r.rrN = 0
	}

	for i := 0; i < len(p.conds); i++ {
		c := &p.conds[i]
		ok := r.applyCond(c)
		if c.NoVary {
			r.varyThis = ""
		}
		if c.OrNext {
			if !ok {
				r.varyThis = ""
				continue
			}
			for i < len(p.conds) && p.conds[i].OrNext {
				i++
			}
		} else if !ok {
			return rcNoMatch
		}
		if r.varyThis != "" {
			if r.vary == "" {
				r.vary = r.varyThis
			} else {
				r.vary += ", " + r.varyThis
			}
			r.varyThis = ""
		}
	}

	var newuri string
	if !p.Has(conf.RuleNoSub) {
		unsafeQ := -1
		if p.Has(conf.RuleUnsafeAllow3F) {
			newuri = r.expand(p.Subst, p, nil)
		} else {
			newuri = r.expand(p.Subst, p, &unsafeQ)
		}
		if r.trace {
			r.tracef(2, "rewrite '%s' -> '%s'", r.uri, newuri)
		}
		if unsafeQ > 0 {
			r.errorf("AH10508: Unsafe URL with %%3f URL rewritten without UnsafeAllow3F")
			r.status = 403
			return rcStatusSet
		}
	}
	for _, e := range p.Env {
		r.setEnv(r.expand(e, nil, nil))
	}
	for _, c := range p.Cookies {
		r.addCookie(r.expand(c, nil, nil))
	}
	if p.Has(conf.RuleNoSub) {
		r.forceType(p)
		if p.Has(conf.RuleStatus) {
			if r.trace {
				r.tracef(2, "forcing responsecode %d for %s", p.Status, r.filename)
			}
			r.status = p.Status
		}
		return rcNoSub
	}

	prefixAdded := false
	if !strings.HasPrefix(newuri, "/") && absoluteURI(newuri) == 0 {
		if r.perdir != "" {
			if r.trace {
				r.tracef(3, "add per-dir prefix: %s -> %s%s", newuri, r.perdir, newuri)
			}
			newuri = r.perdir + newuri
			prefixAdded = true
		} else if !p.Has(conf.RuleRedirect) {
			if r.trace {
				r.tracef(3, "add root prefix: %s -> /%s", newuri, newuri)
			}
			newuri = "/" + newuri
			prefixAdded = true
		}
	}
	r.filename = newuri
	if r.perdir != "" && p.Has(conf.RuleDiscardPath) {
		r.pathInfo = ""
		r.res.DiscardPathInfo = true
	}
	r.splitQuery(p.Flags)

	if p.Has(conf.RuleRedirect) {
		r.fullyQualify()
		if r.trace {
			r.tracef(2, "explicitly forcing redirect with %s", r.filename)
		}
		r.status = p.Status
		return rcMatch
	}
	r.reduceURI()
	if absoluteURI(r.filename) > 0 {
		if r.trace {
			r.tracef(2, "implicitly forcing redirect (rc=%d with %s", p.Status, r.filename)
		}
		r.status = p.Status
		return rcMatch
	}
	if !p.Has(conf.RuleUNC) && !prefixAdded {
		if len(p.Subst) < 2 || p.Subst[0] != '/' || p.Subst[1] != '/' {
			for len(r.filename) > 1 && r.filename[0] == '/' && r.filename[1] == '/' {
				r.filename = r.filename[1:]
			}
		}
	}
	r.forceType(p)
	return rcMatch
}

// wholeMatch is p.re.Submatch for the patterns of p.whole, as PCRE
// matches them: '.' stops at a newline, '$' matches at the end or before
// a final newline.
func (p *rule) wholeMatch(s string, dst []int) ([]int, bool) {
	end := len(s)
	if nl := strings.IndexByte(s, '\n'); nl >= 0 {
		if p.whole == 1 && nl != len(s)-1 {
			return dst[:0], false
		}
		end = nl
	}
	return append(dst[:0], 0, end, 0, end), true
}

// applyCond is apply_rewrite_cond.
func (r *run) applyCond(c *cond) bool {
	var input string
	if c.varOnly != "" {
		input = r.lookup(c.varOnly)
	} else {
		input = r.expand(c.Input, nil, nil)
	}
	var ok bool
	switch c.Kind {
	case conf.CondFile:
		fi := r.fs().Stat(input)
		ok = fi.Exists && fi.Mode.IsRegular()
	case conf.CondSize:
		fi := r.fs().Stat(input)
		ok = fi.Exists && fi.Mode.IsRegular() && fi.Size > 0
	case conf.CondLink:
		fi := r.fs().Lstat(input)
		ok = fi.Exists && fi.Mode&fs.ModeSymlink != 0
	case conf.CondDir:
		fi := r.fs().Stat(input)
		ok = fi.Exists && fi.Mode.IsDir()
	case conf.CondExec:
		fi := r.fs().Stat(input)
		ok = fi.Exists && fi.Mode&0o111 != 0
	case conf.CondLookupFile:
		if input != "" {
			fi := r.fs().Stat(input)
			ok = fi.Exists && !fi.Mode.IsDir() && (r.req.FileAccess == nil || r.req.FileAccess(input))
			if r.trace {
				r.tracef0(5, "RewriteCond file (-F check: path=%s -> file=%s status=%d", input, input, map[bool]int{true: 200, false: 404}[ok])
			}
		}
	case conf.CondStrGE, conf.CondStrGT:
		basis := 0
		if c.Kind == conf.CondStrGT {
			basis = 1
		}
		ok = compare(input, c.Pattern, c.NoCase) >= basis
	case conf.CondStrLE, conf.CondStrLT:
		basis := 0
		if c.Kind == conf.CondStrLT {
			basis = -1
		}
		ok = compare(input, c.Pattern, c.NoCase) <= basis
	case conf.CondStrEQ:
		if c.NoCase {
			ok = strings.EqualFold(input, c.Pattern)
		} else {
			ok = input == c.Pattern
		}
	case conf.CondIntGE:
		ok = catoi(input) >= catoi(c.Pattern)
	case conf.CondIntGT:
		ok = catoi(input) > catoi(c.Pattern)
	case conf.CondIntLE:
		ok = catoi(input) <= catoi(c.Pattern)
	case conf.CondIntLT:
		ok = catoi(input) < catoi(c.Pattern)
	case conf.CondIntEQ:
		ok = catoi(input) == catoi(c.Pattern)
	default:
		if c.captures && !c.Not {
			var idx []int
			var buf [20]int
			idx, ok = c.re.Submatch(input, buf[:0])
			if ok {
				r.rcSrc, r.rcOK = input, true
				r.rcN = copy(r.rc[:], idx) / 2
			}
		} else {
			if c.lit != nil {
				ok = c.lit.match(input)
			} else {
				ok = c.re.Match(input)
			}
			if ok && !c.Not {
				// a match without captures used later: %N are empty
				r.rcSrc, r.rcOK, r.rcN = input, true, 0
			}
		}
	}
	if c.Not {
		ok = !ok
	}
	if r.trace {
		nc := ""
		if c.NoCase {
			nc = " [NC]"
		}
		res := "not-matched"
		if ok {
			res = "matched"
		}
		r.tracef(4, "RewriteCond: input='%s' pattern='%s'%s => %s", input, c.Text, nc, res)
	}
	return ok
}

// compare is strcasecmp (nocase) or compare_lexicography (a longer
// string is greater, whatever its bytes).
func compare(a, b string, nocase bool) int {
	if nocase {
		return aptext.Strcasecmp(a, b)
	}
	if len(a) != len(b) {
		if len(a) > len(b) {
			return 1
		}
		return -1
	}
	return strings.Compare(a, b)
}

// catoi is C's atoi (leading space, sign, digits; 0 otherwise).
func catoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := int64(0)
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
		}
	}
	if neg {
		n = -n
	}
	return int(max(min(n, 1<<31-1), -1<<31))
}

// forceType is force_type_handler.
func (r *run) forceType(p *rule) {
	if p.Type != "" {
		if t := strings.ToLower(r.expand(p.Type, p, nil)); t != "" {
			if r.trace {
				r.tracef(2, "remember %s to have MIME-type '%s'", r.filename, t)
			}
			r.res.Type = t
		}
	}
	if p.Handler != "" {
		r.res.Handler = p.Handler
	}
}

// setEnv is do_expand_env for one value.
func (r *run) setEnv(s string) {
	if name, ok := strings.CutPrefix(s, "!"); ok {
		r.res.Env = append(r.res.Env, EnvVar{Name: name, Unset: true})
		if r.trace {
			r.tracef0(5, "unsetting env variable '%s'", name)
		}
		return
	}
	name, val, _ := strings.Cut(s, ":")
	r.res.Env = append(r.res.Env, EnvVar{Name: name, Value: val})
	if r.trace {
		r.tracef0(5, "setting env variable '%s' to '%s'", name, val)
	}
}

// getenv is %{ENV:name}: values set by E= in this pass first.
func (r *run) getenv(name string) string {
	for i := len(r.res.Env) - 1; i >= 0; i-- {
		if e := r.res.Env[i]; e.Name == name {
			if e.Unset {
				break
			}
			return e.Value
		}
	}
	if r.req.Env != nil {
		if v, ok := r.req.Env.Getenv(name); ok {
			return v
		}
	}
	return ""
}

// splitQuery is splitout_queryargs.
func (r *run) splitQuery(flags conf.RewriteRuleFlags) {
	if flags&conf.RuleQSNone != 0 {
		if r.trace {
			r.tracef0(2, "discarding query string, no parse from substitution")
		}
		r.args = ""
		return
	}
	skip, qs := absoluteURIQS(r.filename)
	if skip > 0 && !qs {
		r.args = ""
		return
	}
	if flags&conf.RuleQSDiscard != 0 {
		r.args = ""
		if r.trace {
			r.tracef0(2, "discarding query string")
		}
	}
	var q int
	if flags&conf.RuleQSLast != 0 {
		q = strings.LastIndexByte(r.filename[skip:], '?')
	} else {
		q = strings.IndexByte(r.filename[skip:], '?')
	}
	if q < 0 {
		return
	}
	q += skip
	old := r.filename
	newArgs := r.filename[q+1:]
	r.filename = r.filename[:q]
	if flags&conf.RuleQSAppend != 0 {
		if newArgs != "" {
			r.args = newArgs + "&" + r.args
		}
	} else {
		r.args = newArgs
	}
	r.args = strings.TrimSuffix(r.args, "&")
	if r.trace {
		a := r.args
		if a == "" {
			a = "<none>"
		}
		r.tracef0(3, "split uri=%s -> uri=%s, args=%s", old, r.filename, a)
	}
}

// fullyQualify is fully_qualify_uri.
func (r *run) fullyQualify() {
	if r.req.Method == "CONNECT" || absoluteURI(r.filename) > 0 {
		return
	}
	var b strings.Builder
	b.WriteString(r.scheme())
	b.WriteString("://")
	b.WriteString(r.serverNameForURL())
	if port := r.req.ServerPort; port != 0 && port != r.defaultPort() {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(port))
	}
	if !strings.HasPrefix(r.filename, "/") {
		b.WriteByte('/')
	}
	b.WriteString(r.filename)
	r.filename = b.String()
}

func (r *run) scheme() string {
	if r.req.Scheme == "" {
		return "http"
	}
	return r.req.Scheme
}

func (r *run) defaultPort() int {
	if r.scheme() == "https" {
		return 443
	}
	return 80
}

// serverNameForURL brackets an IPv6 literal (ap_get_server_name_for_url).
func (r *run) serverNameForURL() string {
	n := r.req.ServerName
	if strings.Contains(n, ":") && !strings.HasPrefix(n, "[") {
		return "[" + n + "]"
	}
	return n
}

// reduceURI is reduce_uri: strip http[s]://ourhost[:port] from the new
// URL.
func (r *run) reduceURI() {
	sch := r.scheme()
	f := r.filename
	l := len(sch)
	if len(f) <= l+3 || !strings.EqualFold(f[:l], sch) || f[l:l+3] != "://" {
		return
	}
	rest := f[l+3:]
	end := strings.IndexAny(rest, "/:")
	var host, url string
	port := r.defaultPort()
	switch {
	case end >= 0 && rest[end] == ':':
		host = rest[:end]
		after := rest[end+1:]
		slash := strings.IndexByte(after, '/')
		ps := after
		url = "/"
		if slash >= 0 {
			ps, url = after[:slash], after[slash:]
		}
		port = catoi(ps) & 0xffff
	case end >= 0:
		host, url = rest[:end], rest[end:]
	default:
		host, url = rest, "/"
	}
	if r.req.IsSelf != nil && r.req.IsSelf(host, port) {
		if r.trace {
			r.tracef0(3, "reduce %s -> %s", r.filename, url)
		}
		r.filename = url
		r.reduced = r.rs.cfg.Options&conf.RewriteLegacyPrefixDocRoot == 0
	}
}

// absoluteURI is is_absolute_uri: the length of the scheme and "://" (or
// ':') of an absolute URI, 0 for anything else.
func absoluteURI(u string) int {
	n, _ := absoluteURIQS(u)
	return n
}

var schemes = []struct {
	prefix string
	qs     bool
}{
	{"ajp://", true}, {"balancer://", true}, {"ftp://", false}, {"fcgi://", true},
	{"gopher://", false}, {"http://", true}, {"https://", true}, {"h2://", true},
	{"h2c://", true}, {"ldap://", false}, {"mailto:", true}, {"news:", false},
	{"nntp://", false}, {"scgi://", true}, {"ws://", true}, {"wss://", true},
}

func absoluteURIQS(u string) (int, bool) {
	if len(u) <= 5 || u[0] == '/' {
		return 0, false
	}
	for _, s := range schemes {
		if len(u) >= len(s.prefix) && strings.EqualFold(u[:len(s.prefix)], s.prefix) {
			return len(s.prefix), s.qs
		}
	}
	if strings.EqualFold(u[:5], "unix:") {
		if len(u) > 6 && u[5] == '/' && u[6] == '/' {
			return 7, true
		}
		return 5, true
	}
	return 0, false
}
