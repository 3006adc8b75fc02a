package conf

// Wiring of the URL-mapping and handler modules into the walker: mod_alias
// (Alias, AliasMatch, Redirect*, RedirectMatch, RedirectRelative,
// AliasPreservePath), mod_dir (DirectoryIndex in sections, DirectorySlash,
// FallbackResource, DirectoryIndexRedirect, DirectoryCheckHandler),
// mod_autoindex, the core's ErrorDocument, ServerTokens and
// ServerSignature, and mod_rewrite. Per-directory results go into
// DirConfig.Map (merged by MergeMapDir inside MergeDir), per-server ones
// into SiteConfig.Map.

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// MapDir is the per-directory part of the URL-mapping modules: one
// section's (or .htaccess file's, or server's top level) settings, or the
// merge of several. Values are immutable once built.
type MapDir struct {
	Alias   *AliasDir        `json:"alias,omitempty"`
	Dir     *ModDirConfig    `json:"dir,omitempty"`
	Index   *AutoindexConfig `json:"index,omitempty"`
	Errors  ErrorDocs        `json:"errors,omitempty"`
	Rewrite *RewriteConfig   `json:"rewrite,omitempty"`
	// Signature is ServerSignature (SignatureUnset: inherit).
	Signature Signature `json:"signature,omitempty"`
}

// Signature is ServerSignature's setting.
type Signature uint8

const (
	SignatureUnset Signature = iota
	SignatureOff
	SignatureOn
	SignatureEMail
)

// MergeMapDir merges child onto base with each module's merge rules.
// Either may be nil.
func MergeMapDir(base, child *MapDir) *MapDir {
	if base == nil {
		return child
	}
	if child == nil {
		return base
	}
	out := &MapDir{
		Alias:     MergeAliasDir(base.Alias, child.Alias),
		Dir:       MergeModDir(base.Dir, child.Dir),
		Index:     mergeAutoindexNil(base.Index, child.Index),
		Errors:    MergeErrorDocs(base.Errors, child.Errors),
		Rewrite:   MergeRewriteDir(base.Rewrite, child.Rewrite),
		Signature: base.Signature,
	}
	if child.Signature != SignatureUnset {
		out.Signature = child.Signature
	}
	return out
}

// mergeAutoindexNil is MergeAutoindex that keeps "no configuration" as
// nil when both sides are nil (ap_merge_per_dir_configs skips a nil side).
func mergeAutoindexNil(base, child *AutoindexConfig) *AutoindexConfig {
	if base == nil && child == nil {
		return nil
	}
	return MergeAutoindex(base, child)
}

// MapServer is the per-server part of the URL-mapping modules: the main
// server's, or a virtual host's merged onto it.
type MapServer struct {
	Alias   *AliasServer   `json:"alias,omitempty"`
	Rewrite *RewriteConfig `json:"rewrite,omitempty"`
	// Tokens is ServerTokens (global): "Prod" (default), "Major",
	// "Minor", "Min", "OS" or "Full".
	Tokens string `json:"tokens,omitempty"`
	// UseCanonicalName On: self-referential URLs use ServerName:Port.
	UseCanonicalName bool `json:"useCanonicalName,omitempty"`
	// CanonicalSet: UseCanonicalName was given at this level.
	CanonicalSet bool `json:"canonicalSet,omitempty"`
	// LimitInternalRecursion is the limit of internal redirects (0: 10).
	LimitInternalRecursion int `json:"limitInternalRecursion,omitempty"`
}

// mergeMapServer is a virtual host's MapServer over the main server's.
func mergeMapServer(main, vhost *MapServer) *MapServer {
	if main == nil {
		return vhost
	}
	if vhost == nil {
		vhost = &MapServer{}
	}
	out := *vhost
	out.Alias = MergeAliasServer(main.Alias, vhost.Alias)
	if main.Rewrite != nil {
		// Apache gives every server a rewrite configuration: the main
		// server's rules reach a virtual host only by its options.
		own := vhost.Rewrite
		if own == nil {
			own = &RewriteConfig{}
		}
		out.Rewrite = MergeRewriteServer(main.Rewrite, own)
	}
	out.Tokens = main.Tokens
	if !vhost.CanonicalSet {
		out.UseCanonicalName = main.UseCanonicalName
	}
	if out.LimitInternalRecursion == 0 {
		out.LimitInternalRecursion = main.LimitInternalRecursion
	}
	return &out
}

