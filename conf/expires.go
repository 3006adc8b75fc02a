package conf

// mod_expires: ExpiresActive, ExpiresDefault and ExpiresByType, built by
// ExpiresBuilder from one section's directives and combined between
// sections by MergeExpires. Their behaviour is in site/expires.

import (
	"errors"
	"strings"
)

// ExpiresCode is an expiry code in Apache's internal form ("A3600",
// "M604800"): a base and seconds to add to it.
type ExpiresCode struct {
	// Base is 'A' (access: the request's time) or 'M' (the file's
	// modification time).
	Base byte `json:"b"`
	// Seconds is added to the base (an int, as in Apache: a sum that
	// overflows wraps as Apache's does on 64-bit Linux).
	Seconds int32 `json:"s"`
}

// ExpiresConfig is what one section (or a merged chain) says about
// Expires. Values are immutable once built.
type ExpiresConfig struct {
	// Active is ExpiresActive, meaningful when ActiveSet.
	Active, ActiveSet bool `json:",omitempty"`
	// Default is ExpiresDefault, nil when unset.
	Default *ExpiresCode `json:",omitempty"`
	// ByType is ExpiresByType by media type, lower case ("text/css",
	// "image/*").
	ByType map[string]ExpiresCode `json:",omitempty"`
	// Wildcards says whether this section's own ExpiresByType lines had a
	// "type/*" entry. mod_expires' merge takes it from the child section
	// alone, so a section with ExpiresByType lines but no wildcard
	// disables the wildcards it inherits (Apache does this; kept).
	Wildcards bool `json:",omitempty"`
}

// On reports whether the Expires filter runs for requests under c: as
// expires_insert_filter, ExpiresActive On and some ExpiresByType or an
// ExpiresDefault.
func (c *ExpiresConfig) On() bool {
	return c != nil && c.ActiveSet && c.Active && (len(c.ByType) > 0 || c.Default != nil)
}

// MergeExpires is merge_expires_dir_configs. A nil child (a section
// without Expires directives) leaves base as it is, since Apache only
// creates a module's per-directory configuration for sections that use
// one of its directives.
func MergeExpires(base, child *ExpiresConfig) *ExpiresConfig {
	if child == nil {
		return base
	}
	if base == nil {
		return child
	}
	out := ExpiresConfig{Active: base.Active, ActiveSet: base.ActiveSet, Default: base.Default, Wildcards: child.Wildcards}
	if child.ActiveSet {
		out.Active, out.ActiveSet = child.Active, true
	}
	if child.Default != nil {
		out.Default = child.Default
	}
	if len(base.ByType)+len(child.ByType) > 0 {
		out.ByType = make(map[string]ExpiresCode, len(base.ByType)+len(child.ByType))
		for k, v := range base.ByType {
			out.ByType[k] = v
		}
		for k, v := range child.ByType {
			out.ByType[k] = v
		}
	}
	return &out
}

// ExpiresDirectives are the directives ExpiresBuilder.Directive takes.
// All three are OR_INDEXES: AllowOverride Indexes in .htaccess (not
// FileInfo), allowed in the server config, <VirtualHost>, <Directory>,
// <Location>, <Files> and their Match forms.
var ExpiresDirectives = []string{"ExpiresActive", "ExpiresDefault", "ExpiresByType"}

// ExpiresBuilder builds one section's ExpiresConfig. The zero value is
// ready to use.
type ExpiresBuilder struct {
	cfg  ExpiresConfig
	used bool
}

// Finish returns the section's configuration, nil when the section has
// no Expires directive.
func (b *ExpiresBuilder) Finish() *ExpiresConfig {
	if !b.used {
		return nil
	}
	c := b.cfg
	return &c
}

