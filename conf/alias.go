package conf

// mod_alias directives: the types of Alias, AliasMatch, Redirect,
// RedirectMatch, RedirectPermanent, RedirectTemp, RedirectRelative and
// AliasPreservePath, built by AliasBuilder (one per server or virtual host,
// fed the directives of the server and of its sections) and combined by
// MergeAliasServer (virtual host onto main server) and MergeAliasDir
// (between sections). Their behaviour is in site/alias. ScriptAlias and
// ScriptAliasMatch (CGI) are refused.

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strings"
)

// AliasContext is where an alias or redirect directive is written; it
// decides which forms Apache allows (ap_check_cmd_context) and where the
// directive's entry goes.
type AliasContext uint8

const (
	// AliasInServer is the server configuration or a <VirtualHost>.
	AliasInServer AliasContext = iota
	// AliasInDirectory is <Directory> (and AliasInDirectoryMatch
	// <DirectoryMatch>: the same rules, their name in messages).
	AliasInDirectory
	// AliasInLocation is <Location> (AliasInLocationMatch <LocationMatch>).
	AliasInLocation
	// AliasInFiles is <Files> (AliasInFilesMatch <FilesMatch>).
	AliasInFiles
	// AliasInHTAccess is a .htaccess file (AllowOverride FileInfo).
	AliasInHTAccess
	AliasInDirectoryMatch
	AliasInLocationMatch
	AliasInFilesMatch
)

// kind folds the Match variants into their base context.
func (c AliasContext) kind() AliasContext {
	switch c {
	case AliasInDirectoryMatch:
		return AliasInDirectory
	case AliasInLocationMatch:
		return AliasInLocation
	case AliasInFilesMatch:
		return AliasInFiles
	}
	return c
}

// AliasEntry is one Alias, AliasMatch, Redirect or RedirectMatch line
// (Apache's alias_entry).
type AliasEntry struct {
	// Fake is the URL-path prefix ("/icons/"), or the regular expression
	// when Regex.
	Fake string `json:"fake"`
	// Real is the file path (Alias, absolute: a relative one was joined
	// to ServerRoot) or the target URL (Redirect, as written: an absolute
	// URL or a URL-path, with $N for RedirectMatch); "" for a redirect
	// without URL (gone, or a 4xx/5xx status).
	Real string `json:"real,omitempty"`
	// Regex: AliasMatch or RedirectMatch.
	Regex bool `json:"regex,omitempty"`
	// Status is the redirect's status (301, 302, 303, 410, any 3xx with
	// a URL, other statuses without); 0 for aliases.
	Status int `json:"status,omitempty"`
	// Root is ServerRoot for an AliasMatch whose substituted path may be
	// relative (it is then joined to Root, as ap_server_root_relative).
	Root string `json:"root,omitempty"`

	re     *regexp.Regexp // compiled Fake when Regex
	prefix string         // literal text every match starts with at offset 0
}

// Regexp is the compiled Fake (Regex only; nil otherwise). Entries built
// by AliasBuilder or decoded from JSON have it.
func (e *AliasEntry) Regexp() *regexp.Regexp { return e.re }

// AnchoredPrefix is, for a pattern anchored with '^' and followed by
// literal text ("^/img/(.*)$"), that text ("/img/"): a path that does not
// start with it cannot match, which site/alias checks before running the
// regular expression. "" when there is none.
func (e *AliasEntry) AnchoredPrefix() string { return e.prefix }

func (e *AliasEntry) compile() error {
	re, err := compileAliasRegex(e.Fake)
	if err != nil {
		return err
	}
	e.re, e.prefix = re, anchoredPrefix(e.Fake)
	return nil
}

// anchoredPrefix finds the literal text after a leading '^' (no case
// folding) in pattern.
func anchoredPrefix(pattern string) string {
	re, err := syntax.Parse("(?s)"+pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return ""
	}
	var b strings.Builder
	for _, sub := range re.Sub[1:] {
		if sub.Op != syntax.OpLiteral || sub.Flags&syntax.FoldCase != 0 {
			break
		}
		b.WriteString(string(sub.Rune))
	}
	return b.String()
}

