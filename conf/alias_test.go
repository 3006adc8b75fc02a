package conf

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp/syntax"
	"strings"
	"testing"
)

// Errors observed with `apache2 -t` (Apache 2.4.71) on a file holding the
// directive (site/alias/testdata/apache/tbase.conf includes it); the
// section column says where the line was written.
func TestAliasBuilderErrors(t *testing.T) {
	tests := []struct {
		ctx  AliasContext
		path string
		line string
		err  string // "" accepted
	}{
		{AliasInServer, "", "Redirect", "Redirect takes one, two or three arguments, an optional status, then document to be redirected and destination URL"},
		{AliasInServer, "", "Redirect /a", "URL to redirect to is missing"},
		{AliasInServer, "", "Redirect 301 /a", "URL to redirect to is missing"},
		{AliasInServer, "", "Redirect foo /a http://x", "Redirect: invalid first argument (of three)"},
		{AliasInServer, "", "Redirect /a b", "Redirect to non-URL"},
		{AliasInServer, "", "Redirect /a /b", ""},
		{AliasInServer, "", "Redirect gone /a http://x", "Redirect URL not valid for this status"},
		{AliasInServer, "", "Redirect 404 /a", ""},
		{AliasInServer, "", "Redirect 301 /a http://x extra", "Redirect takes one, two or three arguments, an optional status, then document to be redirected and destination URL"},
		{AliasInServer, "", "RedirectMatch ([ /a http://x", "Redirect: invalid first argument (of three)"},
		{AliasInServer, "", "RedirectMatch ^/a b", ""},
		{AliasInServer, "", "RedirectMatch gone ^/a", ""},
		{AliasInServer, "", "RedirectMatch ([ http://x", "Regular expression could not be compiled."},
		{AliasInServer, "", "RedirectPermanent /a", "RedirectPermanent takes two arguments, a document to be redirected, then the destination URL"},
		{AliasInServer, "", "RedirectPermanent /a b", "Redirect to non-URL"},
		{AliasInServer, "", "RedirectTemp /a http://x y", "RedirectTemp takes two arguments, a document to be redirected, then the destination URL"},
		{AliasInServer, "", "Alias /a", "Alias must have two arguments when used globally"},
		{AliasInServer, "", "Alias /a /b /c", "Alias takes 1-2 arguments, a fakename and a realname, or a realname in a Location"},
		{AliasInServer, "", "AliasMatch ^/a", "AliasMatch takes two arguments, a regular expression and a filename"},
		{AliasInServer, "", "AliasMatch ([ /x", "Regular expression could not be compiled."},
		{AliasInDirectory, "/tmp", "Alias /a /b", "Alias cannot occur within directory context"},
		{AliasInLocation, "/x", "Alias /a /b", "Alias cannot occur within directory context"},
		{AliasInDirectory, "/tmp", "Alias /b", "Alias cannot occur within <Directory> section"},
		{AliasInLocation, "/x", "Alias /b", ""},
		{AliasInLocation, "/x", "AliasMatch ^/a /b", "AliasMatch not allowed in <Location> context"},
		{AliasInLocation, "/x", "Redirect /a", ""},
		{AliasInLocation, "/x", "Redirect 404", ""},
		{AliasInLocation, "/x", "Redirect foo", ""},
		{AliasInLocation, "/x", "Redirect permanent", "URL to redirect to is missing"},
		{AliasInHTAccess, "/d", "Alias /a /b", "Alias not allowed here"},
		{AliasInDirectory, "/tmp", "AliasMatch ^/a /b", "AliasMatch not allowed in <Directory> context"},
		{AliasInFiles, "x", "AliasMatch ^/a /b", "AliasMatch not allowed in <Files> context"},
		{AliasInDirectoryMatch, "^/tmp", "AliasMatch ^/a /b", "AliasMatch not allowed in <DirectoryMatch> context"},
		{AliasInLocationMatch, "^/x", "AliasMatch ^/a /b", "AliasMatch not allowed in <LocationMatch> context"},
		{AliasInFiles, "x", "Alias /b", "Alias cannot occur within <Files> section"},
		{AliasInDirectoryMatch, "^/tmp", "Alias /b", "Alias cannot occur within <DirectoryMatch> section"},
		{AliasInLocationMatch, "^/x", "Alias /b", ""},
		{AliasInHTAccess, "/d", "Redirect /a http://x", ""},
		// gohttpd's refusals.
		{AliasInServer, "", "ScriptAlias /cgi-bin/ /tmp/", "ScriptAlias is not supported by gohttpd (CGI is not implemented): ignoring it would change what clients get"},
		{AliasInServer, "", "Redirect gone", "Redirect gone needs a URL-path outside <Location> and <Directory> (Apache 2.4.71 crashes on it)"},
		{AliasInServer, "", "Redirect 200 /a", "Redirect status 200 is not supported by gohttpd: use a 3xx, 4xx or 5xx status"},
		{AliasInServer, "", "RedirectMatch ^/(?!x) /y", "Regular expression could not be compiled."},
		{AliasInLocation, "/x", "Redirect http://x/%{REQUEST_URI}", "%{...} variables in redirect expressions are not supported by gohttpd: ignoring them would change what clients get"},
		{AliasInLocation, "/x", `Redirect http://x/\8`, `Cannot parse redirect expression 'http://x/\8': Bad escape sequence`},
	}
	for _, tt := range tests {
		f := strings.Fields(tt.line)
		b := AliasBuilder{ServerRoot: "/srv"}
		err := b.Directive(&AliasDir{}, tt.ctx, tt.path, f[0], f[1:])
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("%v %q: error %q, want %q", tt.ctx, tt.line, got, tt.err)
		}
	}
}

