package conf

// Configuration sections (<Directory>, <DirectoryMatch>, <Files>,
// <FilesMatch>, <Location>, <LocationMatch> and their "~" forms) and the
// per-directory settings they hold, with Apache's merge rules. The site
// matches them against requests (site/sections.go); conf only builds,
// checks, orders and merges them.

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// SectionKind is what a section selects requests by.
type SectionKind uint8

const (
	// SectionDirectory is <Directory> and <DirectoryMatch>: the
	// directories of the file a request maps to.
	SectionDirectory SectionKind = iota + 1
	// SectionFiles is <Files> and <FilesMatch>: the file's base name.
	SectionFiles
	// SectionLocation is <Location> and <LocationMatch>: the URL path.
	SectionLocation
)

// Section is one configuration section with the per-directory settings of
// the directives in it. Sections are plain data (they survive a JSON round
// trip); regular expressions are compiled by the site with
// [CompileSectionRegex].
type Section struct {
	Kind SectionKind `json:"kind"`
	// Regex is a Match form or a "~" form: Match is then a regular
	// expression (PCRE syntax as far as regexp2 takes it, case-sensitive).
	Regex bool `json:"regex,omitempty"`
	// Match is what the section selects: for <Directory> a clean absolute
	// path ending in "/" (wildcards *?[] allowed, as apr_fnmatch with
	// APR_FNM_PATHNAME), for <Files> a name or wildcard, for <Location> a
	// URL path (prefix match on segment boundaries, or a wildcard match).
	Match string `json:"match"`
	// Wildcard is set when a non-regex Match holds *, ? or [.
	Wildcard bool `json:"wildcard,omitempty"`
	// Components is, for a non-regex <Directory>, the number of '/' in
	// Match (ap_count_dirs), by which Apache orders them.
	Components int `json:"components,omitempty"`
	// Tag is the opening tag as written (`<Files ".ht*">`) and Pos its
	// file:line, for messages.
	Tag string `json:"tag"`
	Pos string `json:"pos,omitempty"`
	// Index is the section's position in the configuration (its order
	// among all sections, ties in Apache's sort keep it).
	Index int `json:"index"`
	// Dir holds the settings of the directives in the section.
	Dir *DirConfig `json:"dir"`
	// Files are the <Files> and <FilesMatch> sections nested in a
	// <Directory> or <DirectoryMatch>, in order: they apply when the
	// directory section does.
	Files []*Section `json:"files,omitempty"`
}

// Option bits: Apache's OPT_* values (http_core.h).
type OptionBits uint16

const (
	OptIndexes     OptionBits = 1
	OptIncludes    OptionBits = 2
	OptSymLinks    OptionBits = 4
	OptExecCGI     OptionBits = 8
	OptIncWithExec OptionBits = 32
	OptSymOwner    OptionBits = 64
	OptMulti       OptionBits = 128
	OptAll                    = OptIndexes | OptIncludes | OptIncWithExec | OptSymLinks | OptExecCGI
)

// OptionSet is one section's Options setting (core_dir_config's opts,
// opts_add and opts_remove). Set is false while no absolute Options line
// was given (Apache's OPT_UNSET): Add and Remove then modify the options
// merged so far.
type OptionSet struct {
	Opts   OptionBits `json:"opts,omitempty"`
	Add    OptionBits `json:"add,omitempty"`
	Remove OptionBits `json:"remove,omitempty"`
	Set    bool       `json:"set,omitempty"`
}

// Has reports whether every bit of o is on.
func (o OptionSet) Has(b OptionBits) bool { return o.Opts&b == b }

// Override bits: Apache's OR_* values and the NONFATAL flags
// (http_config.h).
type OverrideBits uint16

const (
	OverrideLimit    OverrideBits = 1
	OverrideOptions  OverrideBits = 2
	OverrideFileInfo OverrideBits = 4
	OverrideAuthCfg  OverrideBits = 8
	OverrideIndexes  OverrideBits = 16
	OverrideAll                   = OverrideLimit | OverrideOptions | OverrideFileInfo | OverrideAuthCfg | OverrideIndexes

	NonfatalOverride OverrideBits = 512
	NonfatalUnknown  OverrideBits = 1024
)

// Override is AllowOverride and AllowOverrideList. Unset fields inherit.
type Override struct {
	// Mask is AllowOverride's classes (and Nonfatal flags), meaningful
	// when Set.
	Mask OverrideBits `json:"mask,omitempty"`
	Set  bool         `json:"set,omitempty"`
	// Opts is AllowOverride Options=...: the options an .htaccess may set
	// (default: all), meaningful when OptsSet.
	Opts    OptionBits `json:"opts,omitempty"`
	OptsSet bool       `json:"optsSet,omitempty"`
	// List is AllowOverrideList (canonical directive names), meaningful
	// when ListSet; empty for None.
	List    []string `json:"list,omitempty"`
	ListSet bool     `json:"listSet,omitempty"`
}

