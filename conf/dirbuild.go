package conf

import (
	"errors"
	"slices"
	"strings"
)

// dirBuilder builds one DirConfig (a section's, the server's top level,
// or an .htaccess file's) from its directives in order.
type dirBuilder struct {
	dir     DirConfig
	auth    AuthBuilder
	hasAuth bool
	// overrideOpts is the options an Options line may name
	// (cmd->override_opts): all in the configuration, AllowOverride
	// Options=... in .htaccess.
	overrideOpts OptionBits
	resp         respBuilder
}

func newDirBuilder(serverRoot string) *dirBuilder {
	b := &dirBuilder{overrideOpts: OptAll | OptSymOwner | OptMulti}
	b.auth.ServerRoot = serverRoot
	return b
}

// dirDirectives are the per-directory directives dirBuilder takes (lower
// case), besides conf.AuthDirectives.
var dirDirectives = map[string]string{
	"options": "Options", "allowoverride": "AllowOverride",
	"allowoverridelist": "AllowOverrideList", "sethandler": "SetHandler",
}

// authDirectiveKeys are AuthDirectives in lower case, with their
// canonical names.
var authDirectiveKeys = func() map[string]string {
	m := make(map[string]string)
	for _, d := range AuthDirectives {
		m[strings.ToLower(d)] = d
	}
	return m
}()

// isDirDirective reports whether key (lower case) is taken by dirBuilder,
// and its canonical name.
func isDirDirective(key string) (string, bool) {
	if n, ok := authDirectiveKeys[key]; ok {
		return n, true
	}
	if n, ok := respDirectiveKeys[key]; ok {
		return n, true
	}
	n, ok := dirDirectives[key]
	return n, ok
}

// directive applies one directive (key lower case). Errors carry Apache's
// texts without position.
func (b *dirBuilder) directive(key string, args []string) error {
	switch key {
	case "options":
		return b.options(args)
	case "allowoverride":
		return b.allowOverride(args)
	case "allowoverridelist":
		return b.allowOverrideList(args)
	case "sethandler":
		if len(args) != 1 {
			return errors.New("SetHandler takes one argument, a handler name")
		}
		h, ok := supportedHandler(args[0])
		if !ok {
			return errors.New(notImplemented("SetHandler "+args[0], nil))
		}
		b.dir.Handler, b.dir.HandlerSet = h, true
		return nil
	}
	b.hasAuth = true
	return b.auth.Directive(key, args)
}

// optionBit maps an Options keyword (lower case) to its bits.
func optionBit(w string) (OptionBits, bool) {
	switch w {
	case "indexes":
		return OptIndexes, true
	case "includes":
		return OptIncludes | OptIncWithExec, true
	case "includesnoexec":
		return OptIncludes, true
	case "followsymlinks":
		return OptSymLinks, true
	case "symlinksifownermatch":
		return OptSymOwner, true
	case "execcgi":
		return OptExecCGI, true
	case "multiviews":
		return OptMulti, true
	case "runscripts":
		return OptMulti | OptExecCGI, true
	}
	return 0, false
}

// options is core's set_options.
func (b *dirBuilder) options(args []string) error {
	d := &b.dir.Options
	first, merge, allNone := true, false, false
	for _, w := range args {
		if w == "" {
			break
		}
		action := byte(0)
		if w[0] == '+' || w[0] == '-' {
			action, w = w[0], w[1:]
			if !merge && !first && !allNone {
				return errors.New("Either all Options must start with + or -, or no Option may.")
			}
			merge = true
		} else if first {
			d.Opts, d.Set = 0, true
		} else if merge {
			return errors.New("Either all Options must start with + or -, or no Option may.")
		}
		lw := strings.ToLower(w)
		opt, ok := optionBit(lw)
		switch {
		case ok:
		case lw == "none" || lw == "all":
			word := map[string]string{"none": "None", "all": "All"}[lw]
			if !first {
				if lw == "all" {
					return errors.New("'Options All' must be the first option given.")
				}
				return errors.New("'Options None' must be the first Option given.")
			}
			if merge {
				return errors.New("You may not use 'Options +" + word + "' or 'Options -" + word + "'.")
			}
			if lw == "all" {
				opt = OptAll
			}
			allNone = true
		default:
			return errors.New("Illegal option " + w)
		}
		switch {
		case b.overrideOpts&opt != opt:
			return errors.New("Option " + w + " not allowed here")
		case action == '-':
			d.Remove |= opt
			d.Add &^= opt
			d.Opts &^= opt
		case action == '+':
			d.Add |= opt
			d.Remove &^= opt
			d.Opts |= opt
		default:
			d.Opts |= opt
		}
		first = false
	}
	return nil
}

