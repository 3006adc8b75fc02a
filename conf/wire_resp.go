package conf

// The wiring of the response-shaping modules into the section walker:
// mod_mime (and core's ForceType, AddDefaultCharset, DefaultType),
// mod_mime's AddLanguage and DefaultLanguage, mod_setenvif, mod_env,
// mod_headers, mod_expires, and mod_deflate / mod_brotli / mod_filter's
// compression directives. Their builders (MimeBuilder, SetEnvIfBuilder,
// EnvBuilder, HeadersBuilder, ExpiresBuilder, CompressBuilder) do the
// parsing; this file routes a section's lines to them, keeps the
// results in DirConfig.Resp and merges them along the section chain.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RespDir is what one section (or a merged chain) says with the
// response-shaping directives. nil fields are "no change" in a merge.
// Values are immutable once built.
type RespDir struct {
	Mime *MimeConfig `json:"mime,omitempty"`
	// Lang is AddLanguage (extension, lower case without the dot, to the
	// language tag as written); DefaultLanguage is DefaultLanguage ("" unset).
	Lang            map[string]string `json:"lang,omitempty"`
	DefaultLanguage string            `json:"defaultLanguage,omitempty"`
	// SetEnvIf are the SetEnvIf/BrowserMatch lines of sections and
	// .htaccess files (header_parser phase); ServerSetEnvIf those of the
	// main server and <VirtualHost> top level (post_read_request).
	SetEnvIf       *SetEnvIfConfig `json:"setEnvIf,omitempty"`
	ServerSetEnvIf *SetEnvIfConfig `json:"serverSetEnvIf,omitempty"`
	Env            *EnvConfig      `json:"env,omitempty"`
	Headers        *HeadersConfig  `json:"headers,omitempty"`
	Expires        *ExpiresConfig  `json:"expires,omitempty"`
	Compress       *CompressDir    `json:"compress,omitempty"`
	// CompressServer is the server-wide compression settings given at a
	// server's top level (RSRC_CONF).
	CompressServer *CompressServer `json:"compressServer,omitempty"`
	// TypeMap is mod_mime's "AddHandler type-map ext" (true) and
	// "RemoveHandler ext" (false), by extension (lower case, no dot):
	// mod_negotiation's type-map files.
	TypeMap map[string]bool `json:"typeMap,omitempty"`
	// LanguagePriority and ForceLanguagePriority are mod_negotiation's
	// (used by type maps); LangPrioritySet says LanguagePriority was
	// given, ForceLangPriority is FLP* bits (0: unset, Prefer).
	LanguagePriority  []string `json:"languagePriority,omitempty"`
	LangPrioritySet   bool     `json:"langPrioritySet,omitempty"`
	ForceLangPriority uint8    `json:"forceLangPriority,omitempty"`
}

// ForceLanguagePriority bits (mod_negotiation's FLP_*).
const (
	FLPNone     uint8 = 1
	FLPPrefer   uint8 = 2
	FLPFallback uint8 = 4
)

