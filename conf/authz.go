package conf

// Access control directives: the types of mod_authz_core, mod_authz_host,
// mod_authz_user, mod_authz_groupfile, mod_authn_core, mod_authn_file,
// mod_auth_basic and mod_access_compat, built by AuthBuilder from one
// section's directives and combined between sections by MergeAuth. Their
// behaviour is in site/authz.

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// AuthMerging is the AuthMerging setting of a section.
type AuthMerging uint8

const (
	// MergingUnset: the section did not say; a section with its own
	// Require lines replaces its parent's (as Off).
	MergingUnset AuthMerging = iota
	// MergingOff: the section's Require lines (or their absence!)
	// replace its parent's.
	MergingOff
	// MergingAnd: parent's tree and this section's must both grant.
	MergingAnd
	// MergingOr: either tree may grant.
	MergingOr
)

// AuthConfig is what one section (or the merge of a chain of sections)
// says about access control. The zero value is a section without any of
// these directives. Values are immutable once built.
type AuthConfig struct {
	// mod_authz_core.

	// Require is the authorization tree, nil when no Require applies.
	Require *Require
	// Merging is AuthMerging.
	Merging AuthMerging
	// ForbiddenOnFailure is AuthzSendForbiddenOnFailure (403 instead of
	// 401 for an authenticated user who is not authorized), meaningful
	// when ForbiddenOnFailureSet.
	ForbiddenOnFailure, ForbiddenOnFailureSet bool

	// mod_authn_core.

	// AuthType is the AuthType argument ("Basic", or "None"), meaningful
	// when AuthTypeSet. See Type.
	AuthType    string
	AuthTypeSet bool
	// AuthName is the realm, meaningful when AuthNameSet.
	AuthName    string
	AuthNameSet bool

	// mod_auth_basic.

	// BasicProviders is AuthBasicProvider; nil means unset ("file").
	BasicProviders []string
	// BasicAuthoritative is AuthBasicAuthoritative (default On),
	// meaningful when BasicAuthoritativeSet.
	BasicAuthoritative, BasicAuthoritativeSet bool

	// mod_authn_file and mod_authz_groupfile: absolute paths, "" unset.
	UserFile  string
	GroupFile string

	// Compat is mod_access_compat's Order, Allow, Deny and Satisfy; nil
	// when the section has none of them (it then inherits its parent's
	// whole set; one of them replaces the whole set, as the module has no
	// merge function).
	Compat *AccessCompat
}

// Type is ap_auth_type: the AuthType, or "" when unset or "None".
func (c *AuthConfig) Type() string {
	if c == nil || !c.AuthTypeSet || strings.EqualFold(c.AuthType, "None") {
		return ""
	}
	return c.AuthType
}

// Realm is ap_auth_name: the AuthName with '"' escaped as Apache's
// ap_escape_quotes does, and ok false when no AuthName applies.
func (c *AuthConfig) Realm() (realm string, ok bool) {
	if c == nil || !c.AuthNameSet {
		return "", false
	}
	return escapeQuotes(c.AuthName), true
}