// mapBuilder builds one scope's MapDir (it lives in a dirBuilder).
type mapBuilder struct {
	used      bool
	alias     *AliasDir
	aliasUsed bool
	dir       ModDirBuilder
	dirUsed   bool
	index     *AutoindexBuilder
	errs      ErrorDocBuilder
	rewrite   *RewriteBuilder
	signature Signature
}

// finish returns the scope's MapDir, nil when it had none of the
// directives.
func (m *mapBuilder) finish() (*MapDir, error) {
	if !m.used {
		return nil, nil
	}
	out := &MapDir{Errors: m.errs.Docs(), Signature: m.signature}
	if m.aliasUsed {
		a := *m.alias
		out.Alias = &a
	}
	if m.dirUsed {
		out.Dir = m.dir.Config()
	}
	if m.index != nil {
		out.Index = m.index.Finish()
		m.index = nil
	}
	if m.rewrite != nil {
		rc, err := m.rewrite.Finish()
		if err != nil {
			return nil, err
		}
		out.Rewrite = rc
		m.rewrite = nil
	}
	return out, nil
}

// mapServerBuilder builds one server's MapServer.
type mapServerBuilder struct {
	alias   AliasBuilder
	rewrite *RewriteBuilder
	// tokens, canonical, recursion are the server's values ("" / unset).
	tokens       string
	canonical    bool
	canonicalSet bool
	recursion    int
	used         bool
}

func (s *mapServerBuilder) finish() (*MapServer, error) {
	if s == nil || !s.used {
		return nil, nil
	}
	out := &MapServer{Tokens: s.tokens, UseCanonicalName: s.canonical, CanonicalSet: s.canonicalSet, LimitInternalRecursion: s.recursion}
	if srv := s.alias.Server(); len(srv.Aliases) > 0 || len(srv.Redirects) > 0 {
		out.Alias = srv
	}
	if s.rewrite != nil {
		rc, err := s.rewrite.Finish()
		if err != nil {
			return nil, err
		}
		out.Rewrite = rc
	}
	return out, nil
}

// mapWalk is the walker's state for the mapping modules.
type mapWalk struct {
	main   *mapServerBuilder
	vhosts map[*vhostRaw]*mapServerBuilder
}

// server is the builder of the server being walked (the main server's,
// or the current <VirtualHost>'s).
func (w *walker) mapServer() *mapServerBuilder {
	m := &w.mp
	if w.cur == nil {
		if m.main == nil {
			m.main = &mapServerBuilder{alias: AliasBuilder{ServerRoot: w.root}}
		}
		return m.main
	}
	if m.vhosts == nil {
		m.vhosts = make(map[*vhostRaw]*mapServerBuilder)
	}
	s := m.vhosts[w.cur]
	if s == nil {
		s = &mapServerBuilder{alias: AliasBuilder{ServerRoot: w.root}}
		m.vhosts[w.cur] = s
	}
	return s
}

// mapKind says which module takes a directive (lower-case key).
func mapKind(key string) string {
	switch key {
	case "alias", "aliasmatch", "redirect", "redirectmatch", "redirectpermanent",
		"redirecttemp", "redirectrelative", "aliaspreservepath":
		return "alias"
	case "directoryindex", "directoryslash", "fallbackresource", "directoryindexredirect",
		"directorycheckhandler":
		return "dir"
	case "errordocument":
		return "errordoc"
	case "servertokens", "serversignature", "usecanonicalname", "limitinternalrecursion":
		return "core"
	case "rewriteengine", "rewriteoptions", "rewritebase", "rewritecond", "rewriterule", "rewritemap":
		return "rewrite"
	}
	for _, d := range AutoindexDirectives {
		if strings.EqualFold(d, key) {
			return "autoindex"
		}
	}
	return ""
}