// MergeResp merges a section's response-shaping settings (child) onto
// those of the sections before it, each module with its own rule.
// Either may be nil.
func MergeResp(base, child *RespDir) *RespDir {
	if child == nil {
		return base
	}
	if base == nil {
		return child
	}
	out := RespDir{
		Mime:            MergeMime(base.Mime, child.Mime),
		DefaultLanguage: base.DefaultLanguage,
		SetEnvIf:        MergeSetEnvIf(base.SetEnvIf, child.SetEnvIf),
		ServerSetEnvIf:  MergeSetEnvIf(base.ServerSetEnvIf, child.ServerSetEnvIf),
		Env:             MergeEnv(base.Env, child.Env),
		Headers:         MergeHeaders(base.Headers, child.Headers),
		Expires:         MergeExpires(base.Expires, child.Expires),
		Compress:        base.Compress,
		CompressServer:  base.CompressServer,
	}
	if child.DefaultLanguage != "" {
		out.DefaultLanguage = child.DefaultLanguage
	}
	switch {
	case len(child.Lang) == 0:
		out.Lang = base.Lang
	case len(base.Lang) == 0:
		out.Lang = child.Lang
	default:
		out.Lang = make(map[string]string, len(base.Lang)+len(child.Lang))
		for k, v := range base.Lang {
			out.Lang[k] = v
		}
		for k, v := range child.Lang {
			out.Lang[k] = v
		}
	}
	if child.Compress != nil {
		out.Compress = MergeCompressDir(base.Compress, child.Compress)
	}
	if child.CompressServer != nil {
		out.CompressServer = MergeCompressServer(base.CompressServer, child.CompressServer)
	}
	out.TypeMap = base.TypeMap
	if len(child.TypeMap) > 0 {
		out.TypeMap = make(map[string]bool, len(base.TypeMap)+len(child.TypeMap))
		for k, v := range base.TypeMap {
			out.TypeMap[k] = v
		}
		for k, v := range child.TypeMap {
			out.TypeMap[k] = v
		}
	}
	out.LanguagePriority, out.LangPrioritySet = base.LanguagePriority, base.LangPrioritySet
	if child.LangPrioritySet {
		out.LanguagePriority, out.LangPrioritySet = child.LanguagePriority, true
	}
	out.ForceLangPriority = base.ForceLangPriority
	if child.ForceLangPriority != 0 {
		out.ForceLangPriority = child.ForceLangPriority
	}
	return &out
}

// respDirectiveKeys are the directives routed to respBuilder (lower case
// to canonical name).
var respDirectiveKeys = func() map[string]string {
	m := make(map[string]string)
	for _, list := range [][]string{MimeDirectives, SetEnvIfDirectives, EnvDirectives, HeadersDirectives,
		ExpiresDirectives, CompressDirDirectives, CompressServerDirectives,
		{"AddLanguage", "DefaultLanguage", "TypesConfig", "AddHandler", "RemoveHandler",
			"LanguagePriority", "ForceLanguagePriority"}} {
		for _, d := range list {
			m[strings.ToLower(d)] = d
		}
	}
	return m
}()

// respBuilder collects one section's response-shaping directives.
type respBuilder struct {
	used     bool
	mime     MimeBuilder
	sei      SetEnvIfBuilder
	srvSei   SetEnvIfBuilder
	env      EnvBuilder
	hdr      HeadersBuilder
	exp      ExpiresBuilder
	comp     CompressBuilder
	compUsed bool
	lang     map[string]string
	defLang  string
	typeMap  map[string]bool
	langPri  []string
	langSet  bool
	flp      uint8
}

// respKind is where a response-shaping directive is met.
type respKind uint8

const (
	respSection respKind = iota // <Directory>, <Location>, <Files>, .htaccess
	respMain                    // the main server's top level
	respVHost                   // a <VirtualHost>'s top level
)

