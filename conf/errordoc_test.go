package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Errors and kinds observed with `apache2 -t` and curl (Apache 2.4.71).
// Arguments are as the lexer hands them over (quotes removed).
func TestErrorDocBuilder(t *testing.T) {
	tests := []struct {
		args   []string
		err    string
		notice string
		status int
		doc    ErrorDoc
	}{
		{args: []string{"404"}, err: "ErrorDocument takes two arguments, Change responses for HTTP errors"},
		{args: []string{"404", "/x", "/y"}, err: "ErrorDocument takes two arguments, Change responses for HTTP errors"},
		{args: []string{"999", "/x"}, err: "Unsupported HTTP response code 999"},
		{args: []string{"abc", "/x"}, err: "Unsupported HTTP response code abc"},
		{args: []string{"418", "/x"}, err: "Unsupported HTTP response code 418"},
		{args: []string{"200", "/x"}, status: 200, doc: ErrorDoc{ErrorDocLocal, "/x"}},
		{args: []string{"0500", "/x"}, status: 500, doc: ErrorDoc{ErrorDocLocal, "/x"}},
		{args: []string{"404x", "/x"}, status: 404, doc: ErrorDoc{ErrorDocLocal, "/x"}},
		{args: []string{"401", "http://example.com/"}, notice: "cannot use a full URL in a 401 ErrorDocument directive --- ignoring!"},
		{args: []string{"403", "http://example.com/"}, status: 403, doc: ErrorDoc{ErrorDocURL, "http://example.com/"}},
		{args: []string{"404", "Custom text"}, status: 404, doc: ErrorDoc{ErrorDocText, "Custom text"}},
		{args: []string{"404", "oops"}, status: 404, doc: ErrorDoc{ErrorDocText, "oops"}},
		{args: []string{"404", "errors/404.html"}, status: 404, doc: ErrorDoc{ErrorDocText, "errors/404.html"}},
		{args: []string{"404", "/path with space"}, status: 404, doc: ErrorDoc{ErrorDocText, "/path with space"}},
		{args: []string{"404", "/errors/404.html?from=x"}, status: 404, doc: ErrorDoc{ErrorDocLocal, "/errors/404.html?from=x"}},
		{args: []string{"404", `a"b\c\nd %x`}, status: 404, doc: ErrorDoc{ErrorDocText, "a\"bc\nd %x"}},
		{args: []string{"500", "default"}, status: 500, doc: ErrorDoc{Kind: ErrorDocDefault}},
		{args: []string{"404", "DEFAULT"}, status: 404, doc: ErrorDoc{Kind: ErrorDocDefault}},
		{args: []string{"404", "%{REQUEST_URI} x"}, err: "%{...} variables in ErrorDocument expressions are not supported by gohttpd: ignoring them would change what clients get"},
	}
	for _, tt := range tests {
		var b ErrorDocBuilder
		notice, err := b.Directive(tt.args)
		e := ""
		if err != nil {
			e = err.Error()
		}
		if e != tt.err || notice != tt.notice {
			t.Errorf("%q: error %q notice %q, want %q %q", tt.args, e, notice, tt.err, tt.notice)
			continue
		}
		if tt.status == 0 {
			if b.Docs() != nil {
				t.Errorf("%q: stored %v", tt.args, b.Docs())
			}
			continue
		}
		if got := b.Docs()[tt.status]; got != tt.doc {
			t.Errorf("%q: %+v, want %+v", tt.args, got, tt.doc)
		}
	}
}

func TestErrorDocsMergeLookup(t *testing.T) {
	base := ErrorDocs{404: {ErrorDocLocal, "/e404"}, 403: {ErrorDocText, "no"}}
	child := ErrorDocs{404: {Kind: ErrorDocDefault}, 500: {ErrorDocURL, "http://x/"}}
	m := MergeErrorDocs(base, child)
	if _, ok := m.Lookup(404); ok {
		t.Error("404 default should hide the inherited document")
	}
	if d, ok := m.Lookup(403); !ok || d.Value != "no" {
		t.Errorf("403: %+v %v", d, ok)
	}
	// A status Apache does not know is filed under 500.
	if d, ok := m.Lookup(418); !ok || d.Value != "http://x/" {
		t.Errorf("418: %+v %v", d, ok)
	}
	if MergeErrorDocs(nil, child)[500] != child[500] || len(MergeErrorDocs(base, nil)) != 2 {
		t.Error("merge with nil")
	}
	if len(base) != 2 || len(child) != 2 {
		t.Error("merge changed its inputs")
	}
}

func TestStatusLine(t *testing.T) {
	for s, want := range map[int]string{404: "404 Not Found", 302: "302 Found", 418: "500 Internal Server Error",
		413: "413 Request Entity Too Large", 999: "500 Internal Server Error"} {
		if got := StatusLine(s); got != want {
			t.Errorf("StatusLine(%d) = %q, want %q", s, got, want)
		}
	}
}