// refusedOptions reports whether an Options line turns on an option
// gohttpd does not implement (directory listings, content negotiation,
// CGI, server-side includes): ignoring it would change what clients get.
func refusedOptions(args []string) bool {
	for _, w := range args {
		if w == "" || w[0] == '-' {
			continue
		}
		lw := strings.ToLower(strings.TrimPrefix(w, "+"))
		if lw == "all" {
			return true
		}
		if bit, ok := optionBit(lw); ok && bit&^(OptSymLinks|OptSymOwner) != 0 {
			return true
		}
	}
	return false
}

// allowOpts is core's set_allow_opts (AllowOverride Options=a,b).
func allowOpts(list string) (OptionBits, error) {
	var opts OptionBits
	for w := range strings.SplitSeq(list, ",") {
		if w == "" {
			continue
		}
		lw := strings.ToLower(w)
		opt, ok := optionBit(lw)
		switch {
		case ok:
		case lw == "none":
		case lw == "all":
			opt = OptAll
		default:
			return 0, errors.New("Illegal option " + w)
		}
		opts |= opt
	}
	return opts, nil
}

// allowOverride is core's set_override.
func (b *dirBuilder) allowOverride(args []string) error {
	o := &b.dir.Override
	o.Mask, o.Set = 0, true
	for _, w := range args {
		if w == "" {
			break
		}
		k, v, hasV := strings.Cut(w, "=")
		switch {
		case strings.EqualFold(w, "Limit"):
			o.Mask |= OverrideLimit
		case strings.EqualFold(k, "Options"):
			o.Mask |= OverrideOptions
			if hasV {
				opts, err := allowOpts(v)
				if err != nil {
					return err
				}
				o.Opts = opts
			} else {
				o.Opts = OptAll
			}
			o.OptsSet = true
		case strings.EqualFold(w, "FileInfo"):
			o.Mask |= OverrideFileInfo
		case strings.EqualFold(w, "AuthConfig"):
			o.Mask |= OverrideAuthCfg
		case strings.EqualFold(w, "Indexes"):
			o.Mask |= OverrideIndexes
		case strings.EqualFold(k, "Nonfatal"):
			switch {
			case !hasV:
				return errors.New("=Override, =Unknown or =All expected after " + w)
			case strings.EqualFold(v, "Override"):
				o.Mask |= NonfatalOverride
			case strings.EqualFold(v, "Unknown"):
				o.Mask |= NonfatalUnknown
			case strings.EqualFold(v, "All"):
				o.Mask |= NonfatalOverride | NonfatalUnknown
			}
		case strings.EqualFold(w, "None"):
			o.Mask = 0
		case strings.EqualFold(w, "All"):
			o.Mask = OverrideAll
		default:
			return errors.New("Illegal override option " + w)
		}
	}
	return nil
}

// allowOverrideList is core's set_override_list; directives gohttpd does
// not know are dropped (Apache's AH00116 warning is returned as notes).
func (b *dirBuilder) allowOverrideList(args []string) error {
	o := &b.dir.Override
	o.List, o.ListSet = nil, true
	for _, a := range args {
		if strings.EqualFold(a, "None") {
			if len(args) != 1 {
				return errors.New("'None' not allowed with other directives in AllowOverrideList")
			}
			return nil
		}
		if !slices.Contains(o.List, a) {
			o.List = append(o.List, a)
		}
	}
	return nil
}

// finish returns the DirConfig built so far.
func (b *dirBuilder) finish() (*DirConfig, error) {
	d := b.dir
	if b.hasAuth {
		a, err := b.auth.Finish()
		if err != nil {
			return nil, err
		}
		d.Auth = a
	}
	d.Resp = b.resp.finish()
	return &d, nil
}
