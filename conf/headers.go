package conf

// mod_headers: the types of Header and RequestHeader, built by
// HeadersBuilder from one section's directives and combined between
// sections by MergeHeaders. Their behaviour is in site/headers.

import (
	"errors"
	"regexp"
	"strings"
)

// HeaderAction is the action word of a Header or RequestHeader line.
type HeaderAction uint8

// The actions, as mod_headers' hdr_actions.
const (
	HeaderSet HeaderAction = iota + 1
	HeaderSetIfEmpty
	HeaderAdd
	HeaderAppend
	HeaderMerge
	HeaderUnset
	HeaderEcho
	HeaderEdit
	HeaderEditAll
	HeaderNote
)

// FormatTag is one piece of a Header value: literal text (Kind 0), or a
// format specifier: 'D' (%D: "D=" and the microseconds since the
// request started), 't' (%t: "t=" and the request's start in
// microseconds since the epoch), 'e' (%{VAR}e: an environment variable,
// "(null)" when unset), 's' (%{VAR}s: a mod_ssl variable, "(null)"
// when unset or empty), 'l' (%l: "l=" load averages), 'i' (%i: "i=" idle
// workers), 'b' (%b: "b=" busy workers). Note that mod_headers has no
// request-header specifier: "%{X-Foo}i" is the idle-worker count
// "i=NN", as Apache prints it.
type FormatTag struct {
	Kind byte   `json:"k,omitempty"`
	Arg  string `json:"a,omitempty"`
}

// HeaderEntry is one Header or RequestHeader line.
type HeaderEntry struct {
	Action HeaderAction
	// Header is the header name, without anything from a ':' on, or for
	// echo the regular expression on request header names.
	Header string
	// Value is the parsed value format: for edit and edit* it is the
	// replacement (with $0..$9 references), for note the note's name.
	Value []FormatTag `json:",omitempty"`
	// Regex is the match of edit and edit* and the name pattern of echo
	// (Go regexp syntax; Apache's is PCRE: patterns RE2 cannot compile
	// are refused with Apache's "could not be compiled" text).
	Regex string `json:",omitempty"`
	// Env is the env= condition: "" none, "VAR" when set, "!VAR" when
	// not set.
	Env string `json:",omitempty"`
}

// HeadersConfig is what one section (or a merged chain) says with
// Header and RequestHeader: three lists in configuration order, as
// mod_headers' headers_conf. Values are immutable once built.
type HeadersConfig struct {
	// In is RequestHeader (applied to the request headers in the fixups
	// phase, before the handler).
	In []HeaderEntry `json:",omitempty"`
	// Out is "Header" and "Header onsuccess": applied to the headers of
	// a response generated normally (r->headers_out).
	Out []HeaderEntry `json:",omitempty"`
	// Err is "Header always": applied to Apache's err_headers_out table,
	// which is sent with every response, error pages included.
	Err []HeaderEntry `json:",omitempty"`
}

// Empty reports whether c has no Header or RequestHeader lines.
func (c *HeadersConfig) Empty() bool {
	return c == nil || len(c.In)+len(c.Out)+len(c.Err) == 0
}

// MergeHeaders is merge_headers_config: the child's lines are appended
// to the base's, list by list. A nil side is the empty configuration
// (a section without Header lines does not change its parent's).
func MergeHeaders(base, child *HeadersConfig) *HeadersConfig {
	if child.Empty() {
		return base
	}
	if base.Empty() {
		return child
	}
	cat := func(a, b []HeaderEntry) []HeaderEntry {
		out := make([]HeaderEntry, 0, len(a)+len(b))
		return append(append(out, a...), b...)
	}
	return &HeadersConfig{In: cat(base.In, child.In), Out: cat(base.Out, child.Out), Err: cat(base.Err, child.Err)}
}