// DirectoryIndex and friends; errors observed with apache2 -t.
func TestDirBuilder(t *testing.T) {
	tests := []struct {
		lines []string
		err   string
		want  ModDirConfig
	}{
		{lines: []string{"DirectoryIndex a.html b.html"}, want: ModDirConfig{Index: []string{"a.html", "b.html"}, IndexSet: true}},
		{lines: []string{"DirectoryIndex a.html", "DirectoryIndex b.html"}, want: ModDirConfig{Index: []string{"a.html", "b.html"}, IndexSet: true}},
		{lines: []string{"DirectoryIndex a.html", "DirectoryIndex disabled"}, want: ModDirConfig{Index: []string{}, IndexSet: true}},
		{lines: []string{"DirectoryIndex disabled x"}, want: ModDirConfig{Index: []string{"disabled", "x"}, IndexSet: true}},
		{lines: []string{"DirectoryIndex"}, want: ModDirConfig{Index: []string{}, IndexSet: true}},
		{lines: []string{"DirectoryIndex /index.php"}, want: ModDirConfig{Index: []string{"/index.php"}, IndexSet: true}},
		{lines: []string{"DirectorySlash maybe"}, err: "DirectorySlash must be On or Off"},
		{lines: []string{"DirectorySlash"}, err: "DirectorySlash must be On or Off"},
		{lines: []string{"DirectorySlash off"}, want: ModDirConfig{NoSlash: true, SlashSet: true}},
		{lines: []string{"FallbackResource"}, err: "FallbackResource takes one argument, Set a default handler"},
		{lines: []string{"FallbackResource a b"}, err: "FallbackResource takes one argument, Set a default handler"},
		{lines: []string{"FallbackResource /index.php"}, want: ModDirConfig{Fallback: "/index.php"}},
		{lines: []string{"DirectoryIndexRedirect 200"}, err: "DirectoryIndexRedirect only accepts values between 300 and 399"},
		{lines: []string{"DirectoryIndexRedirect foo"}, err: "DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx"},
		{lines: []string{"DirectoryIndexRedirect on"}, want: ModDirConfig{IndexRedirect: 302, IndexRedirectSet: true}},
		{lines: []string{"DirectoryCheckHandler On"}, want: ModDirConfig{CheckHandler: true, CheckHandlerSet: true}},
	}
	for _, tt := range tests {
		var b ModDirBuilder
		var err error
		for _, l := range tt.lines {
			f := strings.Fields(l)
			if err = b.Directive(f[0], f[1:]); err != nil {
				break
			}
		}
		e := ""
		if err != nil {
			e = err.Error()
		}
		if e != tt.err {
			t.Errorf("%q: error %q, want %q", tt.lines, e, tt.err)
			continue
		}
		if tt.err == "" && !reflect.DeepEqual(*b.Config(), tt.want) {
			t.Errorf("%q: %+v, want %+v", tt.lines, *b.Config(), tt.want)
		}
	}
}

func TestMergeDirConfig(t *testing.T) {
	base := &ModDirConfig{Index: []string{"a.html", "b.html"}, IndexSet: true, Fallback: "/index.php"}
	child := &ModDirConfig{Index: []string{"c.html"}, IndexSet: true, NoSlash: true, SlashSet: true}
	m := MergeModDir(base, child)
	if !reflect.DeepEqual(m.IndexNames(), []string{"c.html"}) || m.Slash() || m.FallbackResource() != "/index.php" {
		t.Errorf("merge: %+v", m)
	}
	off := MergeModDir(m, &ModDirConfig{Fallback: "Disabled"})
	if off.FallbackResource() != "" {
		t.Error("FallbackResource disabled not honoured")
	}
	var none *ModDirConfig
	if !reflect.DeepEqual(none.IndexNames(), []string{"index.html"}) || !none.Slash() {
		t.Error("defaults")
	}
	dis := MergeModDir(base, &ModDirConfig{Index: []string{}, IndexSet: true})
	if len(dis.IndexNames()) != 0 {
		t.Error("DirectoryIndex disabled not inherited as empty")
	}
}

func FuzzErrorDocument(f *testing.F) {
	for _, s := range [][2]string{{"404", "/x"}, {"500", "text here"}, {"403", "http://x"}, {"401", "https://x"}, {"404", `\101\8`}, {"999", "x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, code, msg string) {
		var b ErrorDocBuilder
		if _, err := b.Directive([]string{code, msg}); err != nil {
			return
		}
		docs := b.Docs()
		raw, err := json.Marshal(docs)
		if err != nil {
			t.Fatal(err)
		}
		var back ErrorDocs
		if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, docs) {
			t.Fatalf("round trip %q: %v", raw, err)
		}
		for s, d := range docs {
			if StatusIndexCode(s) != s {
				t.Fatalf("stored unknown status %d", s)
			}
			if d.Kind == ErrorDocLocal && !strings.HasPrefix(d.Value, "/") {
				t.Fatalf("local document %q", d.Value)
			}
		}
	})
}

func FuzzDirDirective(f *testing.F) {
	for _, s := range []string{"DirectoryIndex a b", "DirectoryIndex disabled", "DirectorySlash Off", "FallbackResource /i.php", "DirectoryIndexRedirect 301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			return
		}
		var b ModDirBuilder
		if err := b.Directive(fields[0], fields[1:]); err != nil {
			return
		}
		c := b.Config()
		if c.IndexRedirectSet && c.IndexRedirect != 0 && (c.IndexRedirect < 300 || c.IndexRedirect > 399) {
			t.Fatalf("%q: IndexRedirect %d", line, c.IndexRedirect)
		}
		raw, _ := json.Marshal(c)
		var back ModDirConfig
		if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(&back, c) {
			t.Fatalf("%q: round trip %s: %v", line, raw, err)
		}
	})
}
