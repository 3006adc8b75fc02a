package conf

// mod_rewrite's directives: RewriteEngine, RewriteOptions, RewriteBase,
// RewriteCond and RewriteRule (RewriteMap is refused). The types are plain
// data (they survive a JSON round trip); RewriteBuilder checks one
// section's directives with Apache's texts (modules/mappers/mod_rewrite.c,
// 2.4.x), MergeRewriteServer and MergeRewriteDir are config_server_merge
// and config_perdir_merge. The regular expressions are compiled by the
// site (site/rewrite) with CompileRewriteRegex; the rewriting engine is
// site/rewrite.

import (
	"errors"
	"fmt"
	"strings"
)

// RewriteState is a RewriteEngine setting.
type RewriteState uint8

const (
	// RewriteUnset: no RewriteEngine line (inherits; Off at the root).
	RewriteUnset RewriteState = iota
	// RewriteOn is "RewriteEngine On".
	RewriteOn
	// RewriteOff is "RewriteEngine Off".
	RewriteOff
)

// RewriteOptionBits are RewriteOptions' options (Apache's OPTION_* bits).
type RewriteOptionBits uint16

const (
	RewriteInherit             RewriteOptionBits = 1 << 1
	RewriteInheritBefore       RewriteOptionBits = 1 << 2
	RewriteAllowNoSlash        RewriteOptionBits = 1 << 3
	RewriteAllowAnyURI         RewriteOptionBits = 1 << 4
	RewriteMergeBase           RewriteOptionBits = 1 << 5
	RewriteInheritDown         RewriteOptionBits = 1 << 6
	RewriteInheritDownBefore   RewriteOptionBits = 1 << 7
	RewriteIgnoreInherit       RewriteOptionBits = 1 << 8
	RewriteIgnoreContextInfo   RewriteOptionBits = 1 << 9
	RewriteLegacyPrefixDocRoot RewriteOptionBits = 1 << 10
	RewriteUnsafePrefixStat    RewriteOptionBits = 1 << 12
)

// RewriteCondKind is the kind of a RewriteCond pattern.
type RewriteCondKind uint8

const (
	CondRegex      RewriteCondKind = iota // a regular expression
	CondFile                              // -f: a regular file
	CondSize                              // -s: a regular file with size > 0
	CondLink                              // -l, -L, -h: a symbolic link
	CondDir                               // -d: a directory
	CondExec                              // -x: any execute bit
	CondLookupFile                        // -F: a file reachable (subrequest in Apache)
	CondStrLT                             // <
	CondStrLE                             // <=
	CondStrEQ                             // =
	CondStrGT                             // >
	CondStrGE                             // >=
	CondIntLT                             // -lt
	CondIntLE                             // -le
	CondIntEQ                             // -eq (and -ne, negated)
	CondIntGT                             // -gt
	CondIntGE                             // -ge
)

// RewriteCond is one RewriteCond line.
type RewriteCond struct {
	// Input is the test string, expanded per request.
	Input string `json:"input"`
	// Pattern is what Input is compared with: the regular expression, the
	// string or number after the operator ("" for file tests).
	Pattern string `json:"pattern,omitempty"`
	// Text is the pattern as written, '!' and operator included (logs).
	Text string          `json:"text"`
	Kind RewriteCondKind `json:"kind,omitempty"`
	// Not is a leading '!' (and -ne).
	Not bool `json:"not,omitempty"`
	// NoCase, OrNext and NoVary are the flags NC, OR and NV.
	NoCase bool `json:"nc,omitempty"`
	OrNext bool `json:"or,omitempty"`
	NoVary bool `json:"nv,omitempty"`
}

// RewriteRuleFlags are a rule's flags (Apache's RULEFLAG_* bits).
type RewriteRuleFlags uint32