// HeadersDirectives are the directives HeadersBuilder.Directive takes.
// Both are OR_FILEINFO (AllowOverride FileInfo in .htaccess), allowed
// in the server config, <VirtualHost>, <Directory>, <Location>,
// <Files> and their Match forms. Give them their arguments split as
// ap_getword_conf does (quotes removed).
var HeadersDirectives = []string{"Header", "RequestHeader"}

// HeadersBuilder builds one section's HeadersConfig. The zero value is
// ready to use.
type HeadersBuilder struct {
	cfg HeadersConfig
}

// Finish returns the section's configuration, nil when the section has
// no Header or RequestHeader line.
func (b *HeadersBuilder) Finish() *HeadersConfig {
	if b.cfg.Empty() {
		return nil
	}
	c := b.cfg
	return &c
}

// Directive applies one Header or RequestHeader line (name in any case).
// Errors carry Apache's texts.
func (b *HeadersBuilder) Directive(name string, args []string) error {
	var request bool
	switch strings.ToLower(name) {
	case "header":
	case "requestheader":
		request = true
	default:
		return errors.New("not a mod_headers directive: " + name)
	}
	canon := "Header"
	if request {
		canon = "RequestHeader"
	}
	next := func() string {
		if len(args) == 0 {
			return ""
		}
		w := args[0]
		args = args[1:]
		return w
	}
	always := false
	action := next()
	if !request {
		if strings.EqualFold(action, "always") {
			always = true
			action = next()
		} else if strings.EqualFold(action, "onsuccess") {
			action = next()
		}
	}
	hdr := next()
	var val, subs, envclause *string
	opt := func() *string {
		if len(args) == 0 {
			return nil
		}
		s := next()
		return &s
	}
	val, subs, envclause = opt(), opt(), opt()
	if len(args) > 0 {
		return errors.New(canon + " has too many arguments")
	}
	e, err := parseHeaderEntry(request, action, hdr, val, subs, envclause)
	if err != nil {
		return err
	}
	switch {
	case request:
		b.cfg.In = append(b.cfg.In, e)
	case always:
		b.cfg.Err = append(b.cfg.Err, e)
	default:
		b.cfg.Out = append(b.cfg.Out, e)
	}
	return nil
}

var headerActions = map[string]HeaderAction{
	"set": HeaderSet, "setifempty": HeaderSetIfEmpty, "add": HeaderAdd,
	"append": HeaderAppend, "merge": HeaderMerge, "unset": HeaderUnset,
	"echo": HeaderEcho, "edit": HeaderEdit, "edit*": HeaderEditAll,
	"note": HeaderNote,
}