// mapOverrideClass is the AllowOverride class of the mapping modules'
// directives that overrideClass does not list.
func mapOverrideClass(key string) OverrideBits {
	switch mapKind(key) {
	case "alias":
		if key == "alias" || key == "aliasmatch" {
			return 0
		}
		return OverrideFileInfo
	case "dir", "autoindex":
		return OverrideIndexes
	case "errordoc", "rewrite":
		if key == "rewritemap" {
			return 0
		}
		return OverrideFileInfo
	case "core":
		if key == "serversignature" {
			return OverrideAll
		}
	}
	return 0
}

// mapDirective takes the mapping modules' directives; handled is false
// for any other directive (and for DirectoryIndex at a server's top
// level, which SiteConfig.DirectoryIndex keeps).
func (w *walker) mapDirective(n *node, key string, ctx *walkCtx) (handled bool, err error) {
	kind := mapKind(key)
	if kind == "" {
		return false, nil
	}
	if key == "directoryindex" && ctx.server() && w.ht == nil {
		return false, nil
	}
	if ctx.skipped() || w.detect != nil {
		return true, nil
	}
	p := n.pos()
	name := n.name
	fail := func(err error) (bool, error) {
		if err == nil {
			return true, nil
		}
		return true, w.soft(errAt(p, name, err.Error()))
	}
	// path is Apache's cmd->path: the section's, the .htaccess
	// directory, "" at a server's top level.
	path := ""
	switch {
	case w.ht != nil:
		path = filepath.Dir(p.file) + "/"
	case ctx.sec != nil:
		path = ctx.sec.Match
	}
	var mb *mapBuilder
	if b := w.dirTarget(ctx); b != nil {
		mb = &b.mp
	}
	if kind == "rewrite" {
		return fail(w.mapRewrite(n, key, path, ctx, mb))
	}
	args := w.args(n)
	switch kind {
	case "alias":
		actx := AliasInServer
		switch {
		case w.ht != nil:
			actx = AliasInHTAccess
		case ctx.sec != nil:
			actx = aliasContextOf(ctx.sec)
		}
		if mb.alias == nil {
			mb.alias = new(AliasDir)
		}
		srv := w.mapServer()
		before := len(srv.alias.Warnings)
		err := srv.alias.Directive(mb.alias, actx, path, name, args)
		for _, wn := range srv.alias.Warnings[before:] {
			w.notice(p, "%s", wn)
		}
		if err == nil {
			// At a server's top level RedirectRelative and
			// AliasPreservePath are per-directory settings, the others
			// the server's.
			if actx == AliasInServer && key != "redirectrelative" && key != "aliaspreservepath" {
				srv.used = true
			} else {
				mb.used, mb.aliasUsed = true, true
			}
		}
		return fail(err)
	case "dir":
		mb.used, mb.dirUsed = true, true
		return fail(mb.dir.Directive(name, args))
	case "autoindex":
		if mb.index == nil {
			mb.index = NewAutoindexBuilder(path)
		}
		mb.used = true
		return fail(mb.index.Directive(name, args))
	case "errordoc":
		notice, err := mb.errs.Directive(args)
		if notice != "" {
			w.notice(p, "%s:%d %s", p.file, p.line, notice)
		}
		if err == nil {
			mb.used = true
		}
		return fail(err)
	case "core":
		return fail(w.mapCore(key, args, ctx, mb))
	}
	return true, nil
}

// aliasContextOf is the AliasContext of a section.
func aliasContextOf(s *Section) AliasContext {
	switch s.Kind {
	case SectionLocation:
		if s.Regex {
			return AliasInLocationMatch
		}
		return AliasInLocation
	case SectionFiles:
		if s.Regex {
			return AliasInFilesMatch
		}
		return AliasInFiles
	}
	if s.Regex {
		return AliasInDirectoryMatch
	}
	return AliasInDirectory
}

