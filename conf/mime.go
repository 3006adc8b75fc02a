package conf

// mod_mime and the core's type directives: TypesConfig, AddType,
// AddEncoding, AddCharset, RemoveType, ForceType, AddDefaultCharset and
// DefaultType, built by MimeBuilder from one section's directives and
// combined between sections by MergeMime. The lookup is in
// site/mimetype.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MimeExt is what AddType, AddEncoding, AddCharset and RemoveType say
// about one extension (mod_mime's extension_info).
type MimeExt struct {
	// Type is AddType's media type (lower case), meaningful when TypeSet.
	// RemoveType sets TypeSet with an empty Type: the extension then has
	// no type, not even TypesConfig's.
	Type    string `json:",omitempty"`
	TypeSet bool   `json:",omitempty"`
	// Encoding is AddEncoding's value (lower case), "" unset.
	Encoding string `json:",omitempty"`
	// Charset is AddCharset's value (lower case), "" unset.
	Charset string `json:",omitempty"`
}

// DefaultCharset is AddDefaultCharset's state.
type DefaultCharset uint8

// The AddDefaultCharset states.
const (
	DefaultCharsetUnset DefaultCharset = iota
	DefaultCharsetOff
	DefaultCharsetOn
)

// MimeConfig is what one section (or a merged chain) says about media
// types. Values are immutable once built.
type MimeConfig struct {
	// Ext maps extensions (lower case, without the dot) to their
	// settings.
	Ext map[string]MimeExt `json:",omitempty"`
	// ForceType is the core's ForceType (lower case; "none" cancels an
	// inherited one), "" unset.
	ForceType string `json:",omitempty"`
	// Charset is AddDefaultCharset; CharsetName is the charset when On
	// ("iso-8859-1" for "On").
	Charset     DefaultCharset `json:",omitempty"`
	CharsetName string         `json:",omitempty"`
}

// MergeMime is merge_mime_dir_configs for the extension table (each
// field of a child's extension overrides the base's; RemoveType is an
// empty set type) and the core's merge for ForceType and
// AddDefaultCharset (the child's wins when set). nil is a section
// without these directives.
func MergeMime(base, child *MimeConfig) *MimeConfig {
	if child == nil {
		return base
	}
	if base == nil {
		return child
	}
	out := MimeConfig{ForceType: base.ForceType, Charset: base.Charset, CharsetName: base.CharsetName}
	if child.ForceType != "" {
		out.ForceType = child.ForceType
	}
	if child.Charset != DefaultCharsetUnset {
		out.Charset, out.CharsetName = child.Charset, child.CharsetName
	}
	switch {
	case len(child.Ext) == 0:
		out.Ext = base.Ext
	case len(base.Ext) == 0:
		out.Ext = child.Ext
	default:
		out.Ext = make(map[string]MimeExt, len(base.Ext)+len(child.Ext))
		for k, v := range base.Ext {
			out.Ext[k] = v
		}
		for k, c := range child.Ext {
			v := out.Ext[k]
			if c.TypeSet {
				v.Type, v.TypeSet = c.Type, true
			}
			if c.Encoding != "" {
				v.Encoding = c.Encoding
			}
			if c.Charset != "" {
				v.Charset = c.Charset
			}
			out.Ext[k] = v
		}
	}
	return &out
}

// MimeDirectives are the directives MimeBuilder.Directive takes. All are
// OR_FILEINFO (AllowOverride FileInfo) and allowed in every section,
// except TypesConfig, which MimeBuilder does not take: it is
// server-config only (RSRC_CONF; Apache reads only the main server's, a
// <VirtualHost> one is ignored), see LoadMimeTypes.
var MimeDirectives = []string{
	"AddType", "AddEncoding", "AddCharset", "RemoveType",
	"ForceType", "AddDefaultCharset", "DefaultType",
}

// MimeBuilder builds one section's MimeConfig. The zero value is ready.
type MimeBuilder struct {
	cfg  MimeConfig
	used bool
	// Warnings collects the texts Apache logs at startup (DefaultType
	// with a value other than None or Off: AH00117); the walker prints
	// them with file and line under -t.
	Warnings []string
}

// Finish returns the section's configuration, nil when it has none of
// MimeDirectives.
func (b *MimeBuilder) Finish() *MimeConfig {
	if !b.used {
		return nil
	}
	c := b.cfg
	return &c
}

