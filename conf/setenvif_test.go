package conf

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
	"unicode/utf8"
)

func TestSetEnvIfDirectiveErrors(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"SetEnvIf", "Missing header-field name for SetEnvIf"},
		{"SetEnvIf User-Agent", "Missing regular expression for SetEnvIf"},
		{"SetEnvIf User-Agent x", "Missing envariable expression for SetEnvIf"},
		{"SetEnvIf User-Agent ( x", "SetEnvIf regex could not be compiled."},
		{"SetEnvIf (x ab x", "SetEnvIfHeader name regex could not be compiled."},
		{"BrowserMatch", "Missing regular expression for BrowserMatch"},
		{"BrowserMatch x", "Missing envariable expression for BrowserMatch"},
		{"SetEnv", "SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI."},
		{"SetEnv a b c", "SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI."},
		{"UnsetEnv", "UnsetEnv requires at least one argument, a list of variables to remove from the CGI environment."},
		{"SetEnvIf User-Agent x --early", ""},
		{"SetEnvIfExpr true x", "SetEnvIfExpr is not supported by gohttpd (no ap_expr)"},
	}
	for _, tt := range tests {
		w := tokenize(tt.line)
		var err error
		if w[0] == "SetEnv" || w[0] == "UnsetEnv" {
			var b EnvBuilder
			err = b.Directive(w[0], w[1:])
		} else {
			var b SetEnvIfBuilder
			err = b.Directive(w[0], w[1:])
		}
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestSetEnvIfRules(t *testing.T) {
	var b SetEnvIfBuilder
	for _, l := range []string{
		`SetEnvIf Remote_Addr "^127\." local`,
		`BrowserMatchNoCase "msie ([0-9]+)" ie=$1 !moz`,
		`SetEnvIf ^X-Tr.* yes xtr`,
		`SetEnvIf User-Agent Mozilla\/5 moz`,
		`SetEnvIf User-Agent a\.b dot`,
	} {
		w := tokenize(l)
		if err := b.Directive(w[0], w[1:]); err != nil {
			t.Fatal(err)
		}
	}
	c := b.Finish()
	want := []SetEnvIfRule{
		{Attr: EnvAttrRemoteAddr, Name: "Remote_Addr", Regex: `^127\.`, Actions: []EnvAction{{Name: "local", Value: "1"}}},
		{Attr: EnvAttrHeader, Name: "User-Agent", Regex: "msie ([0-9]+)", NoCase: true,
			Actions: []EnvAction{{Name: "ie", Value: "$1"}, {Name: "moz", Unset: true}}},
		{Attr: EnvAttrHeader, Name: "^X-Tr.*", NameRegex: true, Regex: "yes", Literal: true, Actions: []EnvAction{{Name: "xtr", Value: "1"}}},
		{Attr: EnvAttrHeader, Name: "User-Agent", Regex: `Mozilla\/5`, Actions: []EnvAction{{Name: "moz", Value: "1"}}},
		{Attr: EnvAttrHeader, Name: "User-Agent", Regex: regexp.QuoteMeta("a.b"), Literal: true, Actions: []EnvAction{{Name: "dot", Value: "1"}}},
	}
	if !reflect.DeepEqual(c.Rules, want) {
		t.Errorf("rules:\n%+v\n%+v", c.Rules, want)
	}
	data, _ := json.Marshal(c)
	var back SetEnvIfConfig
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(&back, c) {
		t.Errorf("round trip: %v", err)
	}
	m := MergeSetEnvIf(c, c)
	if len(m.Rules) != 10 || MergeSetEnvIf(c, nil) != c {
		t.Error("merge")
	}
}

func TestMergeEnv(t *testing.T) {
	var b, c EnvBuilder
	_ = b.Directive("SetEnv", []string{"A", "1"})
	_ = b.Directive("SetEnv", []string{"B"})
	_ = c.Directive("UnsetEnv", []string{"a"})
	_ = c.Directive("SetEnv", []string{"C", "3"})
	m := MergeEnv(b.Finish(), c.Finish())
	want := []EnvAction{{Name: "B"}, {Name: "C", Value: "3"}}
	if !reflect.DeepEqual(m.Vars, want) {
		t.Errorf("got %+v", m.Vars)
	}
}

func FuzzSetEnvIfDirective(f *testing.F) {
	f.Add("SetEnvIf", "User-Agent", `MSIE ([0-9]+)`, "ie=$1")
	f.Add("BrowserMatchNoCase", `^X-(.*`, `a\.b`, "!x")
	f.Add("SetEnvIf", "User-Agent", "\x80", "x") // a literal that is not UTF-8
	f.Fuzz(func(t *testing.T, name, a, b, c string) {
		var sb SetEnvIfBuilder
		if sb.Directive(name, []string{a, b, c}) != nil {
			return
		}
		cfg := sb.Finish()
		for _, r := range cfg.Rules {
			if _, err := regexp.Compile(r.Regex); err != nil {
				t.Fatalf("accepted %q: %v", r.Regex, err)
			}
			if r.Literal {
				if lit, ok := nonRegexPattern(r.Regex); ok && lit != "" && !regexp.MustCompile(r.Regex).MatchString(lit) {
					t.Fatalf("literal %q", r.Regex)
				}
			}
		}
	})
}

func FuzzHeadersDirective(f *testing.F) {
	f.Add("Header", "always", "set", "X", "%{A}e %D \\t")
	f.Add("RequestHeader", "edit*", "X", "(a)", "$1%")
	f.Add("HeAder", "AlwAYs", "set", "\xa7", "0")
	f.Fuzz(func(t *testing.T, name, a, b, c, d string) {
		// encoding/json turns invalid UTF-8 into U+FFFD: a configuration
		// that is not UTF-8 does not survive the snapshot (true of every
		// conf string, not only these).
		for _, s := range []string{a, b, c, d} {
			if !utf8.ValidString(s) {
				return
			}
		}
		var hb HeadersBuilder
		_ = hb.Directive(name, []string{a, b, c, d})
		cfg := hb.Finish()
		if cfg == nil {
			return
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var back HeadersConfig
		if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(&back, cfg) {
			t.Fatalf("round trip %v\n%+v\n%+v", err, back, cfg)
		}
	})
}
