package conf

import (
	"errors"
	"fmt"
	"strings"
)

// RequireOp is how a Require container combines its children.
type RequireOp uint8

const (
	// RequireOr is <RequireAny> (and <RequireNone>, negated): one child
	// granting is enough.
	RequireOr RequireOp = iota
	// RequireAnd is <RequireAll>: no child may deny and one must grant.
	RequireAnd
)

// Require is one node of mod_authz_core's authorization tree (its
// authz_section_conf): either a leaf, a provider with its arguments
// ("Require ip 10.1"), or a container of children combined by Op
// (<RequireAll>, <RequireAny>, <RequireNone>, or the implicit <RequireAny>
// around a section's Require lines). A tree returned by
// [RequireBuilder.Finish] or [MergeAuth] is immutable: it is shared by every
// request and every section that inherits it.
type Require struct {
	// Provider is the lower-case provider name ("all", "ip", "host",
	// "local", "method", "env", "user", "valid-user", "group"); "" for a
	// container.
	Provider string
	// Args are the provider's arguments as written.
	Args []string
	// Negate is "Require not ..." for a leaf, <RequireNone> for a
	// container (an Or container with Negate).
	Negate bool
	// Op combines a container's Children.
	Op RequireOp
	// Merged marks a container made by AuthMerging And|Or (for messages).
	Merged bool
	// Children of a container, in order.
	Children []*Require
	// Limited is the set of methods the node applies to (<Limit>): for a
	// container, the union of its children's. A request with another
	// method skips the node (GRANTED inside an And, NEUTRAL otherwise).
	Limited MethodMask

	// Parsed arguments.

	// Granted is "Require all granted" (false: "all denied").
	Granted bool
	// Methods is the set of "Require method".
	Methods MethodMask
	// IPs are the patterns of "Require ip", precompiled.
	IPs []IPMatch
	// Names are the words of "Require host", "user", "group" and "env"
	// ("host" stops at a '#', which starts a comment).
	Names []string
	// HostComment is set when "Require host" had a '#' comment (Apache
	// warns with AH10121 on each use, or denies with AH10120 when the
	// line is only a comment).
	HostComment bool
}

// IsContainer reports whether r is a container rather than a provider.
func (r *Require) IsContainer() bool { return r.Provider == "" }

// ArgLine is the provider's arguments joined by blanks (Apache's
// require_line).
func (r *Require) ArgLine() string { return strings.Join(r.Args, " ") }

// String is mod_authz_core's format_authz_command: "Require not ip
// 10.1", "<RequireAll>", "<RequireNone>", "AuthMerging And".
func (r *Require) String() string {
	if r.Provider != "" {
		s := "Require "
		if r.Negate {
			s += "not "
		}
		return s + r.Provider + " " + r.ArgLine()
	}
	var kind string
	switch {
	case r.Op == RequireAnd && r.Negate:
		kind = "NotAll"
	case r.Op == RequireAnd:
		kind = "All"
	case r.Negate:
		kind = "None"
	default:
		kind = "Any"
	}
	if r.Merged {
		return "AuthMerging " + kind
	}
	return "<Require" + kind + ">"
}

// authzProviders are the providers of the modules Debian loads
// (mod_authz_core, mod_authz_host, mod_authz_user, mod_authz_groupfile).
// Provider names are case-sensitive, as Apache's provider registry.
var authzProviders = map[string]func(r *Require) error{
	"all":         parseRequireAll,
	"env":         func(r *Require) error { r.Names = r.Args; return nil },
	"method":      parseRequireMethod,
	"expr":        func(*Require) error { return errors.New("'Require expr' not supported") },
	"ip":          parseRequireIP,
	"host":        parseRequireHost,
	"forward-dns": func(*Require) error { return errors.New("'Require forward-dns' not supported") },
	"local":       func(*Require) error { return nil },
	"user":        parseRequireWords,
	"valid-user":  func(*Require) error { return nil },
	"group":       parseRequireWords,
}