func TestRegexErrorUnwraps(t *testing.T) {
	var b AliasBuilder
	err := b.Directive(nil, AliasInServer, "", "AliasMatch", []string{"([", "/x"})
	var se *syntax.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v does not wrap the RE2 error", err)
	}
}

func TestAliasBuilderEntries(t *testing.T) {
	b := AliasBuilder{ServerRoot: "/srv"}
	top := &AliasDir{}
	loc := &AliasDir{}
	dir := &AliasDir{}
	must := func(d *AliasDir, ctx AliasContext, path, line string) {
		t.Helper()
		f := strings.Fields(line)
		if err := b.Directive(d, ctx, path, f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	must(top, AliasInServer, "", "Alias /icons/ /usr/share/apache2/icons/")
	must(top, AliasInServer, "", "Alias /rel htdocs/rel/")
	must(top, AliasInServer, "", "AliasMatch ^/img/(.*)$ img/$1")
	must(top, AliasInServer, "", "Redirect permanent /perm http://example.com/new")
	must(top, AliasInServer, "", "Redirect seeother /see http://example.com/see")
	must(top, AliasInServer, "", "Redirect gone /gone")
	must(top, AliasInServer, "", "Redirect 303 /s303 /local")
	must(top, AliasInServer, "", "RedirectTemp /t http://t/")
	must(top, AliasInServer, "", "RedirectPermanent /p http://p/")
	must(top, AliasInServer, "", "RedirectMatch 301 ^/rm/(.*)$ http://example.com/$1")
	must(top, AliasInServer, "", "RedirectRelative On")
	must(loc, AliasInLocation, "/loc", "Redirect permanent http://example.com/loc")
	must(loc, AliasInLocation, "/loc", "Alias /srv/x.txt")
	must(loc, AliasInLocation, "/loc", "Redirect /a http://example.com/a")
	must(dir, AliasInDirectory, "/var/www/d", "Redirect gone")
	srv := b.Server()
	wantAliases := []AliasEntry{
		{Fake: "/icons/", Real: "/usr/share/apache2/icons/"},
		{Fake: "/rel", Real: "/srv/htdocs/rel/"},
		{Fake: "^/img/(.*)$", Real: "img/$1", Regex: true, Root: "/srv"},
	}
	wantRedirects := []AliasEntry{
		{Fake: "/perm", Real: "http://example.com/new", Status: 301},
		{Fake: "/see", Real: "http://example.com/see", Status: 303},
		{Fake: "/gone", Status: 410},
		{Fake: "/s303", Real: "/local", Status: 303},
		{Fake: "/t", Real: "http://t/", Status: 302},
		{Fake: "/p", Real: "http://p/", Status: 301},
		{Fake: "^/rm/(.*)$", Real: "http://example.com/$1", Regex: true, Status: 301},
	}
	if !reflect.DeepEqual(plainEntries(srv.Aliases), wantAliases) {
		t.Errorf("aliases %+v, want %+v", srv.Aliases, wantAliases)
	}
	if !reflect.DeepEqual(plainEntries(srv.Redirects), wantRedirects) {
		t.Errorf("redirects %+v, want %+v", srv.Redirects, wantRedirects)
	}
	if srv.Aliases[2].Regexp() == nil || srv.Redirects[6].Regexp() == nil {
		t.Error("regex entries not compiled")
	}
	if !top.RedirectRelative || !top.RedirectRelativeSet {
		t.Error("RedirectRelative On not recorded")
	}
	wantLoc := AliasDir{
		Redirects: []AliasEntry{{Fake: "/a", Real: "http://example.com/a", Status: 302}},
		Alias:     "/srv/x.txt", AliasFake: "/loc", AliasSet: true,
		Redirect: "http://example.com/loc", RedirectStatus: 301, RedirectSet: true,
	}
	if !reflect.DeepEqual(*loc, wantLoc) {
		t.Errorf("location %+v, want %+v", *loc, wantLoc)
	}
	if !dir.RedirectSet || dir.RedirectStatus != 410 || dir.Redirect != "" {
		t.Errorf("Redirect gone in <Directory>: %+v", *dir)
	}
}

func plainDir(d *AliasDir) AliasDir {
	c := *d
	c.Redirects = plainEntries(c.Redirects)
	return c
}

func plainEntries(es []AliasEntry) []AliasEntry {
	out := make([]AliasEntry, len(es))
	for i, e := range es {
		e.re, e.prefix = nil, ""
		out[i] = e
	}
	return out
}

// The AH00671 warning: observed for "Alias /a /b" then "Alias /a/b /c".
func TestAliasOverlapWarning(t *testing.T) {
	var b AliasBuilder
	for _, l := range [][]string{{"/a", "/b"}, {"/a/b", "/c"}, {"/x", "/y"}} {
		if err := b.Directive(nil, AliasInServer, "", "Alias", l); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"AH00671: The Alias directive will probably never match because it overlaps an earlier Alias."}
	if !reflect.DeepEqual(b.Warnings, want) {
		t.Errorf("warnings %q, want %q", b.Warnings, want)
	}
}

func TestAliasPrefixLen(t *testing.T) {
	tests := []struct {
		uri, fake string
		want      int
	}{
		{"/icons/a.png", "/icons/", 7},
		{"/icons", "/icons/", 0},
		{"/icons", "/icons", 6},
		{"/iconsx", "/icons", 0},
		{"/icons/x", "/icons", 6},
		{"//icons//x", "/icons/", 9},
		{"/a/b", "//a", 2},
		{"/", "/", 1},
		{"/x", "/", 1},
		{"", "/", 0},
		{"/ab", "/a/", 0},
	}
	for _, tt := range tests {
		if got := AliasPrefixLen(tt.uri, tt.fake); got != tt.want {
			t.Errorf("AliasPrefixLen(%q, %q) = %d, want %d", tt.uri, tt.fake, got, tt.want)
		}
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{
		"http://x": true, "mailto:a": true, "a+b-c.d:": true, ":x": false, "/x": false,
		"x": false, "ht tp://x": false, "": false, "errors/404.html": false,
	} {
		if got := IsURL(s); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestExprLiteral(t *testing.T) {
	tests := []struct{ in, out, err string }{
		{`plain text`, `plain text`, ""},
		{`a"b\c\nd %x`, "a\"bc\nd %x", ""}, // observed: ErrorDocument 404 "a\"b\\c\nd %x"
		{`\101\x`, "Ax", ""},
		{`\400`, "", "Cannot parse expression in ErrorDocument: Escape sequence out of bound"},
		{`100% sure $ x`, `100% sure $ x`, ""},
		{`\t\r\b\f`, "\t\r\b\f", ""},
		{`trailing\`, `trailing\`, ""},
	}
	for _, tt := range tests {
		got, err := exprLiteral("errordocument", tt.in)
		e := ""
		if err != nil {
			e = err.Error()
		}
		if got != tt.out || e != tt.err {
			t.Errorf("exprLiteral(%q) = %q, %q; want %q, %q", tt.in, got, e, tt.out, tt.err)
		}
	}
}

func TestMergeAlias(t *testing.T) {
	a := func(f string) AliasEntry { return AliasEntry{Fake: f, Real: "/r" + f} }
	main := &AliasServer{Aliases: []AliasEntry{a("/m")}, Redirects: []AliasEntry{a("/mr")}}
	vh := &AliasServer{Aliases: []AliasEntry{a("/v")}, Redirects: []AliasEntry{a("/vr")}}
	got := MergeAliasServer(main, vh)
	if got.Aliases[0].Fake != "/v" || got.Aliases[1].Fake != "/m" || got.Redirects[0].Fake != "/vr" || got.Redirects[1].Fake != "/mr" {
		t.Errorf("MergeAliasServer: %+v", got)
	}
	if MergeAliasServer(nil, vh) != vh || MergeAliasServer(main, nil) != main {
		t.Error("MergeAliasServer with nil")
	}
	base := &AliasDir{Redirects: []AliasEntry{a("/b")}, Redirect: "http://b", RedirectStatus: 302, RedirectSet: true,
		RedirectRelative: true, RedirectRelativeSet: true}
	child := &AliasDir{Redirects: []AliasEntry{a("/c")}, Alias: "/x", AliasFake: "/l", AliasSet: true}
	d := MergeAliasDir(base, child)
	if d.Redirects[0].Fake != "/c" || d.Redirects[1].Fake != "/b" || d.Redirect != "http://b" || !d.AliasSet || !d.RedirectRelative {
		t.Errorf("MergeAliasDir: %+v", d)
	}
	child2 := &AliasDir{RedirectSet: true, RedirectStatus: 410, RedirectRelativeSet: true}
	d = MergeAliasDir(base, child2)
	if d.Redirect != "" || d.RedirectStatus != 410 || d.RedirectRelative {
		t.Errorf("MergeAliasDir child overrides: %+v", d)
	}
}

func TestAliasJSONRoundTrip(t *testing.T) {
	b := AliasBuilder{ServerRoot: "/srv"}
	loc := &AliasDir{}
	for _, l := range []string{"AliasMatch ^/i/(.*)$ /x/$1", "Alias /a /b", "RedirectMatch 301 ^/r(.*) http://e/$1", "Redirect /q http://q/"} {
		f := strings.Fields(l)
		if err := b.Directive(nil, AliasInServer, "", f[0], f[1:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Directive(loc, AliasInLocation, "/l", "Redirect", []string{"gone"}); err != nil {
		t.Fatal(err)
	}
	type both struct {
		Srv *AliasServer
		Loc *AliasDir
		Dir *ModDirConfig
		Doc ErrorDocs
	}
	in := both{b.Server(), loc, &ModDirConfig{Index: []string{}, IndexSet: true, NoSlash: true, SlashSet: true, Fallback: "/index.php"},
		ErrorDocs{404: {Kind: ErrorDocLocal, Value: "/e.html"}, 500: {Kind: ErrorDocDefault}}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out both
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	for i, e := range out.Srv.Aliases {
		if e.Regex != (e.Regexp() != nil) {
			t.Errorf("alias %d: compiled %v", i, e.Regexp() != nil)
		}
	}
	if !out.Srv.Redirects[0].Regexp().MatchString("/rx") {
		t.Error("decoded RedirectMatch does not match")
	}
	if !reflect.DeepEqual(plainEntries(out.Srv.Aliases), plainEntries(in.Srv.Aliases)) ||
		!reflect.DeepEqual(plainEntries(out.Srv.Redirects), plainEntries(in.Srv.Redirects)) ||
		!reflect.DeepEqual(out.Loc, in.Loc) || !reflect.DeepEqual(out.Dir, in.Dir) || !reflect.DeepEqual(out.Doc, in.Doc) {
		t.Errorf("round trip:\n got %s", raw)
	}
	if err := json.Unmarshal([]byte(`{"fake":"([","regex":true}`), new(AliasEntry)); err == nil {
		t.Error("a bad pattern decoded without error")
	}
}

func FuzzAliasDirective(f *testing.F) {
	for _, s := range []string{"Redirect permanent /a http://x", "RedirectMatch ^/(.*) /b/$1", "Alias /a /b",
		"AliasMatch ^/x(.*) y$1", "Redirect gone", "Redirect http://x/\\101", "RedirectRelative On"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, line string, ctx uint8) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			return
		}
		b := AliasBuilder{ServerRoot: "/srv"}
		d := &AliasDir{}
		c := AliasContext(ctx % 8)
		if err := b.Directive(d, c, "/p", fields[0], fields[1:]); err != nil {
			return
		}
		srv := b.Server()
		for _, e := range append(srv.Aliases, srv.Redirects...) {
			if e.Regex && e.Regexp() == nil {
				t.Fatalf("%q: uncompiled regex", line)
			}
			if e.Status >= 300 && e.Status < 400 && e.Real == "" {
				t.Fatalf("%q: redirect without URL", line)
			}
		}
		raw, err := json.Marshal(srv)
		if err != nil {
			t.Fatal(err)
		}
		var back AliasServer
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if !reflect.DeepEqual(plainEntries(back.Aliases), plainEntries(srv.Aliases)) ||
			!reflect.DeepEqual(plainEntries(back.Redirects), plainEntries(srv.Redirects)) {
			t.Fatalf("%q: round trip %s", line, raw)
		}
		rawDir, _ := json.Marshal(d)
		var backDir AliasDir
		if err := json.Unmarshal(rawDir, &backDir); err != nil || !reflect.DeepEqual(plainDir(&backDir), plainDir(d)) {
			t.Fatalf("%q: dir round trip %s: %v", line, rawDir, err)
		}
	})
}

func TestAnchoredPrefix(t *testing.T) {
	for p, want := range map[string]string{
		`^/img/(.*)\.png$`: "/img/",
		`^/a`:              "/a",
		`/img/`:            "",
		`^(?i)/img`:        "",
		`^/x|^/y`:          "",
		`^/ab*c`:           "/a",
		`^\.x`:             ".x",
		`^`:                "",
	} {
		if got := anchoredPrefix(p); got != want {
			t.Errorf("anchoredPrefix(%q) = %q, want %q", p, got, want)
		}
	}
}