// directive applies one directive (key lower case). Errors carry
// Apache's texts without position.
func (b *respBuilder) directive(key string, args []string, kind respKind, serverRoot string) error {
	canon := respDirectiveKeys[key]
	b.used = true
	switch {
	case key == "typesconfig":
		// The walker handles TypesConfig (server config only).
		return nil
	case key == "addlanguage":
		if len(args) < 2 {
			return errors.New("AddLanguage requires at least two arguments, a language-name followed by one or more file extensions")
		}
		m := make(map[string]string, len(b.lang)+len(args)-1)
		for k, v := range b.lang {
			m[k] = v
		}
		for _, e := range args[1:] {
			m[strings.TrimPrefix(strings.ToLower(e), ".")] = args[0]
		}
		b.lang = m
		return nil
	case key == "addhandler" || key == "removehandler":
		// The walker refuses AddHandler of other handlers.
		if key == "addhandler" && len(args) < 2 {
			return errors.New("AddHandler requires at least two arguments, a handler name followed by one or more file extensions")
		}
		if key == "removehandler" && len(args) == 0 {
			return errors.New("RemoveHandler requires at least one argument, one or more file extensions")
		}
		exts := args
		if key == "addhandler" {
			exts = args[1:]
		}
		m := make(map[string]bool, len(b.typeMap)+len(exts))
		for k, v := range b.typeMap {
			m[k] = v
		}
		for _, e := range exts {
			m[strings.TrimPrefix(strings.ToLower(e), ".")] = key == "addhandler"
		}
		b.typeMap = m
		return nil
	case key == "languagepriority":
		if len(args) == 0 {
			return errors.New("LanguagePriority requires at least one argument, in order of language preference")
		}
		b.langPri = append(b.langPri[:len(b.langPri):len(b.langPri)], args...)
		b.langSet = true
		return nil
	case key == "forcelanguagepriority":
		if len(args) == 0 {
			return errors.New("ForceLanguagePriority requires at least one argument, Force LanguagePriority elections, either None, or Fallback and/or Prefer")
		}
		for _, a := range args {
			switch {
			case strings.EqualFold(a, "none"):
				if b.flp&^FLPNone != 0 {
					return errors.New("Cannot combine ForceLanguagePriority options with None")
				}
				b.flp = FLPNone
			case strings.EqualFold(a, "prefer") || strings.EqualFold(a, "fallback"):
				if b.flp&FLPNone != 0 {
					return errors.New("Cannot combine ForceLanguagePriority options with None")
				}
				if strings.EqualFold(a, "prefer") {
					b.flp |= FLPPrefer
				} else {
					b.flp |= FLPFallback
				}
			default:
				return errors.New("Invalid ForceLanguagePriority option " + a)
			}
		}
		return nil
	case key == "defaultlanguage":
		if len(args) != 1 || args[0] == "" {
			return errors.New("DefaultLanguage takes one argument, language to use for content without a language")
		}
		b.defLang = args[0]
		return nil
	case inList(key, MimeDirectives):
		return b.mime.Directive(canon, args)
	case inList(key, SetEnvIfDirectives):
		if kind == respSection {
			b.sei.InSection = true
			return b.sei.Directive(canon, args)
		}
		return b.srvSei.Directive(canon, args)
	case inList(key, EnvDirectives):
		return b.env.Directive(canon, args)
	case inList(key, HeadersDirectives):
		return b.hdr.Directive(canon, args)
	case inList(key, ExpiresDirectives):
		return b.exp.Directive(canon, args)
	case inList(key, CompressServerDirectives):
		if kind == respSection {
			return errors.New(canon + " not allowed here")
		}
		fallthrough
	default:
		b.comp.ServerRoot = serverRoot
		b.compUsed = true
		return b.comp.Directive(canon, args)
	}
}

func inList(key string, list []string) bool {
	for _, d := range list {
		if strings.EqualFold(d, key) {
			return true
		}
	}
	return false
}

// finish returns the section's settings, nil when it has none.
func (b *respBuilder) finish() *RespDir {
	if !b.used {
		return nil
	}
	r := &RespDir{
		Mime: b.mime.Finish(), Lang: b.lang, DefaultLanguage: b.defLang,
		SetEnvIf: b.sei.Finish(), ServerSetEnvIf: b.srvSei.Finish(), Env: b.env.Finish(),
		Headers: b.hdr.Finish(), Expires: b.exp.Finish(),
		TypeMap: b.typeMap, LanguagePriority: b.langPri, LangPrioritySet: b.langSet, ForceLangPriority: b.flp,
	}
	if b.compUsed {
		d, s := b.comp.Finish()
		if !d.Empty() || d.SetSet || d.SidecarsSet {
			r.Compress = d
		}
		r.CompressServer = s
	}
	return r
}