// ErrRequireExpr is wrapped by the errors of a Require argument that is an
// ap_expr string expression (%{...}), which gohttpd does not evaluate.
var ErrRequireExpr = errors.New("expressions (%{...}) in Require lines are not supported")

// ParseRequire parses the arguments of one Require directive into a leaf
// (not yet in any container), with Apache's messages: "Unknown Authz
// provider: foo", "Argument for 'Require all' must be 'granted' or
// 'denied'", "'require ip' requires an argument", "ip address 'x' appears
// to be invalid", "Invalid Method 'x'". limited is the <Limit> method set
// (AllMethods outside one).
func ParseRequire(args []string, limited MethodMask) (*Require, error) {
	r := &Require{Limited: limited}
	name, rest := "", args
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if strings.EqualFold(name, "not") {
		r.Negate = true
		name = ""
		if len(rest) > 0 {
			name, rest = rest[0], rest[1:]
		}
	}
	r.Provider, r.Args = name, rest
	parse, ok := authzProviders[name]
	if !ok {
		return nil, errors.New("Unknown Authz provider: " + name)
	}
	if err := parse(r); err != nil {
		return nil, err
	}
	return r, nil
}

func parseRequireAll(r *Require) error {
	switch line := r.ArgLine(); {
	case strings.EqualFold(line, "granted"):
		r.Granted = true
	case strings.EqualFold(line, "denied"):
	default:
		return errors.New("Argument for 'Require all' must be 'granted' or 'denied'")
	}
	return nil
}

func parseRequireMethod(r *Require) error {
	for _, w := range r.Args {
		n := MethodNumber(w)
		if n == MethodInvalid {
			return errors.New("Invalid Method '" + w + "'")
		}
		r.Methods |= 1 << uint(n)
	}
	return nil
}

func parseRequireIP(r *Require) error {
	if len(r.Args) == 0 {
		return errors.New("'require ip' requires an argument")
	}
	r.IPs = make([]IPMatch, 0, len(r.Args))
	for _, w := range r.Args {
		ip, mask, hasMask := strings.Cut(w, "/")
		m, err := parseIPMatch(ip, mask, hasMask)
		switch {
		case errors.Is(err, errNotIP):
			return fmt.Errorf("ip address '%s' appears to be invalid", w)
		case err != nil:
			return fmt.Errorf("ip address '%s' appears to be invalid: %w", w, err)
		}
		r.IPs = append(r.IPs, m)
	}
	return nil
}

// parseRequireWords takes the words of a string-expression argument
// ("user", "group", "host"), refusing expressions.
func parseRequireWords(r *Require) error {
	for _, w := range r.Args {
		if strings.Contains(w, "%{") {
			return fmt.Errorf("Require %s %s: %w", r.Provider, r.ArgLine(), ErrRequireExpr)
		}
	}
	r.Names = r.Args
	return nil
}

func parseRequireHost(r *Require) error {
	if err := parseRequireWords(r); err != nil {
		return err
	}
	line := r.ArgLine()
	if i := strings.IndexByte(line, '#'); i >= 0 {
		r.HostComment = true
		line = line[:i]
	}
	r.Names = strings.Fields(line)
	return nil
}

// RequireBuilder builds one section's authorization tree from its Require
// lines and Require containers, in order, as mod_authz_core's
// add_authz_provider and add_authz_section do. The section walker calls
// Require for each "Require" line, Open at "<RequireAll>", "<RequireAny>"
// or "<RequireNone>" and Close at the matching end tag, then Finish. The
// zero value is ready to use.
type RequireBuilder struct {
	cur   *Require   // conf->section: the open container (nil: none yet)
	saved []*Require // the containers Open interrupted
}

// defaultSection is the implicit <RequireAny> around a section's lines.
func defaultSection() *Require { return &Require{Op: RequireOr} }