const (
	RuleRedirect       RewriteRuleFlags = 1 << 1  // R
	RuleLast           RewriteRuleFlags = 1 << 2  // L
	RuleNext           RewriteRuleFlags = 1 << 3  // N
	RuleChain          RewriteRuleFlags = 1 << 4  // C
	RuleNoSubreq       RewriteRuleFlags = 1 << 5  // NS
	RuleNotMatch       RewriteRuleFlags = 1 << 6  // pattern starts with '!'
	RulePassThrough    RewriteRuleFlags = 1 << 8  // PT
	RuleQSAppend       RewriteRuleFlags = 1 << 9  // QSA
	RuleNoCase         RewriteRuleFlags = 1 << 10 // NC
	RuleNoEscape       RewriteRuleFlags = 1 << 11 // NE
	RuleNoSub          RewriteRuleFlags = 1 << 12 // substitution "-" (and F, G, R=non-3xx)
	RuleStatus         RewriteRuleFlags = 1 << 13 // F, G, R=non-3xx: answer Status
	RuleEscapeBackref  RewriteRuleFlags = 1 << 14 // B
	RuleDiscardPath    RewriteRuleFlags = 1 << 15 // DPI
	RuleQSDiscard      RewriteRuleFlags = 1 << 16 // QSD
	RuleEnd            RewriteRuleFlags = 1 << 17 // END
	RuleEscapeNoPlus   RewriteRuleFlags = 1 << 18 // BNP
	RuleQSLast         RewriteRuleFlags = 1 << 19 // QSL
	RuleQSNone         RewriteRuleFlags = 1 << 20 // trailing '?' (or QSD without '?')
	RuleEscapeCtls     RewriteRuleFlags = 1 << 21 // BCTLS
	RuleUnsafePrefix   RewriteRuleFlags = 1 << 22 // UnsafePrefixStat
	RuleUnsafeAllow3F  RewriteRuleFlags = 1 << 23 // UnsafeAllow3F
	RuleUNC            RewriteRuleFlags = 1 << 24 // UNC
	RuleDefaultMaxLoop                  = 32000   // REWRITE_MAX_ROUNDS: N without a value
)

// RewriteRule is one RewriteRule line with the RewriteCond lines before it.
type RewriteRule struct {
	// Pattern is the regular expression (without a leading '!').
	Pattern string `json:"pattern"`
	// Subst is the substitution ("-" for none); a trailing '?' that
	// drops the query string is removed (Flags has RuleQSNone).
	Subst string           `json:"subst"`
	Flags RewriteRuleFlags `json:"flags,omitempty"`
	// Status is forced_responsecode: the redirect status (302 unless
	// R=...), or the status of F (403), G (410) and R=4xx/5xx.
	Status int `json:"status"`
	// Type and Handler are T= and H=.
	Type    string `json:"type,omitempty"`
	Handler string `json:"handler,omitempty"`
	// Env are the E= values ("name:value", "!name"), Cookies the CO=
	// values, both expanded per request.
	Env     []string `json:"env,omitempty"`
	Cookies []string `json:"cookies,omitempty"`
	// Skip is S=n.
	Skip int `json:"skip,omitempty"`
	// MaxRounds is N=n (32000 when N has no value).
	MaxRounds int `json:"maxRounds,omitempty"`
	// Escapes and NoEscapes are B=chars and BNE=chars.
	Escapes   string `json:"escapes,omitempty"`
	NoEscapes string `json:"noEscapes,omitempty"`
	// Conds are the RewriteCond lines that precede the rule.
	Conds []RewriteCond `json:"conds,omitempty"`
	// Pos is file:line of the rule, for logs ("" when unknown).
	Pos string `json:"pos,omitempty"`
}

// Has reports whether all the flags f are set.
func (r *RewriteRule) Has(f RewriteRuleFlags) bool { return r.Flags&f == f }

// RewriteConfig is mod_rewrite's configuration of one scope: of a server
// or virtual host (Dir "", Apache's rewrite_server_conf together with the
// server's base per-directory configuration) or of a <Directory>,
// <Location>, <Files> section or an .htaccess file (Apache's
// rewrite_perdir_conf), or the merge of a chain of them. Values are
// immutable once built; nil is a scope without mod_rewrite directives.
type RewriteConfig struct {
	Engine RewriteState `json:"engine,omitempty"`
	// Options are RewriteOptions' bits, meaningful when OptionsSet.
	Options    RewriteOptionBits `json:"options,omitempty"`
	OptionsSet bool              `json:"optionsSet,omitempty"`
	// Base is RewriteBase, meaningful when BaseSet (per-directory only).
	Base    string `json:"base,omitempty"`
	BaseSet bool   `json:"baseSet,omitempty"`
	// Dir is the directory a per-directory scope applies to, with a
	// trailing '/' (the section's path, the .htaccess file's directory);
	// "" for a server scope.
	Dir string `json:"dir,omitempty"`
	// Rules are the scope's rules: server-context rules for a server
	// scope, per-directory rules otherwise.
	Rules []*RewriteRule `json:"rules,omitempty"`
}

