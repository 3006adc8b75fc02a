package conf

// mod_setenvif (SetEnvIf, SetEnvIfNoCase, BrowserMatch,
// BrowserMatchNoCase) and mod_env (SetEnv, UnsetEnv): types built by
// SetEnvIfBuilder and EnvBuilder, merged by MergeSetEnvIf and MergeEnv.
// The evaluation is in site/setenvif.

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// EnvAttr is the special attribute a SetEnvIf line tests.
type EnvAttr uint8

// The attributes of mod_setenvif; EnvAttrHeader is a request header (or,
// when no such header, an environment variable set earlier) named by
// Name, or the headers whose names match Name as a regular expression
// when NameRegex.
const (
	EnvAttrHeader EnvAttr = iota
	EnvAttrRemoteAddr
	EnvAttrRemoteHost
	EnvAttrServerAddr
	EnvAttrRequestURI
	EnvAttrRequestMethod
	EnvAttrRequestProtocol
)

// EnvAction is one variable a SetEnvIf line sets ("var=value", "var":
// "1") or unsets ("!var").
type EnvAction struct {
	Name  string `json:"n"`
	Value string `json:"v,omitempty"`
	Unset bool   `json:"u,omitempty"`
}

// SetEnvIfRule is one SetEnvIf, SetEnvIfNoCase, BrowserMatch or
// BrowserMatchNoCase line.
type SetEnvIfRule struct {
	Attr EnvAttr
	// Name is the attribute as written (header or variable name, or the
	// header-name regex when NameRegex).
	Name      string
	NameRegex bool `json:",omitempty"`
	// Regex is the value pattern (Go regexp syntax), Literal set when it
	// has no regex metacharacter (Apache then matches it as a plain
	// substring and does not expand $1 in the values).
	Regex   string
	Literal bool `json:",omitempty"`
	// NoCase is the NoCase forms (applies to Regex and a name regex).
	NoCase  bool        `json:",omitempty"`
	Actions []EnvAction `json:",omitempty"`
	// Early is "--early" (outside sections only): Apache then also runs
	// the line before RequestHeader early; gohttpd refuses "early" so
	// the flag only records it.
	Early bool `json:",omitempty"`
}

// SetEnvIfConfig is a list of rules in configuration order. The main
// server's (and a <VirtualHost>'s) rules run right after the request is
// read (post_read_request, before mapping, so Request_URI and headers
// only); the rules of <Directory>, <Location>, <Files> and .htaccess run
// in the header_parser phase with the merged per-directory list.
type SetEnvIfConfig struct {
	Rules []SetEnvIfRule `json:",omitempty"`
}

// MergeSetEnvIf is merge_setenvif_config: the child's rules after the
// base's.
func MergeSetEnvIf(base, child *SetEnvIfConfig) *SetEnvIfConfig {
	if child == nil || len(child.Rules) == 0 {
		return base
	}
	if base == nil || len(base.Rules) == 0 {
		return child
	}
	rules := make([]SetEnvIfRule, 0, len(base.Rules)+len(child.Rules))
	return &SetEnvIfConfig{Rules: append(append(rules, base.Rules...), child.Rules...)}
}

// SetEnvIfDirectives are the directives SetEnvIfBuilder.Directive
// takes: OR_FILEINFO, every section and .htaccess. SetEnvIfExpr is
// refused (no ap_expr).
var SetEnvIfDirectives = []string{"SetEnvIf", "SetEnvIfNoCase", "BrowserMatch", "BrowserMatchNoCase"}

// SetEnvIfBuilder builds one section's SetEnvIfConfig. Set InSection
// for <Directory>, <Location>, <Files> and .htaccess (where "--early" is
// an ordinary variable name, as in Apache).
type SetEnvIfBuilder struct {
	InSection bool
	cfg       SetEnvIfConfig
}

// Finish returns the section's rules, nil when it has none.
func (b *SetEnvIfBuilder) Finish() *SetEnvIfConfig {
	if len(b.cfg.Rules) == 0 {
		return nil
	}
	c := b.cfg
	return &c
}

var headerNameChars = regexp.MustCompile(`^[-A-Za-z0-9_]*$`)

// Directive applies one line of SetEnvIfDirectives (name in any case).
func (b *SetEnvIfBuilder) Directive(name string, args []string) error {
	var canon, attr string
	var nocase bool
	switch strings.ToLower(name) {
	case "setenvif":
		canon = "SetEnvIf"
	case "setenvifnocase":
		canon, nocase = "SetEnvIfNoCase", true
	case "browsermatch":
		canon, attr = "BrowserMatch", "User-Agent"
	case "browsermatchnocase":
		canon, attr, nocase = "BrowserMatchNoCase", "User-Agent", true
	case "setenvifexpr":
		return errors.New("SetEnvIfExpr is not supported by gohttpd (no ap_expr)")
	default:
		return errors.New("not a mod_setenvif directive: " + name)
	}
	if attr == "" {
		if len(args) == 0 || args[0] == "" {
			return errors.New("Missing header-field name for " + canon)
		}
		attr, args = args[0], args[1:]
	}
	if len(args) == 0 || args[0] == "" {
		return errors.New("Missing regular expression for " + canon)
	}
	r := SetEnvIfRule{Name: attr, Regex: args[0], NoCase: nocase}
	args = args[1:]
	if lit, ok := nonRegexPattern(r.Regex); ok {
		if !utf8.ValidString(lit) {
			// Go's regexp (used for literals too) takes UTF-8 only.
			return errors.New(canon + " regex could not be compiled.")
		}
		r.Regex, r.Literal = regexp.QuoteMeta(lit), true
	} else if _, err := regexp.Compile(r.Regex); err != nil {
		return errors.New(canon + " regex could not be compiled.")
	}
	switch strings.ToLower(attr) {
	case "remote_addr":
		r.Attr = EnvAttrRemoteAddr
	case "remote_host":
		r.Attr = EnvAttrRemoteHost
	case "request_uri":
		r.Attr = EnvAttrRequestURI
	case "request_method":
		r.Attr = EnvAttrRequestMethod
	case "request_protocol":
		r.Attr = EnvAttrRequestProtocol
	case "server_addr":
		r.Attr = EnvAttrServerAddr
	default:
		if !headerNameChars.MatchString(attr) {
			if _, err := regexp.Compile(attr); err != nil {
				return errors.New(canon + "Header name regex could not be compiled.")
			}
			r.NameRegex = true
		}
	}
	// add_envvars
	seen := 0
	for _, f := range args {
		if f == "" {
			break // ap_getword_conf's empty word ends the list
		}
		seen++
		v, value, hasValue := strings.Cut(f, "=")
		switch {
		case hasValue && value != "":
			r.Actions = append(r.Actions, EnvAction{Name: v, Value: value})
		case strings.HasPrefix(v, "!"):
			r.Actions = append(r.Actions, EnvAction{Name: v[1:], Unset: true})
		case v == "--early" && !b.InSection:
			r.Early = true
		default:
			r.Actions = append(r.Actions, EnvAction{Name: v, Value: "1"})
		}
	}
	if seen == 0 {
		return errors.New("Missing envariable expression for " + canon)
	}
	b.cfg.Rules = append(b.cfg.Rules, r)
	return nil
}