// Directive applies one Expires directive (name in any case), with
// Apache's error texts.
func (b *ExpiresBuilder) Directive(name string, args []string) error {
	switch strings.ToLower(name) {
	case "expiresactive":
		if len(args) != 1 || (!strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off")) {
			return errors.New("ExpiresActive must be On or Off")
		}
		b.cfg.Active, b.cfg.ActiveSet = strings.EqualFold(args[0], "on"), true
	case "expiresdefault":
		if len(args) != 1 || args[0] == "" {
			return errors.New("ExpiresDefault takes one argument, an expiry date code")
		}
		code, err := ParseExpiresCode(args[0])
		if err != nil {
			return errors.New("'ExpiresDefault " + args[0] + "': " + err.Error())
		}
		b.cfg.Default = &code
	case "expiresbytype":
		if len(args) != 2 || args[0] == "" || args[1] == "" {
			return errors.New("ExpiresByType takes two arguments, a MIME type followed by an expiry date code")
		}
		mime := args[0]
		slash := strings.LastIndexByte(mime, '/')
		if slash < 0 {
			return errors.New("Invalid mimetype: should contain a slash")
		}
		wild := mime[slash+1:] == "*"
		code, err := ParseExpiresCode(args[1])
		if err != nil {
			return errors.New("'ExpiresByType " + mime + " " + args[1] + "': " + err.Error())
		}
		// Apache sets the wildcard flag before checking the code.
		if wild {
			b.cfg.Wildcards = true
		}
		m := make(map[string]ExpiresCode, len(b.cfg.ByType)+1)
		for k, v := range b.cfg.ByType {
			m[k] = v
		}
		m[strings.ToLower(mime)] = code
		b.cfg.ByType = m
	default:
		return errors.New("not a mod_expires directive: " + name)
	}
	b.used = true
	return nil
}

// ParseExpiresCode is mod_expires' check_code: "A<seconds>" or
// "M<seconds>" (only the first byte is checked, the rest read with
// atoi, so "Access plus 1 month" is A0, as in Apache), or
// "<base> [plus] {<num> <type>}*" where words are matched on their first
// letters as Apache does (a/n: access, m: modification, p: plus, y, mo,
// w, d, h, mi, s). Errors are Apache's texts without the directive
// prefix.
func ParseExpiresCode(code string) (ExpiresCode, error) {
	if code != "" && (code[0] == 'A' || code[0] == 'M') {
		return ExpiresCode{Base: code[0], Seconds: expiresAtoi(code[1:])}, nil
	}
	word, rest := getWord(code)
	var c ExpiresCode
	switch {
	case prefixFold(word, "now", 1), prefixFold(word, "access", 1):
		c.Base = 'A'
	case prefixFold(word, "modification", 1):
		c.Base = 'M'
	default:
		return c, errors.New("bad expires code, unrecognised <base> '" + word + "'")
	}
	word, rest = getWord(rest)
	if prefixFold(word, "plus", 1) {
		word, rest = getWord(rest)
	}
	var modifier int32
	for word != "" {
		if word[0] < '0' || word[0] > '9' {
			return c, errors.New("bad expires code, numeric value expected <num> '" + word + "'")
		}
		num := expiresAtoi(word)
		word, rest = getWord(rest)
		if word == "" {
			return c, errors.New("bad expires code, missing <type>")
		}
		var factor int32
		switch {
		case prefixFold(word, "years", 1):
			factor = 60 * 60 * 24 * 365
		case prefixFold(word, "months", 2):
			factor = 60 * 60 * 24 * 30
		case prefixFold(word, "weeks", 1):
			factor = 60 * 60 * 24 * 7
		case prefixFold(word, "days", 1):
			factor = 60 * 60 * 24
		case prefixFold(word, "hours", 1):
			factor = 60 * 60
		case prefixFold(word, "minutes", 2):
			factor = 60
		case prefixFold(word, "seconds", 1):
			factor = 1
		default:
			return c, errors.New("bad expires code, unrecognised <type>'" + word + "'")
		}
		modifier += factor * num
		word, rest = getWord(rest)
	}
	c.Seconds = modifier
	return c, nil
}

// prefixFold is strncasecmp(word, keyword, n) == 0: the first n bytes
// agree, a word shorter than n failing at its end.
func prefixFold(word, keyword string, n int) bool {
	if len(word) < n {
		return false
	}
	return strings.EqualFold(word[:n], keyword[:n])
}

// expiresAtoi is C's atoi on glibc (int)strtol: leading white space, a sign,
// digits; saturated to the long range, then truncated to int.
func expiresAtoi(s string) int32 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<63)/10 {
			over = true
			continue
		}
		n = n*10 + uint64(s[i]-'0')
		if n > 1<<63 {
			over = true
		}
	}
	var v int64
	switch {
	case over && neg:
		v = -1 << 63
	case over:
		v = 1<<63 - 1
	case neg:
		v = -int64(n)
	case n > 1<<63-1:
		v = 1<<63 - 1
	default:
		v = int64(n)
	}
	return int32(v)
}