// DirConfig is the per-directory configuration of a section, of an
// .htaccess file, of the server itself, or the merge of several. The zero
// value changes nothing. Values are immutable once built: merges return
// new values sharing the old ones' parts.
type DirConfig struct {
	Auth     *AuthConfig `json:"auth,omitempty"`
	Options  OptionSet   `json:"options"`
	Override Override    `json:"override"`
	// Handler is SetHandler ("server-status", "metrics", "" for none),
	// meaningful when HandlerSet.
	Handler    string `json:"handler,omitempty"`
	HandlerSet bool   `json:"handlerSet,omitempty"`
	// Files are <Files> sections of an .htaccess file, or of the server
	// configuration's top level (for a merged value: all that apply, in
	// Apache's order, base first).
	Files []*Section `json:"files,omitempty"`
	// Warnings are the notes of an .htaccess file about directives it
	// left out (AllowOverride Nonfatal=...), logged when it is read.
	Warnings []string `json:"warnings,omitempty"`
	// Proxy is what mod_proxy's directives of the section say
	// (ProxyPass with one argument, ProxyPassReverse, ...), nil for none.
	Proxy *ProxyDir `json:"proxy,omitempty"`
	// Resp is the response-shaping modules' settings (wire_resp.go).
	Resp *RespDir `json:"resp,omitempty"`
}

// ServerDirDefaults is Apache's per-directory configuration of a server
// before any directive (create_core_dir_config for the server: Options
// FollowSymLinks, AllowOverride None, every option overridable).
func ServerDirDefaults() *DirConfig {
	return &DirConfig{
		Options:  OptionSet{Opts: OptSymLinks},
		Override: Override{Set: true, Opts: OptAll | OptSymOwner | OptMulti, OptsSet: true},
	}
}

// AllowedOptions is ap_allow_options of a merged configuration.
func (d *DirConfig) AllowedOptions() OptionBits { return d.Options.Opts }

// OverrideMask is ap_allow_overrides of a merged configuration (without
// the Nonfatal flags).
func (d *DirConfig) OverrideMask() OverrideBits { return d.Override.Mask & OverrideAll }

// HasOverrides reports whether .htaccess files are read where d applies
// (AllowOverride other than None, or an AllowOverrideList).
func (d *DirConfig) HasOverrides() bool {
	return d.OverrideMask() != 0 || len(d.Override.List) > 0
}

// MergeDir merges child onto base with core's merge_core_dir_configs
// rules (Options +/- against the options so far, an absolute Options line
// replacing them; AllowOverride and SetHandler when set; Files sections
// appended) and MergeAuth. Either may be nil.
func MergeDir(base, child *DirConfig) *DirConfig {
	if base == nil {
		base = &DirConfig{}
	}
	if child == nil {
		return base
	}
	out := *base
	if !child.Options.Set {
		out.Options.Add = (base.Options.Add &^ child.Options.Remove) | child.Options.Add
		out.Options.Remove = (base.Options.Remove &^ child.Options.Add) | child.Options.Remove
		out.Options.Opts = (base.Options.Opts &^ out.Options.Remove) | out.Options.Add
		if base.Options.Opts&(OptIncludes|OptIncWithExec) == OptIncludes|OptIncWithExec &&
			child.Options.Opts&(OptIncludes|OptIncWithExec) == OptIncludes {
			out.Options.Opts &^= OptIncWithExec
		}
	} else {
		out.Options = child.Options
	}
	if child.Override.Set {
		out.Override.Mask, out.Override.Set = child.Override.Mask, true
	}
	if child.Override.OptsSet {
		out.Override.Opts, out.Override.OptsSet = child.Override.Opts, true
	}
	if child.Override.ListSet {
		out.Override.List, out.Override.ListSet = child.Override.List, true
	}
	if child.HandlerSet {
		out.Handler, out.HandlerSet = child.Handler, true
	}
	if len(child.Files) > 0 {
		out.Files = append(slices.Clip(base.Files), child.Files...)
	}
	if child.Auth != nil {
		out.Auth = MergeAuth(base.Auth, child.Auth)
	}
	if child.Proxy != nil {
		out.Proxy = MergeProxyDir(base.Proxy, child.Proxy)
	}
	out.Resp = MergeResp(base.Resp, child.Resp)
	return &out
}

