package conf

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/spf13/viper"
)

// httpdFormat is the viper format name of Apache-style files.
const httpdFormat = "httpd"

var addHTTPDExt sync.Once

// newViper returns a local viper instance (never the global one) whose
// codec registry has the httpd codec, if one is given, next to viper's own
// YAML, TOML and JSON codecs.
func newViper(format string, httpd viper.Codec) (*viper.Viper, error) {
	// viper.ReadConfig refuses formats missing from viper.SupportedExts
	// even when a registry has a codec for them (viper issue #562: "you can
	// change the supported extensions"), so "httpd" is added to that list,
	// once.
	addHTTPDExt.Do(func() {
		if !slices.Contains(viper.SupportedExts, httpdFormat) {
			viper.SupportedExts = append(viper.SupportedExts, httpdFormat)
		}
	})
	reg := viper.NewCodecRegistry()
	if httpd != nil {
		if err := reg.RegisterCodec(httpdFormat, httpd); err != nil {
			return nil, fmt.Errorf("conf: register httpd codec: %w", err)
		}
	}
	v := viper.NewWithOptions(viper.WithCodecRegistry(reg))
	v.SetConfigType(format)
	return v, nil
}

// httpdCodec is the viper codec for Apache-style files. Decode parses and
// walks the file (sections, Define, Include, ...) with the loader's walker
// and fills the map with one entry per directive: a list of occurrences,
// each a list of argument strings. Viper only sees bytes and maps, so the
// position and order of every occurrence go into a side table (side) that
// readHTTPD joins back after viper returns the settings.
type httpdCodec struct {
	w    *walker
	file string
	side map[string][]sideEntry
}

// sideEntry is where one occurrence was written and its place in the
// source order.
type sideEntry struct {
	pos pos
	seq int
}

// Decode implements viper.Decoder.
func (c *httpdCodec) Decode(data []byte, m map[string]any) error {
	nodes, err := parse(c.file, data)
	if err != nil {
		return err
	}
	start := len(c.w.out)
	if err := c.w.walk(nodes, &walkCtx{kind: ctxTop}); err != nil {
		return err
	}
	for _, o := range c.w.out[start:] {
		args := make([]any, len(o.args))
		for i, a := range o.args {
			args[i] = a
		}
		list, _ := m[o.key].([]any)
		m[o.key] = append(list, args)
		c.side[o.key] = append(c.side[o.key], sideEntry{pos: o.pos, seq: o.seq})
	}
	c.w.out = c.w.out[:start]
	return nil
}

// Encode implements viper.Encoder; gohttpd never writes configuration
// files.
func (c *httpdCodec) Encode(map[string]any) ([]byte, error) {
	return nil, errors.New("conf: writing httpd-style files is not supported")
}

// readHTTPD reads an Apache-style file through viper and the httpd codec
// and returns its occurrences in file order, with their positions.
func readHTTPD(w *walker, file string, data []byte) ([]occurrence, error) {
	codec := &httpdCodec{w: w, file: file, side: make(map[string][]sideEntry)}
	v, err := newViper(httpdFormat, codec)
	if err != nil {
		return nil, &Error{File: file, Err: err}
	}
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return nil, e
		}
		return nil, &Error{File: file, Err: err}
	}
	var occs []occurrence
	for key, val := range v.AllSettings() {
		list, ok := val.([]any)
		entries := codec.side[key]
		if !ok || len(list) != len(entries) {
			return nil, &Error{File: file, Err: fmt.Errorf("conf: viper returned %T for %q", val, key)}
		}
		for i, item := range list {
			raw, _ := item.([]any)
			args := make([]string, len(raw))
			for j, a := range raw {
				args[j], _ = a.(string)
			}
			occs = append(occs, occurrence{key: key, args: args, pos: entries[i].pos, seq: entries[i].seq})
		}
	}
	slices.SortFunc(occs, func(a, b occurrence) int { return cmp.Compare(a.seq, b.seq) })
	return occs, nil
}

// readStructured reads a YAML, TOML or JSON file with viper's own codecs.
func readStructured(format string, data []byte) (map[string]any, error) {
	v, err := newViper(format, nil)
	if err != nil {
		return nil, err
	}
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return v.AllSettings(), nil
}

// structuredFirst are the keys of a structured file applied before the
// others (which follow in alphabetical order), because they change how the
// rest is read.
var structuredFirst = []string{"serverroot", "define", "undefine", "loadmodule", "mpm", "include", "includeoptional"}

// structuredNodes turns a structured file's settings into directive nodes.
// Keys are directive names (case-insensitive). A value is one occurrence
// or a list of occurrences; an occurrence is a scalar (a one-argument
// directive takes it verbatim, others split it into words with Apache's
// quoting), a list of arguments, or for Location a map with Path and
// SetHandler. Numbers and booleans become their text (On/Off).
func structuredNodes(settings map[string]any, file string) ([]*node, error) {
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(structuredFirst, k); i >= 0 {
			return i
		}
		return len(structuredFirst)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
	})
	var nodes []*node
	for _, k := range keys {
		sp := directives[k]
		name := k
		if sp != nil {
			name = sp.name
		}
		items, ok := settings[k].([]any)
		if !ok {
			items = []any{settings[k]}
		}
		for _, item := range items {
			args, err := structuredArgs(sp, item)
			if err != nil {
				return nil, &Error{File: file, Directive: name, Err: err}
			}
			nodes = append(nodes, &node{name: k, args: args, pre: true, structured: true, file: file})
		}
	}
	return nodes, nil
}

// structuredArgs converts one occurrence of a structured file.
func structuredArgs(sp *spec, item any) ([]string, error) {
	switch v := item.(type) {
	case string:
		if sp != nil && (sp.arity == take1 || sp.arity == takeFlag) {
			return []string{v}, nil
		}
		return tokenize(v), nil
	case []any:
		args := make([]string, 0, len(v))
		for _, a := range v {
			s, err := scalarText(a)
			if err != nil {
				return nil, err
			}
			args = append(args, s)
		}
		return args, nil
	case map[string]any:
		if sp == nil || !sp.structuredOnly {
			return nil, fmt.Errorf("a map is not a valid value here (got %v)", v)
		}
		var path, handler string
		for key, val := range v {
			s, err := scalarText(val)
			if err != nil {
				return nil, err
			}
			switch key {
			case "path":
				path = s
			case "sethandler", "handler":
				handler = s
			default:
				return nil, fmt.Errorf("unknown Location key %q (want Path and SetHandler)", key)
			}
		}
		return []string{path, handler}, nil
	}
	s, err := scalarText(item)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// scalarText is the directive-argument text of a scalar value.
func scalarText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		if v {
			return "On", nil
		}
		return "Off", nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("unsupported value %v (%T)", v, v)
}

// ensure httpdCodec satisfies viper's interface.
var _ viper.Codec = (*httpdCodec)(nil)