// compileAliasRegex compiles an AliasMatch or RedirectMatch pattern with
// Apache's default flags (AP_REG_DEFAULT = DOTALL|DOLLAR_ENDONLY in
// ap_regex.h): with (?s), Go's RE2 matches '.' and '$' as PCRE does under
// those flags. RE2 rather than PCRE: linear time on client-controlled
// paths, the same engine as site/proxy's ProxyPassMatch; a pattern it
// cannot compile (lookaround, backreferences) is refused with Apache's
// "Regular expression could not be compiled.".
func compileAliasRegex(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?s)" + pattern)
	if err != nil {
		return nil, regexError{err}
	}
	return re, nil
}

// regexError is Apache's message for a pattern that does not compile; the
// RE2 detail stays reachable through Unwrap.
type regexError struct{ err error }

func (e regexError) Error() string { return "Regular expression could not be compiled." }
func (e regexError) Unwrap() error { return e.err }

// UnmarshalJSON decodes an entry (see MarshalJSON) and compiles its
// pattern.
func (e *AliasEntry) UnmarshalJSON(b []byte) error {
	var w aliasEntryWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = AliasEntry{Fake: string(w.Fake), Real: string(w.Real), Regex: w.Regex, Status: w.Status, Root: string(w.Root)}
	if e.Regex {
		if err := e.compile(); err != nil {
			return fmt.Errorf("alias pattern %q: %w", e.Fake, err)
		}
	}
	return nil
}

// AliasServer is what a server or virtual host says with Alias,
// AliasMatch, Redirect and RedirectMatch outside sections (Apache's
// per-server alias_server_conf). Values are immutable once built.
type AliasServer struct {
	// Aliases are Alias and AliasMatch lines, in the order they are tried.
	Aliases []AliasEntry `json:"aliases,omitempty"`
	// Redirects are Redirect* and RedirectMatch lines, tried before
	// Aliases.
	Redirects []AliasEntry `json:"redirects,omitempty"`
}

// MergeAliasServer is merge_alias_config for a virtual host (vhost) under
// the main server (main): the virtual host's entries first, then the main
// server's (apr_array_append(p, overrides->aliases, base->aliases)), for
// aliases and redirects alike. Either argument may be nil; the result
// shares the inputs' slices.
func MergeAliasServer(main, vhost *AliasServer) *AliasServer {
	if main == nil {
		return vhost
	}
	if vhost == nil {
		return main
	}
	return &AliasServer{
		Aliases:   concatEntries(vhost.Aliases, main.Aliases),
		Redirects: concatEntries(vhost.Redirects, main.Redirects),
	}
}

func concatEntries(a, b []AliasEntry) []AliasEntry {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	return append(append(make([]AliasEntry, 0, len(a)+len(b)), a...), b...)
}

// AliasDir is what one section (<Location>, <Directory>, <Files>,
// .htaccess) says with mod_alias's directives (Apache's alias_dir_conf);
// MergeAliasDir combines sections. Values are immutable once built.
type AliasDir struct {
	// Redirects are the section's Redirect and RedirectMatch lines with a
	// URL-path (checked at the fixups step, after the request is mapped).
	Redirects []AliasEntry `json:"redirects,omitempty"`

	// Alias is the one-argument Alias of a <Location> (the file path),
	// meaningful when AliasSet; AliasFake is the <Location>'s path.
	Alias     string `json:"alias,omitempty"`
	AliasFake string `json:"aliasfake,omitempty"`
	AliasSet  bool   `json:"aliasset,omitempty"`

	// Redirect is the one-argument Redirect of a section (the target
	// URL, "" for a status without URL such as "Redirect gone"), with
	// RedirectStatus, meaningful when RedirectSet.
	Redirect       string `json:"redirect,omitempty"`
	RedirectStatus int    `json:"redirectstatus,omitempty"`
	RedirectSet    bool   `json:"redirectset,omitempty"`

	// RedirectRelative On: a URL-path target is sent as it is instead of
	// being made absolute; meaningful when RedirectRelativeSet.
	RedirectRelative, RedirectRelativeSet bool `json:",omitempty"`
	// AliasPreservePath On: the one-argument Alias maps the rest of the
	// path after the <Location>'s too; meaningful when
	// AliasPreservePathSet.
	AliasPreservePath, AliasPreservePathSet bool `json:",omitempty"`
}

