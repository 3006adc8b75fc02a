package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Apache's texts, from testdata/apache/bad.sh in site/headers (apache2
// -t on one-line configurations, Apache 2.4.71).
func TestHeadersDirectiveErrors(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"Header", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{"Header foo X", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{"Header always", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{"Header always onsuccess set X a", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{"Header set", "Header requires three arguments"},
		{"Header set X", "Header requires three arguments"},
		{"Header set X a b", "Unknown parameter: b"},
		{"Header set X a env=", "error: missing environment variable name. envclause should be in the form env=envar "},
		{"Header set X a env=!", "error: missing environment variable name. envclause should be in the form env=envar "},
		{"Header set X a foo", "Unknown parameter: foo"},
		{"Header set X a env=x y", "Too many arguments to directive"},
		{"Header edit X a", "Header edit requires a match and a substitution"},
		{"Header edit X ( b", "Header edit regex could not be compiled"},
		{"Header unset X a", "Unknown parameter: a"},
		{"Header unset X env=a b", "header unset takes two arguments"},
		{"Header echo X a b", "Header echo takes two arguments"},
		{"RequestHeader echo X", "Header echo only valid on Header directives"},
		{"Header set X %z", "Unrecognized header format %z"},
		{"Header set X %{a}", "Unrecognized header format %"},
		{"Header set X a b c d", "Header has too many arguments"},
		{"RequestHeader set X a b c d", "RequestHeader has too many arguments"},
		// Refused by gohttpd (Apache accepts them).
		{"RequestHeader set X a early", "Header/RequestHeader 'early' is not supported by gohttpd"},
		{"Header set X a expr=true", "Can't parse envclause/expression: expr= conditions are not supported by gohttpd"},
		{"Header set X expr=%{REQUEST_URI}", "Can't parse value expression : expr= values are not supported by gohttpd"},
		// Accepted.
		{"Header set X a", ""},
		{"Header always set X a env=!y", ""},
		{"Header onsuccess unset X", ""},
		{"Header unset X env=y", ""},
		{"Header echo ^X-", ""},
		{"Header edit* Set-Cookie ^(.*)$ $1;HttpOnly env=x", ""},
		{"RequestHeader unset Proxy", ""},
		{`Header set X "%D %t %{A}e %{B}s %l %i %b %%"`, ""},
	}
	for _, tt := range tests {
		w := tokenize(tt.line)
		var b HeadersBuilder
		err := b.Directive(w[0], w[1:])
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestParseHeaderFormat(t *testing.T) {
	tests := []struct {
		in   string
		want []FormatTag
	}{
		{"", nil},
		{"abc", []FormatTag{{Arg: "abc"}}},
		// Apache answered "X-Esc: a<TAB>b\c%d%" (e3 in httpd.conf).
		{`a\tb\\c%%d%`, []FormatTag{{Arg: "a\tb\\c%d%"}}},
		{`a\qb`, []FormatTag{{Arg: `a\qb`}}},
		{`x\`, []FormatTag{{Arg: `x\`}}},
		{"%{CORS}e", []FormatTag{{Kind: 'e', Arg: "CORS"}}},
		{"D %D t %t", []FormatTag{{Arg: "D "}, {Kind: 'D'}, {Arg: " t "}, {Kind: 't'}}},
		{"%{X-Foo}i", []FormatTag{{Kind: 'i'}}},
		{"%{HTTPS}s!", []FormatTag{{Kind: 's', Arg: "HTTPS"}, {Arg: "!"}}},
	}
	for _, tt := range tests {
		got, err := ParseHeaderFormat(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
}

func TestHeadersTablesAndMerge(t *testing.T) {
	var b HeadersBuilder
	for _, l := range []string{
		"Header set A 1", "Header always set B 2", "Header onsuccess add C 3",
		"RequestHeader set D 4", "Header set E-Colon:ignored 5",
	} {
		w := tokenize(l)
		if err := b.Directive(w[0], w[1:]); err != nil {
			t.Fatal(err)
		}
	}
	c := b.Finish()
	if len(c.Out) != 3 || len(c.Err) != 1 || len(c.In) != 1 {
		t.Fatalf("tables: %+v", c)
	}
	if c.Out[2].Header != "E-Colon" {
		t.Errorf("colon: %q", c.Out[2].Header)
	}
	var nb HeadersBuilder
	if nb.Finish() != nil {
		t.Error("empty section must give nil")
	}
	var b2 HeadersBuilder
	_ = b2.Directive("Header", []string{"set", "Z", "9"})
	m := MergeHeaders(c, b2.Finish())
	if len(m.Out) != 4 || m.Out[3].Header != "Z" || m.Out[0].Header != "A" {
		t.Errorf("merge order: %+v", m.Out)
	}
	if MergeHeaders(c, nil) != c || MergeHeaders(nil, c) != c {
		t.Error("merge with nil must return the other side")
	}
	// JSON round trip.
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back HeadersConfig
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, m) {
		t.Errorf("round trip:\n%+v\n%+v", back, *m)
	}
	if strings.Contains(string(data), "null") {
		t.Logf("json: %s", data)
	}
}

func FuzzParseHeaderFormat(f *testing.F) {
	for _, s := range []string{"", "a%", "%%", `a\tb\\c%%d%`, "%{CORS}e", "%{x", "%D%t%l%i%b", "%{a}", `\`, "%z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := ParseHeaderFormat(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Unrecognized header format %") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		for i, tag := range tags {
			switch tag.Kind {
			case 0:
				if i > 0 && tags[i-1].Kind == 0 {
					t.Fatalf("%q: adjacent literals", s)
				}
			case 'D', 't', 'l', 'i', 'b':
				if tag.Arg != "" {
					t.Fatalf("%q: %c with an argument", s, tag.Kind)
				}
			case 'e', 's':
			default:
				t.Fatalf("%q: kind %q", s, tag.Kind)
			}
		}
		if !strings.Contains(s, "%") && !strings.Contains(s, `\`) && (len(tags) != 1 || tags[0].Arg != s) && s != "" {
			t.Fatalf("%q: plain text changed: %+v", s, tags)
		}
	})
}