// escapeQuotes is ap_escape_quotes: '"' becomes '\"', and a backslash
// that is not the last byte keeps the byte after it as it is (a trailing
// backslash stays, as in Apache).
func escapeQuotes(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// MergeAuth merges a section's configuration (child) onto the one of the
// sections before it (base), with each module's merge rules: for the
// Require trees mod_authz_core's merge_authz_core_dir_config (AuthMerging
// Off or unset: a child with Require lines replaces the parent's tree, a
// child that only says "AuthMerging Off" drops it; And/Or: both trees
// under a new And/Or container), and otherwise the child's setting when it
// has one. Either argument may be nil; the result shares the inputs' trees
// and is itself immutable.
func MergeAuth(base, child *AuthConfig) *AuthConfig {
	if base == nil {
		base = &AuthConfig{}
	}
	if child == nil {
		return base
	}
	out := *base

	// mod_authz_core.
	switch {
	case child.Merging == MergingUnset && child.Require == nil && base.Require != nil:
		// only AuthzSendForbiddenOnFailure (or nothing): keep base
	case child.Merging == MergingOff || child.Merging == MergingUnset ||
		(base.Require == nil && child.Require == nil):
		out.Require, out.Merging = child.Require, child.Merging
	default:
		switch {
		case base.Require != nil && child.Require != nil:
			out.Require = &Require{
				Op:       RequireAnd,
				Merged:   true,
				Limited:  base.Require.Limited | child.Require.Limited,
				Children: []*Require{base.Require, child.Require},
			}
			if child.Merging == MergingOr {
				out.Require.Op = RequireOr
			}
		case base.Require != nil:
		default:
			out.Require = child.Require
		}
		out.Merging = child.Merging
	}
	if child.ForbiddenOnFailureSet {
		out.ForbiddenOnFailure, out.ForbiddenOnFailureSet = child.ForbiddenOnFailure, true
	}

	// mod_authn_core.
	if child.AuthTypeSet {
		out.AuthType, out.AuthTypeSet = child.AuthType, true
	}
	if child.AuthNameSet {
		out.AuthName, out.AuthNameSet = child.AuthName, true
	}
	// mod_auth_basic.
	if child.BasicProviders != nil {
		out.BasicProviders = child.BasicProviders
	}
	if child.BasicAuthoritativeSet {
		out.BasicAuthoritative, out.BasicAuthoritativeSet = child.BasicAuthoritative, true
	}
	// mod_authn_file, mod_authz_groupfile, mod_access_compat: no merge
	// function, the child's module config replaces the parent's.
	if child.UserFile != "" {
		out.UserFile = child.UserFile
	}
	if child.GroupFile != "" {
		out.GroupFile = child.GroupFile
	}
	if child.Compat != nil {
		out.Compat = child.Compat
	}
	return &out
}

// AuthDirectives are the directives AuthBuilder.Directive takes, by
// canonical name. All are Apache's OR_AUTHCFG (Order, Allow and Deny:
// OR_LIMIT), allowed in <Directory>, <Location>, <Files>, their Match
// forms, <VirtualHost>, the server config and .htaccess (AllowOverride
// AuthConfig, or Limit for the three), and inside <Limit>/<LimitExcept>.
// The directive table should give them raw arguments: Directive checks
// the argument counts itself.
var AuthDirectives = []string{
	"Require", "AuthMerging", "AuthzSendForbiddenOnFailure",
	"AuthType", "AuthName",
	"AuthBasicProvider", "AuthBasicAuthoritative",
	"AuthUserFile", "AuthGroupFile",
	"Order", "Allow", "Deny", "Satisfy",
}

// AuthContainers are the section tags AuthBuilder.Open takes.
var AuthContainers = []string{"RequireAll", "RequireAny", "RequireNone"}

// AuthBuilder builds one section's AuthConfig from its directives, in the
// order the section walker meets them:
//
//	var b conf.AuthBuilder
//	b.ServerRoot = root
//	b.Directive("AuthType", []string{"Basic"})      // any of AuthDirectives
//	b.Open("<RequireAll", nil)                      // <RequireAll>
//	b.Directive("Require", []string{"ip", "10.1"})
//	b.Close()                                       // </RequireAll>
//	cfg, err := b.Finish()
//
// Errors carry Apache's texts and no position; the walker wraps them with
// file, line and directive. Inside <Limit GET POST> or <LimitExcept ...>
// the walker sets Limited to LimitMask(...) and back to the outer value
// (0: all methods) after it.
type AuthBuilder struct {
	// ServerRoot resolves relative AuthUserFile and AuthGroupFile paths.
	ServerRoot string
	// Limited is the method set of the enclosing <Limit>, 0 for all.
	Limited MethodMask

	cfg    AuthConfig
	req    RequireBuilder
	compat *AccessCompat
}

func (b *AuthBuilder) limited() MethodMask {
	if b.Limited == 0 {
		return AllMethods
	}
	return b.Limited
}

// Open starts a <RequireAll>, <RequireAny> or <RequireNone> container.
func (b *AuthBuilder) Open(tag string, args []string) error { return b.req.Open(tag, args) }

// Close ends the innermost open Require container.
func (b *AuthBuilder) Close() error { return b.req.Close() }

// Finish returns the section's configuration, after the Require tree's
// checks (AH01624).
func (b *AuthBuilder) Finish() (*AuthConfig, error) {
	tree, err := b.req.Finish()
	if err != nil {
		return nil, err
	}
	cfg := b.cfg
	cfg.Require = tree
	cfg.Compat = b.compat
	return &cfg, nil
}

// Directive applies one directive of AuthDirectives (name in any case).
func (b *AuthBuilder) Directive(name string, args []string) error {
	key := strings.ToLower(name)
	one := func(canon string) (string, error) {
		if len(args) != 1 || args[0] == "" {
			return "", errors.New(canon + " takes one argument")
		}
		return args[0], nil
	}
	flag := func(canon string) (bool, error) {
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return false, errors.New(canon + " must be On or Off")
		}
		return strings.EqualFold(args[0], "on"), nil
	}
	switch key {
	case "require":
		return b.req.Require(args, b.limited())
	case "authmerging":
		v, err := one("AuthMerging")
		if err != nil {
			return err
		}
		switch strings.ToLower(v) {
		case "off":
			b.cfg.Merging = MergingOff
		case "and":
			b.cfg.Merging = MergingAnd
		case "or":
			b.cfg.Merging = MergingOr
		default:
			return errors.New("AuthMerging must be one of: Off | And | Or")
		}
	case "authzsendforbiddenonfailure":
		v, err := flag("AuthzSendForbiddenOnFailure")
		if err != nil {
			return err
		}
		b.cfg.ForbiddenOnFailure, b.cfg.ForbiddenOnFailureSet = v, true
	case "authtype":
		v, err := one("AuthType")
		if err != nil {
			return err
		}
		if err := noExpr("AuthType", v); err != nil {
			return err
		}
		if !strings.EqualFold(v, "Basic") && !strings.EqualFold(v, "None") {
			// Apache answers 500 (AH01796) on each request when no module
			// provides the type; refusing it up front is clearer.
			return fmt.Errorf("AuthType %s is not supported by gohttpd (Basic or None)", v)
		}
		b.cfg.AuthType, b.cfg.AuthTypeSet = v, true
	case "authname":
		v, err := one("AuthName")
		if err != nil {
			return err
		}
		if err := noExpr("AuthName", v); err != nil {
			return err
		}
		b.cfg.AuthName, b.cfg.AuthNameSet = v, true
	case "authbasicprovider":
		if len(args) == 0 || args[0] == "" {
			return errors.New("AuthBasicProvider requires at least one argument")
		}
		for _, p := range args {
			// Debian's default modules register only the "file" provider
			// (mod_authn_file); names are case-sensitive.
			if p != "file" {
				return errors.New("Unknown Authn provider: " + p)
			}
			b.cfg.BasicProviders = append(b.cfg.BasicProviders, p)
		}
	case "authbasicauthoritative":
		v, err := flag("AuthBasicAuthoritative")
		if err != nil {
			return err
		}
		b.cfg.BasicAuthoritative, b.cfg.BasicAuthoritativeSet = v, true
	case "authuserfile", "authgroupfile":
		canon := map[string]string{"authuserfile": "AuthUserFile", "authgroupfile": "AuthGroupFile"}[key]
		v, err := one(canon)
		if err != nil {
			return err
		}
		if !filepath.IsAbs(v) {
			v = filepath.Join(b.ServerRoot, v)
		}
		if key == "authuserfile" {
			b.cfg.UserFile = v
		} else {
			b.cfg.GroupFile = v
		}
	case "order", "allow", "deny", "satisfy":
		if b.compat == nil {
			b.compat = newAccessCompat()
		}
		return b.compat.apply(key, args, b.limited())
	default:
		return errors.New("not an access control directive: " + name)
	}
	return nil
}

// noExpr refuses an ap_expr string expression, which gohttpd does not
// evaluate.
func noExpr(directive, v string) error {
	if strings.Contains(v, "%{") {
		return fmt.Errorf("Cannot parse expression '%s' in %s: expressions (%%{...}) are not supported by gohttpd", v, directive)
	}
	return nil
}
