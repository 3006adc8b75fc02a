package conf

import (
	"errors"
	"slices"
	"strings"
)

// htRules are the overrides in force while an .htaccess file is walked.
type htRules struct {
	override Override
}

// ParseHTAccess reads an .htaccess file (its name and content) as
// ap_parse_htaccess does, with the AllowOverride and AllowOverrideList in
// force for its directory (o, from the merged configuration). The result
// holds the file's settings and its <Files> sections. A directive the
// overrides do not allow is Apache's "X not allowed here"; a directive
// gohttpd refuses in the configuration is refused here too. The error is
// the message Apache logs after the file name (the site answers 500).
func ParseHTAccess(file string, data []byte, o Override, serverRoot string) (*DirConfig, error) {
	nodes, err := parse(file, data)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e.Err
		}
		return nil, err
	}
	w := newWalker("", nil, serverRoot)
	w.noInclude = true
	w.ht = &htRules{override: o}
	b := newDirBuilder(serverRoot)
	if o.OptsSet {
		b.overrideOpts = o.Opts
	}
	ctx := &walkCtx{kind: ctxDir, dir: b}
	if err := w.walk(nodes, ctx); err != nil {
		return nil, bare(err)
	}
	if len(w.refusals) > 0 {
		return nil, bare(w.refusals[0])
	}
	d, err := b.finish()
	if err != nil {
		return nil, err
	}
	d.Files = w.sections
	d.Warnings = w.htSkipped
	return d, nil
}

// errSkip tells the walker to leave out a directive of an .htaccess
// file (AllowOverride Nonfatal=...).
var errSkip = errors.New("skipped")

// bare drops the position of an *Error: Apache logs the file name only.
func bare(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e.Err
	}
	return err
}

// overrideClass is the AllowOverride class a directive needs in
// .htaccess (its req_override), 0 for a directive never allowed there.
func overrideClass(key string) OverrideBits {
	switch key {
	case "order", "allow", "deny":
		return OverrideLimit
	case "options":
		return OverrideOptions
	case "sethandler", "addtype", "forcetype", "removetype", "errordocument",
		"redirect", "redirectmatch", "redirectpermanent", "redirecttemp",
		"rewriteengine", "rewriterule", "rewritecond", "rewritebase", "rewriteoptions",
		"header", "requestheader", "setenv", "setenvif", "setenvifnocase", "unsetenv",
		"addhandler", "removehandler", "action", "addencoding", "addcharset", "addlanguage",
		"defaultlanguage", "setoutputfilter", "setinputfilter", "addoutputfilter",
		"addoutputfilterbytype", "filetag", "fileetag", "acceptpathinfo",
		"adddefaultcharset", "defaulttype", "browsermatch", "browsermatchnocase",
		"removeoutputfilter", "precompressedsidecars", "languagepriority", "forcelanguagepriority":
		return OverrideFileInfo
	case "directoryindex", "directoryslash", "fallbackresource", "indexoptions",
		"indexignore", "headername", "readmename", "adddescription", "addicon",
		"defaulticon", "expiresactive", "expiresdefault", "expiresbytype":
		return OverrideIndexes
	}
	if _, ok := authDirectiveKeys[key]; ok {
		return OverrideAuthCfg
	}
	if strings.HasPrefix(key, "auth") {
		return OverrideAuthCfg
	}
	return 0
}

// htCheck applies the override rules to a directive of an .htaccess file
// (name as written, key lower case).
func (w *walker) htCheck(p pos, name, key string, ctx *walkCtx) error {
	switch key {
	case "allowoverride", "allowoverridelist":
		return errAt(p, name, name+" cannot occur within htaccess files")
	}
	o := w.ht.override
	if slices.ContainsFunc(o.List, func(d string) bool { return strings.EqualFold(d, name) }) {
		return nil
	}
	class := overrideClass(key)
	if class != 0 && o.Mask&class != 0 {
		return nil
	}
	if class == 0 && directives[key] == nil {
		if _, known := ignoredDirectives[key]; !known && classify(key, nil, ctx) == unknown {
			if o.Mask&NonfatalUnknown != 0 {
				w.htSkipped = append(w.htSkipped, "AH02296: Unknown directive "+name+" perhaps misspelled or defined by a module not included in the server configuration")
				return errSkip
			}
			return invalidCommand(p, name)
		}
	}
	if o.Mask&NonfatalOverride != 0 {
		w.htSkipped = append(w.htSkipped, "AH02295: "+name+" in .htaccess forbidden by AllowOverride")
		return errSkip
	}
	if ctx.section != "" {
		return errAt(p, name, name+" not allowed in "+ctx.section+"> context")
	}
	return errAt(p, name, name+" not allowed here")
}