// Enabled reports whether RewriteEngine is On where c applies.
func (c *RewriteConfig) Enabled() bool { return c != nil && c.Engine == RewriteOn }

// MergeRewriteServer is config_server_merge: the configuration of a
// virtual host (vhost) on the main server's (main). The engine state and
// options are inherited when the virtual host does not set them; rules
// are not, unless "RewriteOptions Inherit" (the virtual host's rules run
// first, then the main server's) or InheritBefore (the main server's
// first), or the main server says InheritDown/InheritDownBefore and the
// virtual host not IgnoreInherit. Either may be nil.
func MergeRewriteServer(main, vhost *RewriteConfig) *RewriteConfig {
	return mergeRewrite(main, vhost, false)
}

// MergeRewriteDir is config_perdir_merge: a per-directory scope (child)
// on the scopes before it (base), in Apache's merge order (the server's
// configuration, then <Directory> sections and .htaccess files from the
// root down, <Files>, <Location>). The engine state and options are
// inherited when unset; RewriteBase only with "RewriteOptions MergeBase";
// Dir is always the child's; rules are the child's only, unless the
// Inherit options say otherwise (as in MergeRewriteServer). A server
// scope's rules are server-context rules: they never become
// per-directory rules (Apache keeps them in the server configuration).
// Either may be nil.
func MergeRewriteDir(base, child *RewriteConfig) *RewriteConfig {
	return mergeRewrite(base, child, true)
}

func mergeRewrite(base, child *RewriteConfig, perDir bool) *RewriteConfig {
	if child == nil {
		return base
	}
	if base == nil {
		base = &RewriteConfig{}
	}
	out := &RewriteConfig{Engine: child.Engine, Options: child.Options, OptionsSet: child.OptionsSet, Dir: child.Dir}
	if out.Engine == RewriteUnset {
		out.Engine = base.Engine
	}
	if !child.OptionsSet {
		out.Options, out.OptionsSet = base.Options, base.OptionsSet
	}
	baseRules := base.Rules
	if perDir {
		if out.Options&RewriteMergeBase != 0 && !child.BaseSet {
			out.Base, out.BaseSet = base.Base, base.BaseSet
		} else {
			out.Base, out.BaseSet = child.Base, child.BaseSet
		}
		if base.Dir == "" {
			baseRules = nil
		}
	}
	ignore := out.Options&RewriteIgnoreInherit != 0
	switch {
	case out.Options&RewriteInherit != 0 || (base.Options&RewriteInheritDown != 0 && !ignore):
		out.Rules = joinRules(child.Rules, baseRules)
	case out.Options&RewriteInheritBefore != 0 || (base.Options&RewriteInheritDownBefore != 0 && !ignore):
		out.Rules = joinRules(baseRules, child.Rules)
	default:
		out.Rules = child.Rules
	}
	return out
}

func joinRules(a, b []*RewriteRule) []*RewriteRule {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]*RewriteRule, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// RewriteDirectives are the directives RewriteBuilder.Directive takes.
// RewriteEngine, RewriteOptions, RewriteBase, RewriteCond and RewriteRule
// are OR_FILEINFO (server config, virtual host, sections, and .htaccess
// with AllowOverride FileInfo); RewriteMap is RSRC_CONF (server config and
// virtual host) and refused.
var RewriteDirectives = []string{
	"RewriteEngine", "RewriteOptions", "RewriteBase", "RewriteCond", "RewriteRule", "RewriteMap",
}

// RewriteBuilder builds one scope's RewriteConfig from its directives in
// order:
//
//	b := conf.RewriteBuilder{Dir: "/var/www/html/"} // "" at server or vhost level
//	err := b.Directive("RewriteRule", `^index\.php$ - [L]`, "/etc/site.conf:12")
//	cfg, err := b.Finish()
//
// Directive takes the argument text as written (after ${VAR}
// expansion), not split into words: RewriteCond and RewriteRule are
// Apache's RAW_ARGS directives with their own parser, in which quotes
// group but a backslash only escapes a following space. Errors carry
// Apache's texts ("RewriteRule: unknown flag 'XYZ'") and no position:
// the walker wraps them with file, line and directive.
type RewriteBuilder struct {
	// Dir is the per-directory scope's directory (trailing '/' added),
	// "" for the server's or a virtual host's own directives.
	Dir string
	// Warnings are Apache's configuration warnings met so far (AH00665
	// with file:line), for -t and the error log.
	Warnings []string

	cfg   RewriteConfig
	conds []RewriteCond
	any   bool
}