// MergeAliasDir is merge_alias_dir_config: the child's Redirect lines
// first, then the base's; the child's one-argument Alias and Redirect when
// it has them (else the base's); each flag from the child when it sets it.
// Either argument may be nil; the result shares the inputs' slices.
func MergeAliasDir(base, child *AliasDir) *AliasDir {
	if base == nil {
		return child
	}
	if child == nil {
		return base
	}
	out := *base
	out.Redirects = concatEntries(child.Redirects, base.Redirects)
	if child.AliasSet {
		out.Alias, out.AliasFake, out.AliasSet = child.Alias, child.AliasFake, true
	}
	if child.RedirectSet {
		out.Redirect, out.RedirectStatus, out.RedirectSet = child.Redirect, child.RedirectStatus, true
	}
	if child.RedirectRelativeSet {
		out.RedirectRelative, out.RedirectRelativeSet = child.RedirectRelative, true
	}
	if child.AliasPreservePathSet {
		out.AliasPreservePath, out.AliasPreservePathSet = child.AliasPreservePath, true
	}
	return &out
}

// AliasDirectives are the directives AliasBuilder.Directive takes, with
// Apache's contexts: Alias in the server config, <VirtualHost> and (one
// argument) <Location>; AliasMatch in the server config and <VirtualHost>
// only; Redirect, RedirectMatch, RedirectPermanent, RedirectTemp,
// RedirectRelative and AliasPreservePath anywhere, .htaccess included
// (AllowOverride FileInfo).
var AliasDirectives = []string{
	"Alias", "AliasMatch", "Redirect", "RedirectMatch", "RedirectPermanent",
	"RedirectTemp", "RedirectRelative", "AliasPreservePath",
}

// AliasRefused are mod_alias's CGI directives, refused by AliasBuilder.
var AliasRefused = []string{"ScriptAlias", "ScriptAliasMatch"}

// AliasBuilder builds a server's AliasServer and its sections' AliasDir
// from their directives, in the order the walker meets them:
//
//	b := conf.AliasBuilder{ServerRoot: root}
//	top := new(conf.AliasDir) // the server's default section
//	b.Directive(top, conf.AliasInServer, "", "Alias", []string{"/icons/", "/usr/share/apache2/icons/"})
//	b.Directive(top, conf.AliasInServer, "", "Redirect", []string{"permanent", "/old", "https://example.com/new"})
//	loc := new(conf.AliasDir) // one per section
//	b.Directive(loc, conf.AliasInLocation, "/app", "Redirect", []string{"gone"})
//	srv := b.Server() // the server's AliasServer
//
// The section path ("/app" for <Location /app>, the directory for
// <Directory> and .htaccess) is Apache's cmd->path: it gives the
// one-argument forms their meaning. Errors carry Apache's texts without
// position; Warnings collects Apache's AH00671 overlap warnings (without
// file and line: the walker adds them).
type AliasBuilder struct {
	// ServerRoot resolves relative Alias targets.
	ServerRoot string
	// Warnings are warnings met so far, in order.
	Warnings []string

	srv AliasServer
}

// Server returns the server's configuration built so far.
func (b *AliasBuilder) Server() *AliasServer {
	s := b.srv
	return &s
}

// Directive applies one directive of AliasDirectives (name in any case),
// written in context ctx. dir is the AliasDir of the enclosing section
// (for AliasInServer: the server's default section, which only
// RedirectRelative and AliasPreservePath use; it may then be nil), path
// the section's path (Apache's cmd->path: "/app" for <Location /app>, the
// directory for <Directory> and .htaccess, "" at server level).
func (b *AliasBuilder) Directive(dir *AliasDir, ctx AliasContext, path, name string, args []string) error {
	if ctx != AliasInServer && dir == nil {
		return errors.New("AliasBuilder.Directive: a section needs its AliasDir")
	}
	return b.apply(dir, ctx, path, name, args)
}

