package conf

import (
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"
)

// wireString carries a configuration string through the JSON snapshot
// byte for byte: encoding/json replaces invalid UTF-8 with U+FFFD, and an
// ErrorDocument text or an Alias path written in Latin-1 is not UTF-8. A
// valid string is a JSON string; another is {"b64": base64}.
type wireString string

func (s wireString) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(s)) {
		return json.Marshal(string(s))
	}
	return json.Marshal(struct {
		B64 string `json:"b64"`
	}{base64.StdEncoding.EncodeToString([]byte(s))})
}

func (s *wireString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			B64 string `json:"b64"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		raw, err := base64.StdEncoding.DecodeString(o.B64)
		if err != nil {
			return err
		}
		*s = wireString(raw)
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = wireString(v)
	return nil
}

func wireStrings(in []string) []wireString {
	if in == nil {
		return nil
	}
	out := make([]wireString, len(in))
	for i, s := range in {
		out[i] = wireString(s)
	}
	return out
}

func plainStrings(in []wireString) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

type errorDocWire struct {
	Kind  ErrorDocKind `json:"kind"`
	Value wireString   `json:"value,omitempty"`
}

// MarshalJSON keeps Value's bytes (see wireString).
func (d ErrorDoc) MarshalJSON() ([]byte, error) {
	return json.Marshal(errorDocWire{d.Kind, wireString(d.Value)})
}

// UnmarshalJSON is MarshalJSON's inverse.
func (d *ErrorDoc) UnmarshalJSON(b []byte) error {
	var w errorDocWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = ErrorDoc{w.Kind, string(w.Value)}
	return nil
}

type aliasEntryWire struct {
	Fake   wireString `json:"fake"`
	Real   wireString `json:"real,omitempty"`
	Regex  bool       `json:"regex,omitempty"`
	Status int        `json:"status,omitempty"`
	Root   wireString `json:"root,omitempty"`
}

// MarshalJSON keeps the strings' bytes (see wireString).
func (e AliasEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(aliasEntryWire{wireString(e.Fake), wireString(e.Real), e.Regex, e.Status, wireString(e.Root)})
}

type aliasDirWire struct {
	Redirects            []AliasEntry `json:"redirects,omitempty"`
	Alias                wireString   `json:"alias,omitempty"`
	AliasFake            wireString   `json:"aliasfake,omitempty"`
	AliasSet             bool         `json:"aliasset,omitempty"`
	Redirect             wireString   `json:"redirect,omitempty"`
	RedirectStatus       int          `json:"redirectstatus,omitempty"`
	RedirectSet          bool         `json:"redirectset,omitempty"`
	RedirectRelative     bool         `json:"redirectrelative,omitempty"`
	RedirectRelativeSet  bool         `json:"redirectrelativeset,omitempty"`
	AliasPreservePath    bool         `json:"aliaspreservepath,omitempty"`
	AliasPreservePathSet bool         `json:"aliaspreservepathset,omitempty"`
}

// MarshalJSON keeps the strings' bytes (see wireString).
func (d AliasDir) MarshalJSON() ([]byte, error) {
	return json.Marshal(aliasDirWire{d.Redirects, wireString(d.Alias), wireString(d.AliasFake), d.AliasSet,
		wireString(d.Redirect), d.RedirectStatus, d.RedirectSet, d.RedirectRelative, d.RedirectRelativeSet,
		d.AliasPreservePath, d.AliasPreservePathSet})
}

// UnmarshalJSON is MarshalJSON's inverse.
func (d *AliasDir) UnmarshalJSON(b []byte) error {
	var w aliasDirWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = AliasDir{w.Redirects, string(w.Alias), string(w.AliasFake), w.AliasSet, string(w.Redirect), w.RedirectStatus,
		w.RedirectSet, w.RedirectRelative, w.RedirectRelativeSet, w.AliasPreservePath, w.AliasPreservePathSet}
	return nil
}

type dirConfigWire struct {
	Index            []wireString `json:"index"`
	IndexSet         bool         `json:"indexset,omitempty"`
	NoSlash          bool         `json:"noslash,omitempty"`
	SlashSet         bool         `json:"slashset,omitempty"`
	CheckHandler     bool         `json:"checkhandler,omitempty"`
	CheckHandlerSet  bool         `json:"checkhandlerset,omitempty"`
	IndexRedirect    int          `json:"indexredirect,omitempty"`
	IndexRedirectSet bool         `json:"indexredirectset,omitempty"`
	Fallback         wireString   `json:"fallback,omitempty"`
}

// MarshalJSON keeps the strings' bytes (see wireString).
func (c ModDirConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(dirConfigWire{wireStrings(c.Index), c.IndexSet, c.NoSlash, c.SlashSet, c.CheckHandler,
		c.CheckHandlerSet, c.IndexRedirect, c.IndexRedirectSet, wireString(c.Fallback)})
}

// UnmarshalJSON is MarshalJSON's inverse.
func (c *ModDirConfig) UnmarshalJSON(b []byte) error {
	var w dirConfigWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = ModDirConfig{plainStrings(w.Index), w.IndexSet, w.NoSlash, w.SlashSet, w.CheckHandler, w.CheckHandlerSet,
		w.IndexRedirect, w.IndexRedirectSet, string(w.Fallback)}
	return nil
}