// nonRegexPattern is mod_setenvif's non_regex_pattern: the literal a
// pattern without regex metacharacters stands for (backslash escapes
// removed), and false when it is a regex.
func nonRegexPattern(s string) (string, bool) {
	inEscape, escapes := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '^', '.', '$', '|', '(', ')', '[', ']', '*', '+', '?', '{', '}':
			if !inEscape {
				return "", false
			}
			inEscape = false
		case '\\':
			if !inEscape {
				inEscape, escapes = true, true
			} else {
				inEscape = false
			}
		default:
			if inEscape {
				return "", false
			}
		}
	}
	if !escapes {
		return s, true
	}
	var b strings.Builder
	inEscape = false
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && !inEscape {
			inEscape = true
			continue
		}
		inEscape = false
		b.WriteByte(s[i])
	}
	return b.String(), true
}

// EnvConfig is mod_env's SetEnv and UnsetEnv for one section (or a
// merged chain): the variables the fixups phase adds to the request's
// environment. It does not see or remove what SetEnvIf set: SetEnvIf
// runs earlier, cannot test a SetEnv variable, and a variable SetEnvIf
// already set keeps its value (Apache's table lookup finds it first).
type EnvConfig struct {
	// Vars are the SetEnv variables in order, unique by name.
	Vars []EnvAction `json:",omitempty"`
	// Unset are this section's UnsetEnv names: they remove the parent
	// sections' SetEnv variables at merge time.
	Unset []string `json:",omitempty"`
}

// EnvDirectives are SetEnv and UnsetEnv (OR_FILEINFO). PassEnv is not
// taken: it copies the server process's environment, which gohttpd's
// children do not keep.
var EnvDirectives = []string{"SetEnv", "UnsetEnv"}

// EnvBuilder builds one section's EnvConfig.
type EnvBuilder struct {
	cfg  EnvConfig
	used bool
}

// Finish returns the section's configuration, nil when it has none.
func (b *EnvBuilder) Finish() *EnvConfig {
	if !b.used {
		return nil
	}
	c := b.cfg
	return &c
}

// Directive applies SetEnv or UnsetEnv.
func (b *EnvBuilder) Directive(name string, args []string) error {
	switch strings.ToLower(name) {
	case "setenv":
		if len(args) < 1 || len(args) > 2 || args[0] == "" {
			return errors.New("SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI.")
		}
		v := EnvAction{Name: args[0]}
		if len(args) == 2 {
			v.Value = args[1]
		}
		b.cfg.Vars = setEnvVar(b.cfg.Vars, v)
	case "unsetenv":
		if len(args) == 0 || args[0] == "" {
			return errors.New("UnsetEnv requires at least one argument, a list of variables to remove from the CGI environment.")
		}
		for _, n := range args {
			b.cfg.Unset = append(b.cfg.Unset, n)
			b.cfg.Vars = delEnvVar(b.cfg.Vars, n)
		}
	default:
		return errors.New("not a mod_env directive: " + name)
	}
	b.used = true
	return nil
}

func setEnvVar(vars []EnvAction, v EnvAction) []EnvAction {
	out := make([]EnvAction, 0, len(vars)+1)
	done := false
	for _, o := range vars {
		if strings.EqualFold(o.Name, v.Name) {
			if !done {
				out = append(out, v)
				done = true
			}
			continue
		}
		out = append(out, o)
	}
	if !done {
		out = append(out, v)
	}
	return out
}

func delEnvVar(vars []EnvAction, name string) []EnvAction {
	out := make([]EnvAction, 0, len(vars))
	for _, o := range vars {
		if !strings.EqualFold(o.Name, name) {
			out = append(out, o)
		}
	}
	return out
}

// MergeEnv is mod_env's merge_env_dir_configs: the base's variables
// without the child's UnsetEnv names, then the child's variables.
func MergeEnv(base, child *EnvConfig) *EnvConfig {
	if child == nil {
		return base
	}
	if base == nil {
		return child
	}
	vars := append([]EnvAction(nil), base.Vars...)
	for _, n := range child.Unset {
		vars = delEnvVar(vars, n)
	}
	for _, v := range child.Vars {
		vars = setEnvVar(vars, v)
	}
	return &EnvConfig{Vars: vars}
}
