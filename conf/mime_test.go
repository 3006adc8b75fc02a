package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestMimeDirectiveErrors(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"AddType text/x", "AddType requires at least two arguments, a mime type followed by one or more file extensions"},
		{"AddEncoding x-gzip", "AddEncoding requires at least two arguments, an encoding (e.g., gzip), followed by one or more file extensions"},
		{"AddCharset", "AddCharset requires at least two arguments, a charset (e.g., iso-2022-jp), followed by one or more file extensions"},
		{"RemoveType", "RemoveType requires at least one argument, one or more file extensions"},
		{"ForceType", "ForceType takes one argument, a mime type that overrides other configured type"},
		{"AddDefaultCharset", "AddDefaultCharset takes one argument, The name of the default charset to add to any Content-Type without one or 'Off' to disable"},
		{"DefaultType None", ""},
		{"DefaultType text/plain", ""}, // AH00117 warning only
		{"AddType application/x-foo .foo FOO", ""},
	}
	for _, tt := range tests {
		w := tokenize(tt.line)
		var b MimeBuilder
		err := b.Directive(w[0], w[1:])
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.line, got, tt.want)
		}
	}
	var b MimeBuilder
	_ = b.Directive("DefaultType", []string{"text/plain"})
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0], "AH00117") {
		t.Errorf("warnings: %q", b.Warnings)
	}
}

func TestMergeMime(t *testing.T) {
	build := func(lines ...string) *MimeConfig {
		var b MimeBuilder
		for _, l := range lines {
			w := tokenize(l)
			if err := b.Directive(w[0], w[1:]); err != nil {
				t.Fatal(err)
			}
		}
		return b.Finish()
	}
	base := build("AddType Application/X-Foo .foo", "AddEncoding x-gzip .gz", "AddDefaultCharset On", "ForceType text/plain")
	if base.Ext["foo"] != (MimeExt{Type: "application/x-foo", TypeSet: true}) || base.CharsetName != "iso-8859-1" {
		t.Fatalf("base: %+v", base)
	}
	child := build("RemoveType .FOO", "AddCharset UTF-8 .gz", "AddDefaultCharset Off", "ForceType None")
	m := MergeMime(base, child)
	want := map[string]MimeExt{
		"foo": {TypeSet: true},
		"gz":  {Encoding: "x-gzip", Charset: "utf-8"},
	}
	if !reflect.DeepEqual(m.Ext, want) || m.Charset != DefaultCharsetOff || m.ForceType != "none" {
		t.Errorf("merge: %+v", m)
	}
	if base.Ext["foo"].Type != "application/x-foo" {
		t.Error("merge changed the base")
	}
	if MergeMime(base, nil) != base {
		t.Error("nil child")
	}
	data, _ := json.Marshal(m)
	var back MimeConfig
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(&back, m) {
		t.Errorf("round trip: %v %+v", err, back)
	}
	cs := build("AddDefaultCharset utf-8")
	if cs.Charset != DefaultCharsetOn || cs.CharsetName != "utf-8" {
		t.Errorf("charset: %+v", cs)
	}
}

func TestReadMimeTypes(t *testing.T) {
	in := "# comment\n\ntext/html\t\t\t\thtml htm\n  image/png png\napplication/x-tar TAR\n# text/x-not notme\ntext/plain html\n"
	got, err := ReadMimeTypes(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"html": "text/plain", "htm": "text/html", "png": "image/png", "tar": "application/x-tar"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if _, err := LoadMimeTypes("/nonexistent-root", "conf/mime.types"); err == nil ||
		!strings.HasPrefix(err.Error(), "AH01597: could not open mime types config file /nonexistent-root/conf/mime.types.") {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzReadMimeTypes(f *testing.F) {
	f.Add("text/html html htm\n# x\n")
	f.Add("'a b' \"c d\" e\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ReadMimeTypes(strings.NewReader(s))
		if err != nil {
			return
		}
		for k := range m {
			if k != strings.ToLower(k) {
				t.Fatalf("key %q not lower case", k)
			}
		}
	})
}

func FuzzMimeDirective(f *testing.F) {
	f.Add("AddType", "text/html", ".HTML")
	f.Add("AddDefaultCharset", "On", "")
	f.Add("RemoveType", ".x", "y")
	f.Fuzz(func(t *testing.T, name, a, b string) {
		var mb MimeBuilder
		if mb.Directive(name, []string{a, b}) != nil {
			return
		}
		cfg := mb.Finish()
		if cfg == nil {
			return
		}
		for k := range cfg.Ext {
			// Lower case, one leading dot removed (as Apache: "..x" is ".x").
			if k != strings.ToLower(k) {
				t.Fatalf("key %q", k)
			}
		}
		m := MergeMime(cfg, cfg)
		if !reflect.DeepEqual(m.Ext, cfg.Ext) {
			t.Fatalf("merging a section with itself changed it: %+v %+v", m.Ext, cfg.Ext)
		}
	})
}
