package conf

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"reflect"
	"unicode/utf8"
)

// encoding/json replaces bytes that are not UTF-8 with U+FFFD, but a
// rewrite pattern may hold any byte (a Latin-1 URL in an old site's
// configuration). The mod_rewrite types therefore marshal as usual when
// all their strings are UTF-8, and otherwise as {"gob64": "..."}: their
// gob encoding, which keeps every byte, in base64.

type gobJSON struct {
	Gob64 string `json:"gob64"`
}

// allUTF8 reports whether every string reachable from v is valid UTF-8.
func allUTF8(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || allUTF8(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if !allUTF8(v.Index(i)) {
				return false
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !allUTF8(v.Field(i)) {
				return false
			}
		}
	}
	return true
}

func marshalBytesSafe[T any](v *T) ([]byte, error) {
	if allUTF8(reflect.ValueOf(v)) {
		return json.Marshal(v)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return json.Marshal(gobJSON{Gob64: base64.StdEncoding.EncodeToString(buf.Bytes())})
}

func unmarshalBytesSafe[T any](data []byte, v *T) error {
	var g gobJSON
	if bytes.Contains(data, []byte(`"gob64"`)) && json.Unmarshal(data, &g) == nil && g.Gob64 != "" {
		raw, err := base64.StdEncoding.DecodeString(g.Gob64)
		if err != nil {
			return err
		}
		var out T
		if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&out); err != nil {
			return err
		}
		*v = out
		return nil
	}
	return json.Unmarshal(data, v)
}

type rewriteRuleJSON RewriteRule
type rewriteCondJSON RewriteCond
type rewriteConfigJSON RewriteConfig

// MarshalJSON keeps every byte of the rule's strings (see gobJSON).
func (r RewriteRule) MarshalJSON() ([]byte, error) {
	a := rewriteRuleJSON(r)
	return marshalBytesSafe(&a)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *RewriteRule) UnmarshalJSON(data []byte) error {
	return unmarshalBytesSafe(data, (*rewriteRuleJSON)(r))
}

// MarshalJSON keeps every byte of the condition's strings.
func (c RewriteCond) MarshalJSON() ([]byte, error) {
	a := rewriteCondJSON(c)
	return marshalBytesSafe(&a)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *RewriteCond) UnmarshalJSON(data []byte) error {
	return unmarshalBytesSafe(data, (*rewriteCondJSON)(c))
}

// MarshalJSON keeps every byte of the configuration's strings.
func (c RewriteConfig) MarshalJSON() ([]byte, error) {
	a := rewriteConfigJSON(c)
	return marshalBytesSafe(&a)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *RewriteConfig) UnmarshalJSON(data []byte) error {
	return unmarshalBytesSafe(data, (*rewriteConfigJSON)(c))
}