// SectionTree is a server's sections in Apache's merge order: non-regex
// <Directory> sorted by number of path components (ties in configuration
// order, ap_core_reorder_directories), then <DirectoryMatch> and
// <Directory ~> in configuration order; <Files> of the top level and
// <Location> in configuration order. Nested <Files> stay with their
// <Directory>.
type SectionTree struct {
	Directories []*Section `json:"directories,omitempty"`
	DirRegex    []*Section `json:"dirRegex,omitempty"`
	Locations   []*Section `json:"locations,omitempty"`
}

// Tree orders sections (in configuration order) into a SectionTree.
// Top-level <Files> sections are not part of it: they are in the server's
// DirConfig.Files.
func Tree(sections []*Section) SectionTree {
	var t SectionTree
	for _, s := range sections {
		switch {
		case s.Kind == SectionDirectory && !s.Regex:
			t.Directories = append(t.Directories, s)
		case s.Kind == SectionDirectory:
			t.DirRegex = append(t.DirRegex, s)
		case s.Kind == SectionLocation:
			t.Locations = append(t.Locations, s)
		}
	}
	slices.SortStableFunc(t.Directories, func(a, b *Section) int {
		return cmp.Compare(a.Components, b.Components)
	})
	return t
}

// regexTimeout bounds one match of a section's regular expression (PCRE
// has a match limit; regexp2 backtracks without one).
const regexTimeout = 100 * time.Millisecond

// CompileSectionRegex compiles a section's regular expression with the
// options gohttpd matches with: regexp2's default (Perl/.NET) syntax, which
// has PCRE's lookarounds, named groups ((?<name>...), (?'name'...) and
// Python's (?P<name>...)), backreferences and inline flags such as (?i),
// case-sensitive, "$" matching at the end or before a final newline, as
// PCRE does without flags.
//
// PCRE syntax regexp2 does not read the same way is translated first:
// Python-style named groups and references ((?P<name>...), (?P=name)),
// POSIX classes in brackets ([[:alpha:]], [^[:space:]]), which regexp2
// would otherwise take as a set of literal characters, and \d \w \s (and
// their negations), which are ASCII in PCRE and Unicode in regexp2. What
// cannot be translated ((?P>name), [:^class:], \D inside brackets) is an
// error, never a silently different match. (regexp2 matches runes where
// PCRE without UTF matches bytes: "." takes a whole UTF-8 character.)
func CompileSectionRegex(expr string) (*regexp2.Regexp, error) {
	expr, err := translatePCRE(expr)
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(expr, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = regexTimeout
	return re, nil
}

// countDirs is ap_count_dirs: the number of '/' in p.
func countDirs(p string) int { return strings.Count(p, "/") }

// hasWildcard is apr_fnmatch_test: the string holds *, ? or [.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// newSection checks a section's arguments and builds it without settings:
// tag is the canonical section name ("<Directory"), words its arguments,
// root the ServerRoot for a relative <Directory> path.
func newSection(tag string, words []string, root string) (*Section, error) {
	key := strings.ToLower(tag[1:])
	s := &Section{}
	switch key {
	case "directory", "directorymatch":
		s.Kind = SectionDirectory
	case "files", "filesmatch":
		s.Kind = SectionFiles
	default:
		s.Kind = SectionLocation
	}
	if len(words) == 0 || words[0] == "" {
		return nil, errors.New(tag + "> directive requires additional arguments")
	}
	arg := words[0]
	if strings.HasSuffix(key, "match") {
		s.Regex = true
	} else if arg == "~" {
		if len(words) < 2 {
			return nil, errors.New(tag + "> directive requires additional arguments")
		}
		s.Regex, arg, words = true, words[1], words[1:]
	}
	if len(words) > 1 {
		switch s.Kind {
		case SectionLocation:
			return nil, errors.New("Multiple <Location> arguments not (yet) supported.")
		case SectionFiles:
			return nil, errors.New("Multiple <Files> arguments not (yet) supported.")
		default:
			return nil, errors.New("Multiple <Directory> arguments not (yet) supported.")
		}
	}
	if s.Regex {
		if _, err := CompileSectionRegex(arg); err != nil {
			return nil, fmt.Errorf("Regex could not be compiled: %v", err)
		}
		s.Match = arg
		return s, nil
	}
	switch s.Kind {
	case SectionDirectory:
		// Apache merges a relative path onto its working directory;
		// gohttpd resolves it against ServerRoot, as other paths.
		p := absPath(arg, root)
		if p != "/" {
			p += "/"
		}
		s.Match = p
		s.Wildcard = hasWildcard(p)
		s.Components = countDirs(p)
		if p == "/" {
			s.Components = 0
		}
		if s.Wildcard {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%s> bad wildcard pattern %q", tag, arg)
			}
		}
	case SectionFiles:
		s.Match = arg
		s.Wildcard = hasWildcard(arg)
	default:
		s.Match = arg
		s.Wildcard = hasWildcard(arg)
	}
	if s.Wildcard {
		if _, err := path.Match(s.Match, ""); err != nil {
			return nil, fmt.Errorf("%s> bad wildcard pattern %q", tag, arg)
		}
	}
	return s, nil
}