// respDirective applies a response-shaping directive met by the walker
// (key lower case) to the builder b of its context.
func (w *walker) respDirective(p pos, name, key string, args []string, b *dirBuilder, ctx *walkCtx) error {
	kind := respSection
	switch ctx.kind {
	case ctxTop:
		if ctx.dir == nil && w.ht == nil {
			kind = respMain
		}
	case ctxVHost:
		kind = respVHost
	}
	if key == "typesconfig" {
		switch {
		case kind == respSection:
			return w.soft(errAt(p, name, name+" not allowed here"))
		case len(args) != 1 || args[0] == "":
			return w.soft(errAt(p, name, "TypesConfig takes one argument, the MIME types config file"))
		case kind == respVHost:
			w.ignored(p, display(name, args), "Apache reads only the main server's TypesConfig")
			return nil
		}
		w.typesConfig, w.typesConfigPos = args[0], p
		return nil
	}
	if key == "addhandler" && len(args) > 0 && !strings.EqualFold(args[0], "type-map") {
		// Only mod_negotiation's type maps are implemented.
		w.refuse(p, name, display(name, args), ctx)
		return nil
	}
	if err := b.resp.directive(key, args, kind, w.root); err != nil {
		return w.soft(errAt(p, name, err.Error()))
	}
	for _, m := range b.resp.mime.Warnings {
		w.notice(p, "%s", m)
	}
	b.resp.mime.Warnings = nil
	return nil
}

// loadTypes reads TypesConfig's file into c.MimeTypes (nil without the
// directive: the site keeps its built-in table).
func (w *walker) loadTypes(c *Config) error {
	if w.typesConfig == "" {
		return nil
	}
	m, err := LoadMimeTypes(c.ServerRoot, w.typesConfig)
	if err != nil {
		return errAt(w.typesConfigPos, "TypesConfig", err.Error())
	}
	c.MimeTypes = m
	return nil
}

// summary describes r for Dump: one part per module that says anything.
func (r *RespDir) summary() []string {
	if r == nil {
		return nil
	}
	var parts []string
	if m := r.Mime; m != nil {
		exts := make([]string, 0, len(m.Ext))
		for ext := range m.Ext {
			exts = append(exts, ext)
		}
		slices.Sort(exts)
		for _, ext := range exts {
			e := m.Ext[ext]
			s := "." + ext + "="
			if e.TypeSet {
				s += "type:" + e.Type
			}
			if e.Encoding != "" {
				s += ",enc:" + e.Encoding
			}
			if e.Charset != "" {
				s += ",charset:" + e.Charset
			}
			parts = append(parts, "Mime"+s)
		}
		if m.ForceType != "" {
			parts = append(parts, "ForceType="+m.ForceType)
		}
		if m.Charset != DefaultCharsetUnset {
			parts = append(parts, "AddDefaultCharset="+map[bool]string{true: m.CharsetName, false: "Off"}[m.Charset == DefaultCharsetOn])
		}
	}
	if n := len(r.Lang); n > 0 {
		parts = append(parts, fmt.Sprintf("AddLanguage=%d", n))
	}
	if r.DefaultLanguage != "" {
		parts = append(parts, "DefaultLanguage="+r.DefaultLanguage)
	}
	count := func(name string, n int) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", name, n))
		}
	}
	if r.ServerSetEnvIf != nil {
		count("ServerSetEnvIf", len(r.ServerSetEnvIf.Rules))
	}
	if r.SetEnvIf != nil {
		count("SetEnvIf", len(r.SetEnvIf.Rules))
	}
	if r.Env != nil {
		count("SetEnv", len(r.Env.Vars))
	}
	if r.Headers != nil {
		count("RequestHeader", len(r.Headers.In))
		count("Header", len(r.Headers.Out))
		count("HeaderAlways", len(r.Headers.Err))
	}
	if r.Expires != nil && r.Expires.ActiveSet {
		parts = append(parts, "ExpiresActive="+map[bool]string{true: "On", false: "Off"}[r.Expires.Active])
	}
	if c := r.Compress; c != nil {
		for _, f := range c.ByType {
			parts = append(parts, "AddOutputFilterByType="+string(f.Filter)+":"+strings.Join(f.Types, ","))
		}
	}
	if s := r.CompressServer; s != nil {
		parts = append(parts, fmt.Sprintf("DeflateCompressionLevel=%d BrotliCompressionQuality=%d", s.DeflateLevel, s.BrotliQuality))
	}
	return parts
}