// Directive applies one directive of MimeDirectives (name in any case),
// with Apache's error texts.
func (b *MimeBuilder) Directive(name string, args []string) error {
	ext := func(f func(v *MimeExt, value string), value string, exts []string) {
		m := make(map[string]MimeExt, len(b.cfg.Ext)+len(exts))
		for k, v := range b.cfg.Ext {
			m[k] = v
		}
		for _, e := range exts {
			e = strings.TrimPrefix(strings.ToLower(e), ".")
			v := m[e]
			f(&v, value)
			m[e] = v
		}
		b.cfg.Ext = m
	}
	nonEmpty := func() int {
		n := 0
		for _, a := range args {
			if a != "" {
				n++
			}
		}
		return n
	}
	switch strings.ToLower(name) {
	case "addtype", "addencoding", "addcharset":
		usage := map[string]string{
			"addtype":     "AddType requires at least two arguments, a mime type followed by one or more file extensions",
			"addencoding": "AddEncoding requires at least two arguments, an encoding (e.g., gzip), followed by one or more file extensions",
			"addcharset":  "AddCharset requires at least two arguments, a charset (e.g., iso-2022-jp), followed by one or more file extensions",
		}[strings.ToLower(name)]
		if len(args) < 2 || nonEmpty() < 2 {
			return errors.New(usage)
		}
		value := strings.ToLower(args[0])
		switch strings.ToLower(name) {
		case "addtype":
			ext(func(v *MimeExt, s string) { v.Type, v.TypeSet = s, true }, value, args[1:])
		case "addencoding":
			ext(func(v *MimeExt, s string) { v.Encoding = s }, value, args[1:])
		default:
			ext(func(v *MimeExt, s string) { v.Charset = s }, value, args[1:])
		}
	case "removetype":
		if len(args) == 0 || nonEmpty() == 0 {
			return errors.New("RemoveType requires at least one argument, one or more file extensions")
		}
		ext(func(v *MimeExt, _ string) { v.Type, v.TypeSet = "", true }, "", args)
	case "forcetype":
		if len(args) != 1 || args[0] == "" {
			return errors.New("ForceType takes one argument, a mime type that overrides other configured type")
		}
		b.cfg.ForceType = strings.ToLower(args[0])
	case "adddefaultcharset":
		if len(args) != 1 || args[0] == "" {
			return errors.New("AddDefaultCharset takes one argument, The name of the default charset to add to any Content-Type without one or 'Off' to disable")
		}
		switch {
		case strings.EqualFold(args[0], "off"):
			b.cfg.Charset, b.cfg.CharsetName = DefaultCharsetOff, ""
		case strings.EqualFold(args[0], "on"):
			b.cfg.Charset, b.cfg.CharsetName = DefaultCharsetOn, "iso-8859-1"
		default:
			b.cfg.Charset, b.cfg.CharsetName = DefaultCharsetOn, args[0]
		}
	case "defaulttype":
		if len(args) != 1 || args[0] == "" {
			return errors.New("DefaultType takes one argument, the default MIME type for untypable files")
		}
		if !strings.EqualFold(args[0], "none") && !strings.EqualFold(args[0], "off") {
			// Apache 2.4 ignores it with AH00117; a file without a known
			// extension gets no Content-Type either way.
			b.Warnings = append(b.Warnings, "AH00117: Ignoring deprecated use of DefaultType")
		}
		return nil
	default:
		return errors.New("not a mod_mime directive: " + name)
	}
	b.used = true
	return nil
}

// LoadMimeTypes reads TypesConfig's file (path relative to serverRoot
// when not absolute) as mime_post_config does, with Apache's texts for a
// file it cannot open (AH01597, which stops Apache's startup).
// Debian's apache2 sets "TypesConfig /etc/mime.types"; without the
// directive Apache reads ServerRoot/conf/mime.types.
func LoadMimeTypes(serverRoot, path string) (map[string]string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(serverRoot, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("AH01597: could not open mime types config file %s.: %w", path, err)
	}
	defer f.Close()
	return ReadMimeTypes(f)
}

// ReadMimeTypes parses Apache's mime.types format: per line a media type
// and its extensions separated by white space; lines starting with '#'
// are comments; extensions are lower-cased and a later line wins.
func ReadMimeTypes(r io.Reader) (map[string]string, error) {
	types := make(map[string]string, 1024)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 8192), 1<<20)
	for sc.Scan() {
		line := trimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		ct, rest := getWord(line)
		for rest != "" {
			var e string
			e, rest = getWord(rest)
			types[strings.ToLower(e)] = ct
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading mime types: %w", err)
	}
	return types, nil
}