// Finish returns the scope's configuration, nil when it had no
// mod_rewrite directive. RewriteCond lines not followed by a RewriteRule
// are dropped, as in Apache.
func (b *RewriteBuilder) Finish() (*RewriteConfig, error) {
	if !b.any {
		return nil, nil
	}
	cfg := b.cfg
	if b.Dir != "" {
		cfg.Dir = b.Dir
		if !strings.HasSuffix(cfg.Dir, "/") {
			cfg.Dir += "/"
		}
	}
	return &cfg, nil
}

// Directive applies one directive of RewriteDirectives (name in any case)
// with its raw argument text; pos is file:line, kept on rules for logs.
func (b *RewriteBuilder) Directive(name, raw, pos string) error {
	b.any = true
	switch strings.ToLower(name) {
	case "rewriteengine":
		w := tokenize(raw)
		if len(w) != 1 || (!strings.EqualFold(w[0], "on") && !strings.EqualFold(w[0], "off")) {
			return errors.New("RewriteEngine must be On or Off")
		}
		b.cfg.Engine = RewriteOff
		if strings.EqualFold(w[0], "on") {
			b.cfg.Engine = RewriteOn
		}
	case "rewriteoptions":
		w := tokenize(raw)
		if len(w) == 0 {
			return errors.New("RewriteOptions requires at least one argument, List of option strings to set")
		}
		for _, o := range w {
			bit, err := rewriteOption(o)
			if err == errMaxRedirects {
				b.Warnings = append(b.Warnings, "AH00664: RewriteOptions: MaxRedirects option has been removed in favor of the global LimitInternalRecursion directive and will be ignored.")
				continue
			}
			if err != nil {
				return err
			}
			b.cfg.Options |= bit
		}
		b.cfg.OptionsSet = true
	case "rewritebase":
		w := tokenize(raw)
		if len(w) != 1 {
			return errors.New("RewriteBase takes one argument, the base URL of the per-directory context")
		}
		switch {
		case b.Dir == "":
			return errors.New("RewriteBase: only valid in per-directory config files")
		case w[0] == "":
			return errors.New("RewriteBase: empty URL not allowed")
		case w[0][0] != '/':
			return errors.New("RewriteBase: argument is not a valid URL")
		}
		b.cfg.Base, b.cfg.BaseSet = w[0], true
	case "rewritecond":
		c, warning, err := parseRewriteCond(raw)
		if err != nil {
			return err
		}
		if warning != "" {
			b.Warnings = append(b.Warnings, warning+" ("+pos+")")
		}
		b.conds = append(b.conds, *c)
	case "rewriterule":
		r, err := ParseRewriteRule(raw)
		if err != nil {
			return err
		}
		r.Conds, b.conds = b.conds, nil
		r.Pos = pos
		b.cfg.Rules = append(b.cfg.Rules, r)
	case "rewritemap":
		return errors.New("RewriteMap: rewrite maps are not supported by gohttpd (use RewriteRule and RewriteCond without ${map:key})")
	default:
		return errors.New("not a mod_rewrite directive: " + name)
	}
	return nil
}

var errMaxRedirects = errors.New("MaxRedirects")

func rewriteOption(o string) (RewriteOptionBits, error) {
	switch strings.ToLower(o) {
	case "inherit":
		return RewriteInherit, nil
	case "inheritbefore":
		return RewriteInheritBefore, nil
	case "inheritdown":
		return RewriteInheritDown, nil
	case "inheritdownbefore":
		return RewriteInheritDownBefore, nil
	case "ignoreinherit":
		return RewriteIgnoreInherit, nil
	case "allownoslash":
		return RewriteAllowNoSlash, nil
	case "allowanyuri":
		return RewriteAllowAnyURI, nil
	case "mergebase":
		return RewriteMergeBase, nil
	case "ignorecontextinfo":
		return RewriteIgnoreContextInfo, nil
	case "legacyprefixdocroot":
		return RewriteLegacyPrefixDocRoot, nil
	case "unsafeprefixstat":
		return RewriteUnsafePrefixStat, nil
	}
	if len(o) >= 13 && strings.EqualFold(o[:13], "MaxRedirects=") {
		// Apache warns (AH00664) and ignores it.
		return 0, errMaxRedirects
	}
	return 0, errors.New("RewriteOptions: unknown option '" + o + "'")
}