// mapCore is ServerTokens, ServerSignature, UseCanonicalName and
// LimitInternalRecursion.
func (w *walker) mapCore(key string, args []string, ctx *walkCtx, mb *mapBuilder) error {
	one := func(canon string, values ...string) (string, error) {
		if len(args) != 1 {
			return "", errors.New(canon + " takes one argument")
		}
		for _, v := range values {
			if strings.EqualFold(v, args[0]) {
				return v, nil
			}
		}
		return "", nil
	}
	switch key {
	case "servertokens":
		if !ctx.server() {
			return errors.New("ServerTokens not allowed here")
		}
		if ctx.kind == ctxVHost {
			return errors.New("ServerTokens cannot occur within <VirtualHost> section")
		}
		if len(args) != 1 {
			return errors.New("ServerTokens takes one argument, Tag the server HTTP response header field with the version")
		}
		// core's set_serv_tokens: anything unknown is Full.
		v := "Full"
		switch strings.ToLower(args[0]) {
		case "os":
			v = "OS"
		case "min", "minimal":
			v = "Minimal"
		case "major":
			v = "Major"
		case "minor":
			v = "Minor"
		case "prod", "productonly":
			v = "Prod"
		}
		s := w.mapServer()
		s.tokens, s.used = v, true
		return nil
	case "serversignature":
		v, err := one("ServerSignature", "On", "Off", "EMail")
		if err != nil {
			return err
		}
		switch v {
		case "On":
			mb.signature = SignatureOn
		case "Off":
			mb.signature = SignatureOff
		case "EMail":
			mb.signature = SignatureEMail
		default:
			return errors.New("ServerSignature: use one of: off | on | email")
		}
		mb.used = true
		return nil
	case "usecanonicalname":
		if !ctx.server() {
			v, _ := one("UseCanonicalName", "Off")
			if v == "Off" {
				return nil
			}
			return errors.New(notImplemented("UseCanonicalName "+strings.Join(args, " "), ctx))
		}
		v, err := one("UseCanonicalName", "On", "Off", "DNS")
		if err != nil {
			return err
		}
		switch v {
		case "DNS":
			return errors.New(notImplemented("UseCanonicalName DNS", ctx))
		case "":
			return errors.New("UseCanonicalName must be On, Off or DNS")
		}
		s := w.mapServer()
		s.canonical, s.canonicalSet, s.used = v == "On", true, true
		return nil
	case "limitinternalrecursion":
		if !ctx.server() {
			return errors.New("LimitInternalRecursion not allowed here")
		}
		if len(args) < 1 || len(args) > 2 {
			return errors.New("LimitInternalRecursion takes one or two arguments, maximum recursion depth of internal redirects and subrequests")
		}
		n := atoiC(args[0])
		if n <= 0 {
			return errors.New("The recursion limit must be greater than zero.")
		}
		s := w.mapServer()
		s.recursion, s.used = n, true
		return nil
	}
	return nil
}

// mapRewrite routes a mod_rewrite directive to its scope's builder.
func (w *walker) mapRewrite(n *node, key, path string, ctx *walkCtx, mb *mapBuilder) error {
	p := n.pos()
	raw := w.expand(n.raw, p)
	var b *RewriteBuilder
	switch {
	case w.ht == nil && ctx.server():
		s := w.mapServer()
		if s.rewrite == nil {
			s.rewrite = &RewriteBuilder{}
		}
		s.used = true
		b = s.rewrite
	case key == "rewritemap":
		return errors.New("RewriteMap not allowed here")
	default:
		if ctx.kind == ctxFiles || ctx.kind == ctxLocation {
			// Apache runs per-directory rules of <Location> and <Files>
			// in odd ways (its documentation advises against them).
			return errors.New(notImplemented(n.name+" inside "+ctx.section+">", nil))
		}
		if mb.rewrite == nil {
			mb.rewrite = &RewriteBuilder{Dir: path}
		}
		mb.used = true
		b = mb.rewrite
	}
	before := len(b.Warnings)
	err := b.Directive(n.name, raw, fmt.Sprintf("%s:%d", p.file, p.line))
	for _, wn := range b.Warnings[before:] {
		w.notice(p, "%s", wn)
	}
	return err
}

// mapResult puts the main server's MapServer into the configuration.
func (w *walker) mapResult(b *builder) error {
	s, err := w.mp.main.finish()
	if err != nil {
		return &Error{Directive: "RewriteRule", Err: err}
	}
	b.cfg.Site.Map = s
	return nil
}

// mapVHost is the MapServer of a virtual host, merged onto the main
// server's.
func (w *walker) mapVHost(raw *vhostRaw, main *MapServer) (*MapServer, error) {
	s, err := w.mp.vhosts[raw].finish()
	if err != nil {
		return nil, err
	}
	return mergeMapServer(main, s), nil
}
