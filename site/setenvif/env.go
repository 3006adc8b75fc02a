package setenvif

import (
	"iter"
	"strings"
)

// Env is a request's environment (Apache's r->subprocess_env): what
// SetEnvIf, BrowserMatch and SetEnv set, and what Header's env=
// conditions, %{VAR}e and the special variables (nokeepalive, no-gzip,
// ...) read. Names compare case-insensitively, as in apr tables.
//
// The zero value is empty and allocates nothing until the first Set;
// keep one per request (or per connection, with Reset between
// requests: Reset keeps the backing array).
type Env struct {
	kv []envKV
}

type envKV struct{ name, value string }

// Lookup returns the value of name and whether it is set. It is the
// consumer interface site/headers needs (headers.EnvLookup).
func (e *Env) Lookup(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	for i := range e.kv {
		if strings.EqualFold(e.kv[i].name, name) {
			return e.kv[i].value, true
		}
	}
	return "", false
}

// Has reports whether name is set: the interface site/authz needs for
// "Require env" and "Allow from env=" (authz.Env).
func (e *Env) Has(name string) bool {
	_, ok := e.Lookup(name)
	return ok
}

// Set sets name to value, replacing an earlier value (apr_table_setn).
func (e *Env) Set(name, value string) {
	for i := range e.kv {
		if strings.EqualFold(e.kv[i].name, name) {
			e.kv[i].value = value
			// apr_table_setn drops later duplicates; Set never makes any.
			return
		}
	}
	e.kv = append(e.kv, envKV{name, value})
}

// SetDefault sets name only when it is not set: mod_env's SetEnv as seen
// through apr_table_get after apr_table_overlay (a value SetEnvIf set
// earlier is found first).
func (e *Env) SetDefault(name, value string) {
	if _, ok := e.Lookup(name); !ok {
		e.kv = append(e.kv, envKV{name, value})
	}
}

// Unset removes name.
func (e *Env) Unset(name string) {
	out := e.kv[:0]
	for _, kv := range e.kv {
		if !strings.EqualFold(kv.name, name) {
			out = append(out, kv)
		}
	}
	clear(e.kv[len(out):])
	e.kv = out
}

// Len is the number of variables set.
func (e *Env) Len() int {
	if e == nil {
		return 0
	}
	return len(e.kv)
}

// Reset empties e and keeps its storage.
func (e *Env) Reset() {
	clear(e.kv)
	e.kv = e.kv[:0]
}

// All yields the variables in the order they were first set.
func (e *Env) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if e == nil {
			return
		}
		for _, kv := range e.kv {
			if !yield(kv.name, kv.value) {
				return
			}
		}
	}
}