// parseHeaderEntry is header_inout_cmd, with its checks in its order.
func parseHeaderEntry(request bool, action, hdr string, value, subs, envclause *string) (HeaderEntry, error) {
	var e HeaderEntry
	act, ok := headerActions[strings.ToLower(action)]
	if !ok {
		return e, errors.New("first argument must be 'add', 'set', 'setifempty', 'append', 'merge', " +
			"'unset', 'echo', 'note', 'edit', or 'edit*'.")
	}
	e.Action = act
	if act == HeaderEdit || act == HeaderEditAll {
		if subs == nil {
			return e, errors.New("Header edit requires a match and a substitution")
		}
		if _, err := regexp.Compile(*value); err != nil {
			return e, errors.New("Header edit regex could not be compiled")
		}
		e.Regex = *value
	} else {
		if envclause != nil {
			return e, errors.New("Too many arguments to directive")
		}
		envclause = subs
		subs = nil
	}
	switch {
	case act == HeaderUnset:
		if value != nil {
			if envclause != nil {
				return e, errors.New("header unset takes two arguments")
			}
			envclause, value = value, nil
		}
	case act == HeaderEcho:
		if value != nil {
			if envclause != nil {
				return e, errors.New("Header echo takes two arguments")
			}
			envclause, value = value, nil
		}
		if request {
			return e, errors.New("Header echo only valid on Header directives")
		}
		if _, err := regexp.Compile(hdr); err != nil {
			return e, errors.New("Header echo regex could not be compiled")
		}
	case value == nil:
		return e, errors.New("Header requires three arguments")
	}
	if envclause != nil {
		c := *envclause
		switch {
		case strings.EqualFold(c, "early"):
			// Early headers run in post_read_request, before the
			// request is mapped; gohttpd has no such hook for them.
			return e, errors.New("Header/RequestHeader 'early' is not supported by gohttpd")
		case len(c) >= 4 && strings.EqualFold(c[:4], "env="):
			if c == c[:4] || c[4:] == "!" {
				return e, errors.New("error: missing environment variable name. " +
					"envclause should be in the form env=envar ")
			}
			e.Env = c[4:]
		case len(c) >= 5 && strings.EqualFold(c[:5], "expr="):
			return e, errors.New("Can't parse envclause/expression: expr= conditions are not supported by gohttpd")
		default:
			return e, errors.New("Unknown parameter: " + c)
		}
	}
	if i := strings.IndexByte(hdr, ':'); i >= 0 {
		hdr = hdr[:i]
	}
	e.Header = hdr
	// parse_format_string
	if act == HeaderUnset || act == HeaderEcho {
		return e, nil
	}
	s := *value
	if act == HeaderEdit || act == HeaderEditAll {
		s = *subs
	}
	if strings.HasPrefix(s, "expr=") {
		return e, errors.New("Can't parse value expression : expr= values are not supported by gohttpd")
	}
	tags, err := ParseHeaderFormat(s)
	if err != nil {
		return e, err
	}
	e.Value = tags
	return e, nil
}

// ParseHeaderFormat splits a Header value into its tags, as
// parse_format_string: backslash escapes \\ \r \n \t in the text (any
// other backslash stays), "%%" and a '%' at the end are a '%', and
// %D %t %{VAR}e %{VAR}s %l %i %b are specifiers. Other letters are
// Apache's "Unrecognized header format %c".
func ParseHeaderFormat(s string) ([]FormatTag, error) {
	var tags []FormatTag
	for s != "" {
		if s[0] != '%' {
			var b strings.Builder
			for s != "" && s[0] != '%' {
				c := s[0]
				if c != '\\' {
					b.WriteByte(c)
					s = s[1:]
					continue
				}
				s = s[1:]
				if s == "" {
					b.WriteByte('\\')
					break
				}
				switch s[0] {
				case '\\':
					b.WriteByte('\\')
					s = s[1:]
				case 'r':
					b.WriteByte('\r')
					s = s[1:]
				case 'n':
					b.WriteByte('\n')
					s = s[1:]
				case 't':
					b.WriteByte('\t')
					s = s[1:]
				default:
					b.WriteByte('\\')
				}
			}
			tags = appendLiteral(tags, b.String())
			continue
		}
		s = s[1:]
		if s == "" || s[0] == '%' {
			tags = appendLiteral(tags, "%")
			if s != "" {
				s = s[1:]
			}
			continue
		}
		arg := ""
		if s[0] == '{' {
			// ap_getword(..., '}'): up to the '}' (or the end), which is
			// skipped.
			s = s[1:]
			if i := strings.IndexByte(s, '}'); i >= 0 {
				arg, s = s[:i], s[i+1:]
			} else {
				arg, s = s, ""
			}
		}
		if s == "" {
			return nil, errors.New("Unrecognized header format %")
		}
		c := s[0]
		s = s[1:]
		switch c {
		case 'D', 't', 'e', 's', 'l', 'i', 'b':
		default:
			return nil, errors.New("Unrecognized header format %" + string(c))
		}
		if c != 'e' && c != 's' {
			arg = ""
		}
		tags = append(tags, FormatTag{Kind: c, Arg: arg})
	}
	return tags, nil
}

func appendLiteral(tags []FormatTag, s string) []FormatTag {
	if n := len(tags); n > 0 && tags[n-1].Kind == 0 {
		tags[n-1].Arg += s
		return tags
	}
	return append(tags, FormatTag{Arg: s})
}