// parseRewriteArgs is Apache's parseargline: up to three arguments, each
// optionally quoted with " or ' (the quote ends it; no escapes inside),
// where a backslash before a space keeps the space in the argument (the
// backslash stays too). ok is false without a second argument.
func parseRewriteArgs(s string) (a1, a2, a3 string, has3, ok bool) {
	i := 0
	skip := func() {
		for i < len(s) && rwSpace(s[i]) {
			i++
		}
	}
	word := func() (string, bool) {
		var quote byte
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			quote = s[i]
			i++
		}
		start := i
		for ; i < len(s); i++ {
			if (rwSpace(s[i]) && quote == 0) || (quote != 0 && s[i] == quote) {
				break
			}
			if s[i] == '\\' && i+1 < len(s) && rwSpace(s[i+1]) {
				i++
			}
		}
		w := s[start:min(i, len(s))]
		ended := i < len(s)
		if ended {
			i++ // the delimiter
		}
		return w, ended
	}
	skip()
	a1, more := word()
	if !more {
		return "", "", "", false, false
	}
	skip()
	a2, more = word()
	if !more {
		return a1, a2, "", false, true
	}
	skip()
	if i >= len(s) {
		return a1, a2, "", false, true
	}
	a3, _ = word()
	return a1, a2, a3, true, true
}

func rwSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// parseFlagField is cmd_parseflagfield: "[a,b=c, d]" calls set(key,
// val) for each flag (val "" without '=').
func parseFlagField(field string, set func(key, val string) error) error {
	if len(field) < 2 || field[0] != '[' || field[len(field)-1] != ']' {
		return errors.New("bad flag delimiters")
	}
	inner := field[1 : len(field)-1]
	for f := range strings.SplitSeq(inner, ",") {
		f = strings.TrimLeft(f, " \t\n\v\f\r")
		f = strings.TrimRight(f, " \t\n\v\f\r")
		key, val, _ := strings.Cut(f, "=")
		if err := set(key, val); err != nil {
			return err
		}
	}
	return nil
}

// ParseRewriteCond parses a RewriteCond argument line (cmd_rewritecond).
func ParseRewriteCond(raw string) (*RewriteCond, error) {
	c, _, err := parseRewriteCond(raw)
	return c, err
}