// ForVirtualHost is the section tree of a virtual host whose own sections
// are vhost, on the main server's tree t, as Apache's
// merge_core_server_configs and ap_core_reorder_directories make it: the
// main server's sections come first (in ties of the directory sort too),
// then the virtual host's. The virtual host's own settings are
// MergeDir(main.Dir, vhost.Dir). (For the virtual-host integration.)
func (t SectionTree) ForVirtualHost(vhost SectionTree) SectionTree {
	out := SectionTree{
		Directories: append(slices.Clip(t.Directories), vhost.Directories...),
		DirRegex:    append(slices.Clip(t.DirRegex), vhost.DirRegex...),
		Locations:   append(slices.Clip(t.Locations), vhost.Locations...),
	}
	slices.SortStableFunc(out.Directories, func(a, b *Section) int {
		return cmp.Compare(a.Components, b.Components)
	})
	return out
}

// posixClasses are the bodies of PCRE's POSIX bracket classes (ASCII, as
// PCRE without UCP), written for a .NET character class.
var posixClasses = map[string]string{
	"alpha":  `a-zA-Z`,
	"digit":  `0-9`,
	"alnum":  `a-zA-Z0-9`,
	"upper":  `A-Z`,
	"lower":  `a-z`,
	"space":  `\t\n\v\f\r `,
	"blank":  `\t `,
	"xdigit": `0-9A-Fa-f`,
	"word":   `a-zA-Z0-9_`,
	"punct":  `!-/:-@\[-` + "`" + `{-~`,
	"cntrl":  `\x00-\x1f\x7f`,
	"print":  `\x20-\x7e`,
	"graph":  `\x21-\x7e`,
	"ascii":  `\x00-\x7f`,
}

// translatePCRE rewrites the PCRE constructs regexp2 lacks (see
// CompileSectionRegex).
func translatePCRE(expr string) (string, error) {
	if !strings.ContainsAny(expr, "\\[") && !strings.Contains(expr, "(?P") {
		return expr, nil
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr) && strings.IndexByte("dDwWsS", expr[i+1]) >= 0:
			// PCRE's \d, \w, \s are ASCII (no UCP); .NET's are Unicode.
			set := map[byte]string{'d': `0-9`, 'w': `a-zA-Z0-9_`, 's': `\t\n\v\f\r `}[expr[i+1]|0x20]
			negated := expr[i+1] < 'a'
			switch {
			case inClass && negated:
				return "", fmt.Errorf("%q inside a bracket class is not supported", expr[i:i+2])
			case inClass:
				b.WriteString(set)
			case negated:
				b.WriteString("[^" + set + "]")
			default:
				b.WriteString("[" + set + "]")
			}
			i += 2
		case c == '\\':
			end := min(i+2, len(expr))
			b.WriteString(expr[i:end])
			i = end
		case !inClass && strings.HasPrefix(expr[i:], "(?P<"):
			b.WriteString("(?<")
			i += 4
		case !inClass && strings.HasPrefix(expr[i:], "(?P="):
			j := strings.IndexByte(expr[i:], ')')
			if j < 0 {
				return "", errors.New("unterminated (?P=name)")
			}
			b.WriteString(`\k<` + expr[i+4:i+j] + `>`)
			i += j + 1
		case !inClass && strings.HasPrefix(expr[i:], "(?P"):
			return "", fmt.Errorf("%q is not supported", expr[i:min(i+4, len(expr))])
		case !inClass && c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			if i < len(expr) && expr[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(expr) && expr[i] == ']' { // a literal ] first
				b.WriteString(`\]`)
				i++
			}
		case inClass && strings.HasPrefix(expr[i:], "[:"):
			j := strings.Index(expr[i+2:], ":]")
			if j < 0 {
				b.WriteString(`\[`)
				i++
				continue
			}
			name := expr[i+2 : i+2+j]
			body, ok := posixClasses[name]
			if !ok {
				return "", fmt.Errorf("POSIX class [:%s:] is not supported", name)
			}
			b.WriteString(body)
			i += j + 4
		case inClass && c == ']':
			inClass = false
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}
