package mpm

import (
	"errors"
	"fmt"
)

// The engines take no defaults: conf owns them (its table in
// conf/defaults.go) and hands every engine a complete Config. An engine's
// Config.Validate only checks, and a zero Config is an error in every
// engine, each impossible value reported as a *ConfigError.

// ErrInvalidConfig is wrapped by every *ConfigError.
var ErrInvalidConfig = errors.New("mpm: invalid engine configuration")

// A ConfigError is one impossible value of an engine's Config, named by
// its directive: "event: ThreadsPerChild 0: must be at least 1".
type ConfigError struct {
	Engine    string // "prefork", "worker" or "event"
	Directive string
	Value     any
	Rule      string // what the value must be
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: %s %v: %s", e.Engine, e.Directive, e.Value, e.Rule)
}

func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// ConfigCheck collects the ConfigErrors of one Validate.
type ConfigCheck struct {
	Engine string
	errs   []error
}

// Check records a ConfigError for directive unless ok.
func (c *ConfigCheck) Check(ok bool, directive string, value any, rule string) {
	if !ok {
		c.errs = append(c.errs, &ConfigError{Engine: c.Engine, Directive: directive, Value: value, Rule: rule})
	}
}

// Err returns the recorded errors joined (errors.Join), or nil.
func (c *ConfigCheck) Err() error { return errors.Join(c.errs...) }