func (b *AliasBuilder) apply(dir *AliasDir, ctx AliasContext, path, name string, args []string) error {
	section := contextName(ctx)
	ctx = ctx.kind()
	key := strings.ToLower(name)
	canon := canonicalAlias(key)
	if ctx == AliasInHTAccess && (key == "alias" || key == "aliasmatch" || key == "scriptalias" || key == "scriptaliasmatch") {
		return errors.New(canon + " not allowed here")
	}
	switch key {
	case "alias":
		if len(args) < 1 || len(args) > 2 {
			return errors.New("Alias takes 1-2 arguments, a fakename and a realname, or a realname in a Location")
		}
		if len(args) == 2 {
			return b.addAlias(ctx, args[0], args[1], false)
		}
		switch ctx {
		case AliasInDirectory, AliasInFiles:
			return errors.New("Alias cannot occur within " + section + " section")
		case AliasInServer:
			return errors.New("Alias must have two arguments when used globally")
		}
		lit, err := exprLiteral("alias", args[0])
		if err != nil {
			return err
		}
		dir.Alias, dir.AliasFake, dir.AliasSet = lit, path, true
		return nil
	case "aliasmatch":
		if len(args) != 2 {
			return errors.New("AliasMatch takes two arguments, a regular expression and a filename")
		}
		if ctx != AliasInServer {
			return fmt.Errorf("AliasMatch not allowed in %s context", section)
		}
		return b.addAlias(ctx, args[0], args[1], true)
	case "scriptalias", "scriptaliasmatch":
		return fmt.Errorf("%s is not supported by gohttpd (CGI is not implemented): ignoring it would change what clients get", canon)
	case "redirect":
		if len(args) < 1 || len(args) > 3 {
			return errors.New("Redirect takes one, two or three arguments, an optional status, then document to be redirected and destination URL")
		}
		return b.addRedirect(dir, ctx, path, 302, args, false)
	case "redirectmatch":
		if len(args) < 2 || len(args) > 3 {
			return errors.New("RedirectMatch takes two or three arguments, an optional status, then a regular expression and destination URL")
		}
		return b.addRedirect(dir, ctx, path, 302, args, true)
	case "redirectpermanent", "redirecttemp":
		if len(args) != 2 {
			return errors.New(canon + " takes two arguments, a document to be redirected, then the destination URL")
		}
		status := 302
		if key == "redirectpermanent" {
			status = 301
		}
		return b.addRedirect(dir, ctx, path, status, args, false)
	case "redirectrelative", "aliaspreservepath":
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return errors.New(canon + " must be On or Off")
		}
		on := strings.EqualFold(args[0], "on")
		if dir == nil {
			// Apache keeps these in the per-directory configuration; at
			// server level they belong to the server's default section.
			return fmt.Errorf("%s: no per-directory configuration given for the server level", canon)
		}
		if key == "redirectrelative" {
			dir.RedirectRelative, dir.RedirectRelativeSet = on, true
		} else {
			dir.AliasPreservePath, dir.AliasPreservePathSet = on, true
		}
		return nil
	}
	return fmt.Errorf("unknown mod_alias directive %s", name)
}

func contextName(ctx AliasContext) string {
	switch ctx {
	case AliasInDirectory:
		return "<Directory>"
	case AliasInDirectoryMatch:
		return "<DirectoryMatch>"
	case AliasInFiles:
		return "<Files>"
	case AliasInFilesMatch:
		return "<FilesMatch>"
	case AliasInLocation:
		return "<Location>"
	case AliasInLocationMatch:
		return "<LocationMatch>"
	}
	return ".htaccess"
}

func canonicalAlias(key string) string {
	for _, d := range AliasDirectives {
		if strings.ToLower(d) == key {
			return d
		}
	}
	for _, d := range AliasRefused {
		if strings.ToLower(d) == key {
			return d
		}
	}
	return key
}