// parseRewriteCond also returns Apache's warning for NC on a pattern that
// is not a regular expression or a string comparison (AH00665).
func parseRewriteCond(raw string) (*RewriteCond, string, error) {
	fail := func(err error) (*RewriteCond, string, error) { return nil, "", err }
	a1, a2, a3, has3, ok := parseRewriteArgs(raw)
	if !ok {
		return fail(fmt.Errorf("RewriteCond: bad argument line '%s'", strings.TrimLeft(raw, " \t")))
	}
	c := &RewriteCond{Input: a1, Text: a2}
	if has3 {
		err := parseFlagField(a3, func(key, _ string) error {
			switch strings.ToLower(key) {
			case "nocase", "nc":
				c.NoCase = true
			case "ornext", "or":
				c.OrNext = true
			case "novary", "nv":
				c.NoVary = true
			default:
				return fmt.Errorf("unknown flag '%s'", key)
			}
			return nil
		})
		if err != nil {
			return fail(fmt.Errorf("RewriteCond: %w", err))
		}
	}
	p := a2
	if strings.HasPrefix(p, "!") {
		c.Not = true
		p = p[1:]
	}
	if strings.EqualFold(a1, "expr") {
		return fail(fmt.Errorf("RewriteCond: cannot compile expression \"%s\": ap_expr conditions are not supported by gohttpd", p))
	}
	c.Kind = CondRegex
	if len(p) >= 2 {
		if p[0] == '-' {
			if len(p) == 2 {
				switch p[1] {
				case 'f':
					c.Kind = CondFile
				case 's':
					c.Kind = CondSize
				case 'd':
					c.Kind = CondDir
				case 'x':
					c.Kind = CondExec
				case 'h', 'L', 'l':
					c.Kind = CondLink
				case 'F':
					c.Kind = CondLookupFile
				case 'U':
					return fail(errors.New("RewriteCond: -U (a URL subrequest) is not supported by gohttpd"))
				}
				if c.Kind != CondRegex {
					p = ""
				}
			} else if len(p) >= 4 {
				op := p[1:3]
				kinds := map[string]RewriteCondKind{"lt": CondIntLT, "le": CondIntLE, "gt": CondIntGT, "ge": CondIntGE, "eq": CondIntEQ, "ne": CondIntEQ}
				if k, ok := kinds[op]; ok {
					c.Kind = k
					p = p[3:]
					if op == "ne" {
						c.Not = !c.Not
					}
				}
			}
		} else {
			switch p[0] {
			case '>':
				c.Kind, p = CondStrGT, p[1:]
				if strings.HasPrefix(p, "=") {
					c.Kind, p = CondStrGE, p[1:]
				}
			case '<':
				c.Kind, p = CondStrLT, p[1:]
				if strings.HasPrefix(p, "=") {
					c.Kind, p = CondStrLE, p[1:]
				}
			case '=':
				c.Kind, p = CondStrEQ, p[1:]
				if p == `""` {
					p = ""
				}
			}
		}
	}
	warning, shown := "", p
	if c.Kind >= CondFile && c.Kind <= CondLookupFile {
		shown = strings.TrimPrefix(a2, "!")
	}
	if c.Kind != CondRegex && (c.Kind < CondStrLT || c.Kind > CondStrGE) && c.NoCase {
		warning = fmt.Sprintf("AH00665: RewriteCond: NoCase option for non-regex pattern '%s' is not supported and will be ignored.", shown)
		c.NoCase = false
	}
	c.Pattern = p
	if c.Kind == CondRegex {
		if _, err := CompileRewriteRegex(p, c.NoCase); err != nil {
			return fail(fmt.Errorf("RewriteCond: cannot compile regular expression '%s'", p))
		}
	}
	return c, warning, nil
}

// ParseRewriteRule parses a RewriteRule argument line (cmd_rewriterule).
// Flags gohttpd cannot honour are refused: P (no proxy behind
// mod_rewrite), and H= with a handler gohttpd does not have.
func ParseRewriteRule(raw string) (*RewriteRule, error) {
	a1, a2, a3, has3, ok := parseRewriteArgs(raw)
	if !ok {
		return nil, fmt.Errorf("RewriteRule: bad argument line '%s'", strings.TrimLeft(raw, " \t"))
	}
	r := &RewriteRule{Status: 302, MaxRounds: RuleDefaultMaxLoop}
	if has3 {
		if err := parseFlagField(a3, r.setFlag); err != nil {
			return nil, fmt.Errorf("RewriteRule: %w", err)
		}
	}
	if strings.HasPrefix(a1, "!") {
		r.Flags |= RuleNotMatch
		a1 = a1[1:]
	}
	if _, err := CompileRewriteRegex(a1, r.Has(RuleNoCase)); err != nil {
		return nil, fmt.Errorf("RewriteRule: cannot compile regular expression '%s'", a1)
	}
	r.Pattern = a1
	r.Subst = a2
	if a2 == "-" {
		r.Flags |= RuleNoSub
	}
	switch {
	case strings.HasSuffix(a2, "?"):
		if r.Has(RuleQSAppend) {
			r.Flags |= RuleQSLast
		} else {
			r.Flags |= RuleQSNone
			r.Subst = a2[:len(a2)-1]
		}
	case r.Has(RuleQSDiscard) && !strings.Contains(a2, "?"):
		r.Flags |= RuleQSNone
	}
	return r, nil
}

// knownStatus: Apache 2.4 has a reason phrase for s (ap_index_of_response).
func knownStatus(s int) bool {
	switch {
	case s >= 100 && s <= 102, s >= 200 && s <= 208, s == 226,
		s >= 300 && s <= 305, s == 307, s == 308, s >= 400 && s <= 417, s >= 421 && s <= 424,
		s == 426, s == 428, s == 429, s == 431, s == 451, s >= 500 && s <= 508, s == 510, s == 511:
		return true
	}
	return false
}

