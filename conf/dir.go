package conf

// mod_dir directives per section: DirectoryIndex, DirectorySlash,
// FallbackResource, DirectoryIndexRedirect and DirectoryCheckHandler,
// built by ModDirBuilder for one section and combined by MergeModDir.
// Their behaviour is in site/alias (DirFixup).

import (
	"errors"
	"strings"
)

// DefaultDirectoryIndex is mod_dir's AP_DEFAULT_INDEX.
const DefaultDirectoryIndex = "index.html"

// ModDirConfig is what one section says with mod_dir's directives (Apache's
// dir_config_rec). The zero value is a section without any of them.
// Values are immutable once built.
type ModDirConfig struct {
	// Index is the DirectoryIndex list, meaningful when IndexSet; an
	// empty list ("DirectoryIndex disabled") means no index at all.
	// Names are URLs relative to the directory ("index.html") or
	// absolute ("/index.php").
	Index    []string `json:"index"`
	IndexSet bool     `json:"indexset,omitempty"`
	// NoSlash is "DirectorySlash Off", meaningful when SlashSet (the
	// default is On).
	NoSlash, SlashSet bool `json:",omitempty"`
	// CheckHandler is "DirectoryCheckHandler On", meaningful when
	// CheckHandlerSet.
	CheckHandler, CheckHandlerSet bool `json:",omitempty"`
	// IndexRedirect is DirectoryIndexRedirect's status (0 for Off),
	// meaningful when IndexRedirectSet.
	IndexRedirect    int  `json:"indexredirect,omitempty"`
	IndexRedirectSet bool `json:"indexredirectset,omitempty"`
	// Fallback is FallbackResource ("" unset; "disabled", any case, turns
	// an inherited one off).
	Fallback string `json:"fallback,omitempty"`
}

// IndexNames is the DirectoryIndex list in effect: Index when set, else
// index.html.
func (c *ModDirConfig) IndexNames() []string {
	if c == nil || !c.IndexSet {
		return defaultIndexNames
	}
	return c.Index
}

var defaultIndexNames = []string{DefaultDirectoryIndex}

// Slash reports whether DirectorySlash is On (the default).
func (c *ModDirConfig) Slash() bool { return c == nil || !c.SlashSet || !c.NoSlash }

// FallbackResource is the FallbackResource in effect, "" for none (unset
// or disabled).
func (c *ModDirConfig) FallbackResource() string {
	if c == nil || strings.EqualFold(c.Fallback, "disabled") {
		return ""
	}
	return c.Fallback
}

// MergeModDir is mod_dir's merge_dir_configs: the child's
// DirectoryIndex list replaces the base's when the child has one (lists do
// not add up across sections), and each other setting comes from the
// child when it sets it. Either argument may be nil.
func MergeModDir(base, child *ModDirConfig) *ModDirConfig {
	if base == nil {
		return child
	}
	if child == nil {
		return base
	}
	out := *base
	if child.IndexSet {
		out.Index, out.IndexSet = child.Index, true
	}
	if child.SlashSet {
		out.NoSlash, out.SlashSet = child.NoSlash, true
	}
	if child.CheckHandlerSet {
		out.CheckHandler, out.CheckHandlerSet = child.CheckHandler, true
	}
	if child.IndexRedirectSet {
		out.IndexRedirect, out.IndexRedirectSet = child.IndexRedirect, true
	}
	if child.Fallback != "" {
		out.Fallback = child.Fallback
	}
	return &out
}

// DirDirectives are the directives ModDirBuilder.Directive takes. All are
// allowed everywhere, .htaccess included with AllowOverride Indexes
// (mod_dir's DIR_CMD_PERMS is OR_INDEXES).
var DirDirectives = []string{
	"DirectoryIndex", "DirectorySlash", "FallbackResource",
	"DirectoryIndexRedirect", "DirectoryCheckHandler",
}

// ModDirBuilder builds one section's ModDirConfig:
//
//	var b conf.ModDirBuilder
//	b.Directive("DirectoryIndex", []string{"index.php", "index.html"})
//	b.Directive("FallbackResource", []string{"/index.php"})
//	cfg := b.Config()
//
// Errors carry Apache's texts without position.
type ModDirBuilder struct {
	cfg ModDirConfig
}

// Config returns the section's configuration built so far.
func (b *ModDirBuilder) Config() *ModDirConfig {
	c := b.cfg
	c.Index = append([]string(nil), c.Index...)
	if c.IndexSet && c.Index == nil {
		c.Index = []string{}
	}
	return &c
}

// Directive applies one directive of DirDirectives (name in any case)
// with its arguments as the lexer split them (DirectoryIndex's raw
// arguments split as ap_getword_conf does).
func (b *ModDirBuilder) Directive(name string, args []string) error {
	flag := func(canon string) (bool, error) {
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return false, errors.New(canon + " must be On or Off")
		}
		return strings.EqualFold(args[0], "on"), nil
	}
	switch strings.ToLower(name) {
	case "directoryindex":
		// add_index: names add to the section's list (several lines in
		// one section accumulate); "disabled" first and alone empties it.
		// An empty argument list still sets an (empty) list, as Apache.
		b.cfg.IndexSet = true
		for i, w := range args {
			if w == "" {
				break
			}
			if i == 0 && len(args) == 1 && strings.EqualFold(w, "disabled") {
				b.cfg.Index = b.cfg.Index[:0]
				break
			}
			b.cfg.Index = append(b.cfg.Index, w)
		}
	case "directoryslash":
		on, err := flag("DirectorySlash")
		if err != nil {
			return err
		}
		b.cfg.NoSlash, b.cfg.SlashSet = !on, true
	case "directorycheckhandler":
		on, err := flag("DirectoryCheckHandler")
		if err != nil {
			return err
		}
		b.cfg.CheckHandler, b.cfg.CheckHandlerSet = on, true
	case "fallbackresource":
		if len(args) != 1 {
			return errors.New("FallbackResource takes one argument, Set a default handler")
		}
		b.cfg.Fallback = args[0]
	case "directoryindexredirect":
		if len(args) != 1 {
			return errors.New("DirectoryIndexRedirect takes one argument, On, Off, or a 3xx status code.")
		}
		a := args[0]
		var status int
		switch {
		case strings.EqualFold(a, "on"), strings.EqualFold(a, "temp"):
			status = 302
		case strings.EqualFold(a, "off"):
			status = 0
		case strings.EqualFold(a, "permanent"):
			status = 301
		case strings.EqualFold(a, "seeother"):
			status = 303
		case a != "" && a[0] >= '0' && a[0] <= '9':
			status = atoiC(a)
			if !isHTTPRedirect(status) {
				return errors.New("DirectoryIndexRedirect only accepts values between 300 and 399")
			}
		default:
			return errors.New("DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx")
		}
		b.cfg.IndexRedirect, b.cfg.IndexRedirectSet = status, true
	default:
		return errors.New("unknown mod_dir directive " + name)
	}
	return nil
}