// addAlias is add_alias_internal.
func (b *AliasBuilder) addAlias(ctx AliasContext, fake, real string, regex bool) error {
	canon := "Alias"
	if regex {
		canon = "AliasMatch"
	}
	if ctx != AliasInServer {
		return errors.New(canon + " cannot occur within directory context")
	}
	e := AliasEntry{Fake: fake, Real: real, Regex: regex}
	if regex {
		if err := e.compile(); err != nil {
			return err
		}
		if !filepath.IsAbs(real) {
			e.Root = b.ServerRoot
		}
	} else if !filepath.IsAbs(real) && b.ServerRoot != "" {
		// ap_server_root_relative: apr_filepath_merge keeps a trailing
		// slash, filepath.Join does not.
		j := filepath.Join(b.ServerRoot, real)
		if strings.HasSuffix(real, "/") && !strings.HasSuffix(j, "/") {
			j += "/"
		}
		e.Real = j
	}
	if !regex {
		for _, prev := range b.srv.Aliases {
			if (!prev.Regex && aliasPrefixLen(fake, prev.Fake) > 0) ||
				(prev.Regex && prev.re.MatchString(fake)) {
				m := ""
				if prev.Regex {
					m = "Match"
				}
				b.Warnings = append(b.Warnings, fmt.Sprintf(
					"AH00671: The %s directive will probably never match because it overlaps an earlier Alias%s.", canon, m))
				break
			}
		}
	}
	b.srv.Aliases = append(b.srv.Aliases, e)
	return nil
}

// aliasPrefixLen is mod_alias's alias_matches: how many bytes of uri the
// prefix fake matches, 0 for no match. Any run of '/' in fake matches any
// non-empty run in uri; the match must end at a segment boundary unless
// fake ends with '/'.
func aliasPrefixLen(uri, fake string) int {
	i, j := 0, 0
	for j < len(fake) {
		if fake[j] == '/' {
			if i >= len(uri) || uri[i] != '/' {
				return 0
			}
			for j < len(fake) && fake[j] == '/' {
				j++
			}
			for i < len(uri) && uri[i] == '/' {
				i++
			}
			continue
		}
		if i >= len(uri) || uri[i] != fake[j] {
			return 0
		}
		i++
		j++
	}
	if len(fake) > 0 && fake[len(fake)-1] != '/' && i < len(uri) && uri[i] != '/' {
		return 0
	}
	return i
}

// AliasPrefixLen is alias_matches, for site/alias: how many bytes of uri
// the URL-path prefix fake matches (0: no match).
func AliasPrefixLen(uri, fake string) int { return aliasPrefixLen(uri, fake) }

// isHTTPRedirect is ap_is_HTTP_REDIRECT.
func isHTTPRedirect(s int) bool { return s >= 300 && s < 400 }