// setFlag is cmd_rewriterule_setflag.
func (r *RewriteRule) setFlag(key, val string) error {
	if key == "" {
		return errors.New("unknown flag ''")
	}
	unknown := fmt.Errorf("unknown flag '%s'", key)
	rest := strings.ToLower(key[1:])
	switch key[0] | 0x20 {
	case 'b':
		switch rest {
		case "", "ackrefescaping":
			r.Flags |= RuleEscapeBackref
			r.Escapes = val
		case "ne":
			if val == "" {
				return errors.New("flag 'BNE' wants a list of characters (i.e. [BNE=...])")
			}
			r.NoEscapes = val
		case "np", "ackrefernoplus":
			r.Flags |= RuleEscapeNoPlus
		case "ctls":
			r.Flags |= RuleEscapeCtls | RuleEscapeBackref
		default:
			return unknown
		}
	case 'c':
		switch rest {
		case "", "hain":
			r.Flags |= RuleChain
		case "o", "ookie":
			r.Cookies = append(r.Cookies, val)
		default:
			return unknown
		}
	case 'd':
		// Apache ignores other D... flags silently.
		if rest == "" || rest == "pi" || rest == "iscardpath" {
			r.Flags |= RuleDiscardPath
		}
	case 'e':
		switch rest {
		case "", "nv":
			r.Env = append(r.Env, val)
		case "nd":
			r.Flags |= RuleEnd
		default:
			return unknown
		}
	case 'f':
		if rest != "" && rest != "orbidden" {
			return unknown
		}
		r.Flags |= RuleStatus | RuleNoSub
		r.Status = 403
	case 'g':
		if rest != "" && rest != "one" {
			return unknown
		}
		r.Flags |= RuleStatus | RuleNoSub
		r.Status = 410
	case 'h':
		if rest != "" && rest != "andler" {
			return unknown
		}
		h, ok := supportedHandler(val)
		if !ok || strings.Contains(val, "%") || strings.Contains(val, "$") {
			return fmt.Errorf("flag 'H=%s': gohttpd has no handler %q (server-status, metrics or none)", val, val)
		}
		r.Handler = h
	case 'l':
		if rest != "" && rest != "ast" {
			return unknown
		}
		r.Flags |= RuleLast
	case 'n':
		switch rest {
		case "e", "oescape":
			r.Flags |= RuleNoEscape
		case "", "ext":
			r.Flags |= RuleNext
			if val != "" {
				r.MaxRounds = atoi(val)
			}
		case "s", "osubreq":
			r.Flags |= RuleNoSubreq
		case "c", "ocase":
			r.Flags |= RuleNoCase
		default:
			return unknown
		}
	case 'p':
		switch rest {
		case "", "roxy":
			return errors.New("flag 'P' (proxy) is not supported by gohttpd: use ProxyPass or ProxyPassMatch")
		case "t", "assthrough":
			r.Flags |= RulePassThrough
		default:
			return unknown
		}
	case 'q':
		switch rest {
		case "sa", "sappend":
			r.Flags |= RuleQSAppend
		case "sd", "sdiscard":
			r.Flags |= RuleQSDiscard
		case "sl", "slast":
			r.Flags |= RuleQSLast
		default:
			return unknown
		}
	case 'r':
		if rest != "" && rest != "edirect" {
			return unknown
		}
		r.Flags |= RuleRedirect
		if val == "" {
			break
		}
		switch {
		case strings.EqualFold(val, "permanent"):
			r.Status = 301
		case strings.EqualFold(val, "temp"):
			r.Status = 302
		case strings.EqualFold(val, "seeother"):
			r.Status = 303
		case val[0] >= '0' && val[0] <= '9':
			s := atoi(val)
			if s != 500 && !knownStatus(s) {
				return fmt.Errorf("invalid HTTP response code '%s' for flag 'R'", val)
			}
			if s < 300 || s > 399 {
				r.Flags |= RuleStatus | RuleNoSub
			}
			r.Status = s
		default:
			// Apache sets forced_responsecode to 0 here; the redirect
			// then answers 302.
			r.Status = 0
		}
	case 's':
		if rest != "" && rest != "kip" {
			return unknown
		}
		r.Skip = atoi(val)
	case 't':
		if rest != "" && rest != "ype" {
			return unknown
		}
		r.Type = val
	case 'u':
		switch rest {
		case "nsafeprefixstat":
			r.Flags |= RuleUnsafePrefix
		case "nsafeallow3f":
			r.Flags |= RuleUnsafeAllow3F
		case "nc":
			r.Flags |= RuleUNC
		default:
			return unknown
		}
	default:
		return unknown
	}
	return nil
}