// Require adds one "Require" line (its arguments); limited is the
// <Limit> method set (AllMethods outside one).
func (b *RequireBuilder) Require(args []string, limited MethodMask) error {
	r, err := ParseRequire(args, limited)
	if err != nil {
		return err
	}
	if b.cur == nil {
		b.cur = defaultSection()
	}
	if r.Negate && b.cur.Op == RequireOr {
		return fmt.Errorf("negative Require directive has no effect in %s directive", b.cur)
	}
	b.cur.Limited |= r.Limited
	b.cur.Children = append(b.cur.Children, r)
	return nil
}

// Open starts a container; tag is "<RequireAll", "RequireAll",
// "<RequireAny" or "<RequireNone" (any case), args what followed it inside
// the tag.
func (b *RequireBuilder) Open(tag string, args []string) error {
	name := strings.TrimPrefix(tag, "<")
	sec := &Require{}
	switch strings.ToLower(name) {
	case "requireall":
		sec.Op = RequireAnd
	case "requireany":
		sec.Op = RequireOr
	case "requirenone":
		sec.Op, sec.Negate = RequireOr, true
	default:
		return errors.New("not a Require container: <" + name + ">")
	}
	if len(args) > 0 && strings.Join(args, "") != "" {
		return fmt.Errorf("<%s> directive doesn't take additional arguments", name)
	}
	b.saved = append(b.saved, b.cur)
	b.cur = sec
	return nil
}

// Close ends the innermost open container and adds it to its parent.
func (b *RequireBuilder) Close() error {
	if len(b.saved) == 0 {
		return errors.New("no Require container is open")
	}
	sec := b.cur
	b.cur = b.saved[len(b.saved)-1]
	b.saved = b.saved[:len(b.saved)-1]
	if len(sec.Children) == 0 {
		return fmt.Errorf("%s directive contains no authorization directives", sec)
	}
	if b.cur == nil {
		b.cur = defaultSection()
	}
	if sec.Negate && b.cur.Op == RequireOr {
		return fmt.Errorf("%s directive has no effect in %s directive", sec, b.cur)
	}
	b.cur.Limited |= sec.Limited
	if !sec.Negate && sec.Op == b.cur.Op {
		// be associative
		b.cur.Children = append(b.cur.Children, sec.Children...)
	} else {
		b.cur.Children = append(b.cur.Children, sec)
	}
	return nil
}

// Finish returns the section's tree (nil when it had no Require line) after
// mod_authz_core's check_config pass: containers whose negation De Morgan
// allows are dissolved into their parent, and a container left with only
// negative children is an error (Apache's AH01624, which stops the
// server): "<RequireAll> directive contains only negative authorization
// directives", or "<Directory>, <Location>, or similar directive ..." for
// the section itself.
func (b *RequireBuilder) Finish() (*Require, error) {
	if len(b.saved) > 0 {
		return nil, fmt.Errorf("%s: container not closed", b.cur)
	}
	if b.cur == nil {
		return nil, nil
	}
	if err := checkSection(b.cur, true); err != nil {
		return nil, err
	}
	return b.cur, nil
}

// checkSection is authz_core_check_section.
func checkSection(sec *Require, isConf bool) error {
	var out []*Require
	for _, child := range sec.Children {
		if !child.IsContainer() {
			out = append(out, child)
			continue
		}
		if err := checkSection(child, false); err != nil {
			return err
		}
		if child.Negate && child.Op != sec.Op {
			// avoid one level of recursion when De Morgan permits
			for _, g := range child.Children {
				g.Negate = !g.Negate
				out = append(out, g)
			}
			continue
		}
		out = append(out, child)
	}
	sec.Children = out
	for _, child := range sec.Children {
		if !child.Negate {
			return nil
		}
	}
	where := sec.String()
	if isConf {
		where = "<Directory>, <Location>, or similar"
	}
	return fmt.Errorf("AH01624: %s directive contains only negative authorization directives", where)
}
