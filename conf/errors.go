package conf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error is a configuration error with its position. Load returns *Error
// values, or several of them joined with errors.Join.
//
// File is the configuration file, "-C" or "-c" for command-line
// directives, or the GOHTTPD_* variable name for an environment override.
// Line is 1-based (0 when unknown: structured files and the environment).
// Directive is the directive's canonical name ("KeepAliveTimeout") or, for
// sections, the tag ("<IfModule>"). Err holds the message, in Apache's
// wording where Apache has one.
type Error struct {
	File      string
	Line      int
	Directive string
	Err       error
}

// Error formats the error as "File:Line: Directive: msg", leaving out the
// parts that are empty.
func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		if loc != "" {
			loc += ":"
		}
		loc += strconv.Itoa(e.Line)
	}
	parts := make([]string, 0, 3)
	if loc != "" {
		parts = append(parts, loc)
	}
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	// A message in Apache's wording may name its directive already
	// ("RewriteCond: bad flag delimiters"): not twice.
	if e.Directive != "" && !strings.HasPrefix(msg, e.Directive+": ") {
		parts = append(parts, e.Directive)
	}
	if msg != "" {
		parts = append(parts, msg)
	}
	return strings.Join(parts, ": ")
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// pos is where a directive was written.
type pos struct {
	file string
	line int
}

// String formats the position as "file:line" (or just the file).
func (p pos) String() string {
	if p.line > 0 {
		return p.file + ":" + strconv.Itoa(p.line)
	}
	return p.file
}

// errAt builds an *Error at p with a plain message (Apache's texts are used
// verbatim, so they are not format strings).
func errAt(p pos, directive, msg string) *Error {
	return &Error{File: p.file, Line: p.line, Directive: directive, Err: errors.New(msg)}
}

// errAtf builds an *Error at p with a formatted message.
func errAtf(p pos, directive, format string, args ...any) *Error {
	return &Error{File: p.file, Line: p.line, Directive: directive, Err: fmt.Errorf(format, args...)}
}

// invalidCommand is Apache's AH00526 text for an unknown directive.
func invalidCommand(p pos, name string) *Error {
	return errAt(p, name, "Invalid command '"+name+
		"', perhaps misspelled or defined by a module not included in the server configuration")
}