// IsURL is ap_is_url: a scheme of letters, digits, '+', '-' and '.'
// (at least one character) followed by ':'.
func IsURL(u string) bool {
	for x := 0; x < len(u); x++ {
		c := u[x]
		if c == ':' {
			return x > 0
		}
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// atoi is C's atoi: optional blanks and sign, then digits up to the first
// other byte; 0 when there are none.
func atoiC(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<30 {
			n = 1 << 30
		}
	}
	if neg {
		return -n
	}
	return n
}

// addRedirect is add_redirect_internal. status is the directive's
// default (302 for Redirect and RedirectMatch, 301 for
// RedirectPermanent).
func (b *AliasBuilder) addRedirect(dir *AliasDir, ctx AliasContext, path string, status int, args []string, regex bool) error {
	arg1 := args[0]
	var arg2, arg3 string
	has2, has3 := len(args) > 1, len(args) > 2
	if has2 {
		arg2 = args[1]
	}
	if has3 {
		arg3 = args[2]
	}
	grok := 1
	switch {
	case strings.EqualFold(arg1, "permanent"):
		status = 301
	case strings.EqualFold(arg1, "temp"):
		status = 302
	case strings.EqualFold(arg1, "seeother"):
		status = 303
	case strings.EqualFold(arg1, "gone"):
		status, grok = 410, -1
	case arg1 != "" && arg1[0] >= '0' && arg1[0] <= '9':
		status = atoiC(arg1)
		if !isHTTPRedirect(status) {
			grok = -1
		}
	default:
		grok = 0
	}
	if has3 && grok == 0 {
		return errors.New("Redirect: invalid first argument (of three)")
	}
	// gohttpd: Apache lets any number through (atoi) and answers it;
	// only statuses an HTTP response can carry are accepted here.
	if grok != 0 && (status < 300 || status > 599) {
		return fmt.Errorf("Redirect status %s is not supported by gohttpd: use a 3xx, 4xx or 5xx status", arg1)
	}
	inSection := ctx != AliasInServer
	if inSection {
		if (grok > 0 && has2 && !has3) || (grok == 0 && !has2) {
			u := arg1
			if grok != 0 {
				u = arg2
			}
			lit, err := exprLiteral("redirect", u)
			if err != nil {
				return err
			}
			dir.Redirect, dir.RedirectStatus, dir.RedirectSet = lit, status, true
			return nil
		}
		if grok < 0 && !has2 {
			dir.Redirect, dir.RedirectStatus, dir.RedirectSet = "", status, true
			return nil
		}
	}
	fake, url, hasURL := arg2, arg3, has3
	hasFake := has2
	if !has3 && grok == 0 {
		fake, url, hasURL, hasFake = arg1, arg2, has2, true
	}
	e := AliasEntry{Fake: fake, Regex: regex, Status: status}
	if regex {
		if err := e.compile(); err != nil {
			return err
		}
	}
	if isHTTPRedirect(status) {
		if !hasURL {
			return errors.New("URL to redirect to is missing")
		}
		if !regex && !IsURL(url) && !strings.HasPrefix(url, "/") {
			return errors.New("Redirect to non-URL")
		}
		e.Real = url
	} else if hasURL {
		return errors.New("Redirect URL not valid for this status")
	}
	if !hasFake {
		// Apache 2.4.71 accepts "Redirect gone" outside a section and then
		// crashes its children on the first request the list is tried for
		// (alias_matches on a NULL prefix; observed: AH00052 exit signal
		// Segmentation fault). gohttpd refuses it.
		return fmt.Errorf("Redirect %s needs a URL-path outside <Location> and <Directory> (Apache 2.4.71 crashes on it)", arg1)
	}
	if inSection {
		dir.Redirects = append(dir.Redirects, e)
	} else {
		b.srv.Redirects = append(b.srv.Redirects, e)
	}
	return nil
}

// exprLiteral evaluates an ap_expr string (AP_EXPR_FLAG_STRING_RESULT)
// that holds no variables and no regex back-references: the text with
// ap_expr's escapes resolved (\n \r \t \b \f, \ooo octal up to \377, '\'
// before any other byte keeps that byte). what names the expression for
// Apache's "Cannot parse <what> expression '...': ..." errors. %{VAR} and
// $N are not supported by gohttpd and refused.
func exprLiteral(what, s string) (string, error) {
	if !strings.ContainsAny(s, `\%$`) {
		return s, nil
	}
	fail := func(msg string) (string, error) {
		if what == "errordocument" {
			return "", errors.New("Cannot parse expression in ErrorDocument: " + msg)
		}
		return "", fmt.Errorf("Cannot parse %s expression '%s': %s", what, s, msg)
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			n := s[i+1]
			switch {
			case n >= '0' && n <= '7':
				j := i + 1
				v := 0
				for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
					v = v*8 + int(s[j]-'0')
					j++
				}
				if j < len(s) && s[j] >= '0' && s[j] <= '9' && j < i+4 {
					return fail("Bad escape sequence")
				}
				if v > 0xff {
					return fail("Escape sequence out of bound")
				}
				out.WriteByte(byte(v))
				i = j - 1
				continue
			case n == '8' || n == '9':
				return fail("Bad escape sequence")
			case n == 'n':
				out.WriteByte('\n')
			case n == 'r':
				out.WriteByte('\r')
			case n == 't':
				out.WriteByte('\t')
			case n == 'b':
				out.WriteByte('\b')
			case n == 'f':
				out.WriteByte('\f')
			default:
				out.WriteByte(n)
			}
			i++
		case c == '%' && i+1 < len(s) && s[i+1] == '{':
			return "", fmt.Errorf("%%{...} variables in %s expressions are not supported by gohttpd: ignoring them would change what clients get", exprWhat(what))
		case c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			return "", fmt.Errorf("$%c back-references in %s expressions are not supported by gohttpd", s[i+1], exprWhat(what))
		default:
			out.WriteByte(c)
		}
	}
	return out.String(), nil
}

func exprWhat(what string) string {
	if what == "errordocument" {
		return "ErrorDocument"
	}
	return what
}
