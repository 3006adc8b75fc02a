package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// loadSectionsText loads text after "Listen 80" and returns the config.
func loadSectionsText(t *testing.T, text string) *Config {
	t.Helper()
	cfg, _, err := loadText(t, "Listen 80\n"+text)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// TestSectionOrder: non-regex <Directory> sorted by components (ties in
// file order), regex directories and locations in file order, top-level
// <Files> in the server's settings, nested <Files> with their directory.
func TestSectionOrder(t *testing.T) {
	cfg := loadSectionsText(t, `
<Directory /a/b/c>
</Directory>
<DirectoryMatch "^/x">
</DirectoryMatch>
<Directory />
</Directory>
<Directory ~ "^/y">
</Directory>
<Directory /a>
  <Files f>
  </Files>
</Directory>
<Location /l1>
</Location>
<Files top>
</Files>
<Directory /z>
</Directory>
<LocationMatch ^/l2>
</LocationMatch>
<Directory /a/*/c>
</Directory>
`)
	var got []string
	for _, s := range cfg.Site.Sections.Directories {
		got = append(got, s.Match)
	}
	want := []string{"/", "/a/", "/z/", "/a/b/c/", "/a/*/c/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Directories = %q, want %q", got, want)
	}
	if d := cfg.Site.Sections.DirRegex; len(d) != 2 || d[0].Match != "^/x" || d[1].Match != "^/y" {
		t.Errorf("DirRegex = %+v", d)
	}
	if l := cfg.Site.Sections.Locations; len(l) != 2 || l[0].Match != "/l1" || !l[1].Regex {
		t.Errorf("Locations = %+v", l)
	}
	if f := cfg.Site.Dir.Files; len(f) != 1 || f[0].Match != "top" {
		t.Errorf("server Files = %+v", f)
	}
	if f := cfg.Site.Sections.Directories[1].Files; len(f) != 1 || f[0].Match != "f" {
		t.Errorf("nested Files = %+v", f)
	}
	if c := cfg.Site.Sections.Directories[0].Components; c != 0 {
		t.Errorf("<Directory /> components = %d, want 0", c)
	}
}

// TestSectionErrors: bad section arguments and nesting are errors naming
// file, line and section, with Apache's messages (checked with apache2
// -t 2.4.71).
func TestSectionErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"<DirectoryMatch (>\n</DirectoryMatch>\n", "Regex could not be compiled"},
		{"<Location ~ (>\n</Location>\n", "Regex could not be compiled"},
		{"<FilesMatch \"[\">\n</FilesMatch>\n", "Regex could not be compiled"},
		{"<Directory>\n</Directory>\n", "<Directory> directive requires additional arguments"},
		{"<Files x y>\n</Files>\n", "Multiple <Files> arguments not (yet) supported."},
		{"<Files x>\n<Directory /x>\n</Directory>\n</Files>\n", "<Directory not allowed in <Files> context"},
		{"<Location /x>\n<Directory /x>\n</Directory>\n</Location>\n", "<Directory not allowed in <Location> context"},
		{"<Directory /x>\n<Location /x>\n</Location>\n</Directory>\n", "<Location not allowed in <Directory> context"},
		{"<Location /x>\n<Files x>\n</Files>\n</Location>\n", "<Files> cannot occur within <Location> section"},
		{"<Directory /x>\n<Limit GET>\n<Files x>\n</Files>\n</Limit>\n</Directory>\n", "<Files> cannot occur within <Limit> or <LimitExcept> section"},
		{"<Limit GET>\n</Limit>\n", "<Limit not allowed here"},
		{"<Directory /x>\n<Limit GET>\n<Limit POST>\n</Limit>\n</Limit>\n</Directory>\n", "<Limit> directive excludes all methods"},
		{"AllowOverride None\n", "AllowOverride not allowed here"},
		{"Require all denied\n", "Require not allowed here"},
		{"Order allow,deny\n", "order not allowed here"},
		{"Satisfy any\n", "Satisfy not allowed here"},
		{"<RequireAll>\nRequire all granted\n</RequireAll>\n", "<RequireAll not allowed here"},
		{"<Location />\n<RequireAll>\n</RequireAll>\n</Location>\n", "<RequireAll> directive contains no authorization directives"},
		{"<Directory /x>\nAllowOverride Options=Indexes,Bogus\n</Directory>\n", "Illegal option Bogus"},
		{"<Directory /x>\nAllowOverride Nonfatal\n</Directory>\n", "=Override, =Unknown or =All expected after Nonfatal"},
		{"<Directory /x>\nAllowOverride Bogus\n</Directory>\n", "Illegal override option Bogus"},
		{"Options +FollowSymLinks -SymLinksIfOwnerMatch None\n", "Either all Options must start with + or -, or no Option may."},
		{"Options +Indexes FollowSymLinks\n", "Either all Options must start with + or -, or no Option may."},
		{"Options FollowSymLinks +SymLinksIfOwnerMatch\n", "Either all Options must start with + or -, or no Option may."},
		{"Options FollowSymLinks None\n", "'Options None' must be the first Option given."},
		{"Options -None\n", "You may not use 'Options +None' or 'Options -None'."},
		{"Options Bogus\n", "Illegal option Bogus"},
		{"<Location /x>\nRequire bogus\n</Location>\n", "Unknown Authz provider: bogus"},
		{"<Location /x>\nAuthType Digest\n</Location>\n", "AuthType Digest is not supported"},
	} {
		_, _, err := loadText(t, "Listen 80\n"+tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) = %v, want an error containing %q", tc.text, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), "httpd.conf:") {
			t.Errorf("Load(%q) = %v: no file:line", tc.text, err)
		}
	}
}

// TestOptionsMerge: core's set_options and merge_core_dir_configs.
func TestOptionsMerge(t *testing.T) {
	opts := func(lines ...string) *DirConfig {
		b := newDirBuilder("/")
		for _, l := range lines {
			if err := b.directive("options", strings.Fields(l)); err != nil {
				t.Fatalf("Options %s: %v", l, err)
			}
		}
		d, _ := b.finish()
		return d
	}
	for _, tc := range []struct {
		name  string
		chain [][]string // Options lines of each section, outermost first
		want  OptionBits
	}{
		{"server default", nil, OptSymLinks},
		{"absolute replaces", [][]string{{"SymLinksIfOwnerMatch"}}, OptSymOwner},
		{"None", [][]string{{"None"}}, 0},
		{"minus on default", [][]string{{"-FollowSymLinks"}}, 0},
		{"plus keeps", [][]string{{"+SymLinksIfOwnerMatch"}}, OptSymLinks | OptSymOwner},
		{"plus then absolute", [][]string{{"+Indexes"}, {"FollowSymLinks"}}, OptSymLinks},
		{"absolute then minus", [][]string{{"Indexes FollowSymLinks"}, {"-Indexes"}}, OptSymLinks},
		{"minus then plus", [][]string{{"-FollowSymLinks"}, {"+FollowSymLinks"}}, OptSymLinks},
		{"two lines in one section", [][]string{{"Indexes", "+FollowSymLinks -Indexes"}}, OptSymLinks},
		{"All", [][]string{{"All"}}, OptAll},
		{"All minus", [][]string{{"All"}, {"-ExecCGI -Includes"}}, OptIndexes | OptSymLinks},
		{"IncludesNOEXEC after Includes", [][]string{{"Includes"}, {"+IncludesNOEXEC"}}, OptIncludes},
		{"Includes then IncludesNOEXEC absolute-less", [][]string{{"Includes"}, {"-Indexes"}}, OptIncludes | OptIncWithExec},
	} {
		cfg := ServerDirDefaults()
		for _, lines := range tc.chain {
			cfg = MergeDir(cfg, opts(lines...))
		}
		if got := cfg.AllowedOptions(); got != tc.want {
			t.Errorf("%s: options = %s, want %s", tc.name, optionNames(got), optionNames(tc.want))
		}
	}
}

// TestMergeDir: AllowOverride, SetHandler and Files follow core's merge;
// access control MergeAuth's.
func TestMergeDir(t *testing.T) {
	cfg := loadSectionsText(t, `
<Directory />
  AllowOverride None
  Require all denied
  <Files a>
  </Files>
</Directory>
<Directory /srv>
  AllowOverride AuthConfig Options=FollowSymLinks
  Require all granted
  <Files b>
  </Files>
</Directory>
<Directory /srv/x>
  AuthMerging And
  Require ip 10.1
</Directory>
<Location /s>
  SetHandler server-status
</Location>
<Location /s/none>
  SetHandler None
</Location>
`)
	d := cfg.Site.Sections.Directories
	m := cfg.Site.Dir
	for _, s := range d {
		m = MergeDir(m, s.Dir)
		m = MergeDir(m, &DirConfig{Files: s.Files})
	}
	if m.OverrideMask() != OverrideAuthCfg|OverrideOptions || m.Override.Opts != OptSymLinks {
		t.Errorf("override = %#x opts %#x", m.Override.Mask, m.Override.Opts)
	}
	if len(m.Files) != 2 || m.Files[0].Match != "a" || m.Files[1].Match != "b" {
		t.Errorf("Files = %+v", m.Files)
	}
	if got := requireString(m.Auth.Require); got != "AuthMerging All[<RequireAny>[Require all granted]; <RequireAny>[Require ip 10.1]]" {
		t.Errorf("Require = %s", got)
	}
	l := cfg.Site.Sections.Locations
	h := MergeDir(MergeDir(m, l[0].Dir), l[1].Dir)
	if !h.HandlerSet || h.Handler != "" {
		t.Errorf("SetHandler None after server-status = %q %v", h.Handler, h.HandlerSet)
	}
	if h := MergeDir(m, l[0].Dir); h.Handler != "server-status" {
		t.Errorf("SetHandler = %q", h.Handler)
	}
}

// TestSectionsJSONRoundTrip: sections, access control trees (ip
// patterns, <Limit> masks, access_compat) survive the snapshot's JSON.
func TestSectionsJSONRoundTrip(t *testing.T) {
	cfg := loadSectionsText(t, `
AccessFileName .acl .htaccess
Options -FollowSymLinks +SymLinksIfOwnerMatch
<Directory />
  AllowOverride AuthConfig Limit Options=FollowSymLinks Nonfatal=Unknown
  AllowOverrideList Redirect
  Require all denied
</Directory>
<Directory /srv/none>
  AllowOverrideList None
</Directory>
<Directory /srv>
  <RequireAll>
    Require ip 10.1 192.168.0.0/255.255.0.0 10.0.0.0/255.0.255.0 ::1 fe80::/10
    Require not host bad.example
    <RequireNone>
      Require env BAD
    </RequireNone>
  </RequireAll>
  <Limit POST PUT>
    Require valid-user
  </Limit>
  AuthType Basic
  AuthName "A \"quoted\" realm"
  AuthUserFile users
  AuthGroupFile groups
  AuthBasicProvider file
  AuthzSendForbiddenOnFailure On
  <Files "*.x">
    Order allow,deny
    Allow from 10.0.0.0/8 env=OK
    Deny from 10.1.2.3
    Satisfy any
  </Files>
</Directory>
<FilesMatch "(?<name>^\.ht)">
  Require all denied
</FilesMatch>
<LocationMatch "^/(?!public)">
  Require method GET
</LocationMatch>
`)
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, cfg) {
		t.Errorf("JSON round trip changed the configuration:\n%s\nwant\n%s", back.Dump(), cfg.Dump())
	}
	a := back.Site.Sections.Directories[1].Dir.Auth
	if d := back.Site.Sections.Directories[2].Dir; !d.Override.ListSet || len(d.Override.List) != 0 {
		t.Errorf("AllowOverrideList None after the round trip = %+v", d.Override)
	}
	if a == nil || a.Require == nil || len(a.Require.Children) != 2 || a.Require.Children[1].Limited == AllMethods {
		t.Errorf("Require tree after the round trip = %+v", a)
	}
}

// TestParseHTAccess: override classes, Apache's messages, <Files> in
// .htaccess, and directives gohttpd refuses.
func TestParseHTAccess(t *testing.T) {
	all := Override{Mask: OverrideAll, Set: true}
	for _, tc := range []struct {
		name, text string
		o          Override
		err        string
	}{
		{"auth allowed", "AuthType Basic\nAuthName x\nAuthUserFile /u\nRequire valid-user\n", Override{Mask: OverrideAuthCfg, Set: true}, ""},
		{"auth not allowed", "Require all denied\n", Override{Mask: OverrideLimit, Set: true}, "Require not allowed here"},
		{"auth in Files not allowed", "<Files x>\nRequire all denied\n</Files>\n", Override{Mask: OverrideLimit, Set: true}, "Require not allowed in <Files> context"},
		{"limit allowed", "Order deny,allow\nDeny from all\n", Override{Mask: OverrideLimit, Set: true}, ""},
		{"limit not allowed", "Deny from all\n", Override{Mask: OverrideAuthCfg, Set: true}, "Deny not allowed here"},
		{"options allowed", "Options -FollowSymLinks\n", Override{Mask: OverrideOptions, Set: true, Opts: OptAll, OptsSet: true}, ""},
		{"option not in Options=", "Options +SymLinksIfOwnerMatch\n", Override{Mask: OverrideOptions, Set: true, Opts: OptSymLinks, OptsSet: true}, "Option SymLinksIfOwnerMatch not allowed here"},
		{"options refused", "Options +ExecCGI\n", all, "gohttpd does not implement 'Options +ExecCGI'"},
		{"AllowOverride", "AllowOverride All\n", all, "AllowOverride cannot occur within htaccess files"},
		{"unknown", "Bogus x\n", all, "Invalid command 'Bogus'"},
		{"refused FileInfo", "Action foo /bar\n", all, "gohttpd does not implement 'Action foo /bar'"},
		{"FileInfo not allowed", "RewriteEngine On\n", Override{Mask: OverrideAuthCfg, Set: true}, "RewriteEngine not allowed here"},
		{"AllowOverrideList", "Require all denied\n", Override{Set: true, List: []string{"Require"}, ListSet: true}, ""},
		{"Directory", "<Directory /x>\n</Directory>\n", all, "<Directory not allowed here"},
		{"Include", "Include /etc/passwd\n", all, "Include not allowed here"},
		{"not closed", "<Files x>\n", all, "<Files> was not closed."},
		{"Limit", "<Limit POST>\nRequire all denied\n</Limit>\n", Override{Mask: OverrideAuthCfg, Set: true}, ""},
		{"Nonfatal=Override", "Deny from all\nRequire all denied\n", Override{Mask: OverrideAuthCfg | NonfatalOverride, Set: true}, ""},
		{"Nonfatal=Unknown", "Bogus\n", Override{Mask: OverrideAuthCfg | NonfatalUnknown, Set: true}, ""},
		{"Nonfatal=Override keeps unknown fatal", "Bogus\n", Override{Mask: OverrideAuthCfg | NonfatalOverride, Set: true}, "Invalid command 'Bogus'"},
	} {
		d, err := ParseHTAccess("/srv/.htaccess", []byte(tc.text), tc.o, "/root")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: ParseHTAccess = %v, want no error", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: ParseHTAccess = %v, want %q", tc.name, err, tc.err)
		case err == nil && d == nil:
			t.Errorf("%s: nil config", tc.name)
		}
	}
	d, err := ParseHTAccess("/srv/.htaccess", []byte("Deny from all\nRequire all denied\n"), Override{Mask: OverrideAuthCfg | NonfatalOverride, Set: true}, "/root")
	if err != nil || d.Auth == nil || d.Auth.Compat != nil || len(d.Warnings) != 1 || d.Warnings[0] != "AH02295: Deny in .htaccess forbidden by AllowOverride" {
		t.Errorf("Nonfatal=Override: %+v, %v", d, err)
	}
	d, err = ParseHTAccess("/srv/.htaccess", []byte("<FilesMatch \\.txt$>\nRequire all denied\n</FilesMatch>\nAuthUserFile rel\n"), all, "/root")
	if err != nil || len(d.Files) != 1 || d.Auth.UserFile != "/root/rel" {
		t.Errorf("ParseHTAccess = %+v, %v", d, err)
	}
}

// TestForVirtualHost: a virtual host's tree keeps the main server's
// sections first, directories sorted by components across both.
func TestForVirtualHost(t *testing.T) {
	sec := func(match string, comps int) *Section {
		return &Section{Kind: SectionDirectory, Match: match, Components: comps}
	}
	main := SectionTree{Directories: []*Section{sec("/", 0), sec("/srv/", 2)},
		Locations: []*Section{{Kind: SectionLocation, Match: "/m"}}}
	vh := SectionTree{Directories: []*Section{sec("/srv/", 2), sec("/a/", 1)},
		Locations: []*Section{{Kind: SectionLocation, Match: "/v"}}}
	got := main.ForVirtualHost(vh)
	var dirs []string
	for _, d := range got.Directories {
		dirs = append(dirs, d.Match)
	}
	if want := []string{"/", "/a/", "/srv/", "/srv/"}; !reflect.DeepEqual(dirs, want) {
		t.Errorf("Directories = %q, want %q", dirs, want)
	}
	if got.Directories[2] != main.Directories[1] {
		t.Error("the main server's /srv/ does not come first")
	}
	if got.Locations[0].Match != "/m" || got.Locations[1].Match != "/v" {
		t.Errorf("Locations = %+v", got.Locations)
	}
	if len(main.Directories) != 2 {
		t.Error("the main tree changed")
	}
}

// TestSectionRegexPCRE: PCRE syntax found in configurations matches as
// PCRE (grep -P) does: named groups in every spelling, lookarounds,
// backreferences, inline flags, POSIX classes, "$" before a final newline.
func TestSectionRegexPCRE(t *testing.T) {
	for _, tc := range []struct {
		expr, s string
		want    bool
	}{
		{`(?<n>a)(?P<m>b)(?=c)`, "abc", true},
		{`(?P<x>a+)-(?P=x)$`, "aa-aa", true},
		{`^(?P<x>a+)-(?P=x)$`, "aa-a", false},
		{`(?'q'a+)/\1$`, "aa/aa", true},
		{`(?i)\.PHP$`, "x.php", true},
		{`\.php$`, "x.PHP", false},
		{`(?<!x)y`, "ay", true},
		{`(?<!x)y`, "xy", false},
		{`^/(?!public)`, "/public/x", false},
		{`[[:alpha:]]+$`, "abc", true},
		{`^[[:alpha:]]+$`, "ab1", false},
		{`^[^[:space:]]+$`, "a b", false},
		{`^[[:digit:]_-]+$`, "1_2-3", true},
		{`^[]a]+$`, "]a]", true},
		{`[[:punct:]]`, "a`b", true},
		{`\.txt$`, "x.txt\n", true}, // PCRE's $ before a final newline
		{`^a.b$`, "a\nb", false},
		{`[:alpha:]`, "h", true}, // outside brackets: a plain set, as PCRE
		{`^\d+$`, "12", true},
		{`^\d+$`, "١٢", false}, // Arabic-Indic digits: not \d in PCRE
		{`^\w+\.txt$`, "é.txt", false},
		{`^[\w.-]+$`, "a.b-c_d", true},
		{`^\S+$`, "a b", false},
		{`\\d`, `\d`, true}, // an escaped backslash before d
	} {
		re, err := CompileSectionRegex(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got, _ := re.MatchString(tc.s); got != tc.want {
			t.Errorf("%s on %q = %v, want %v", tc.expr, tc.s, got, tc.want)
		}
	}
	for _, bad := range []string{`(?P>x)`, `[[:bogus:]]`, `[[:^alpha:]]`, `a++`, `\K`, `[\D]`} {
		if _, err := CompileSectionRegex(bad); err == nil {
			t.Errorf("%s compiled; want an error rather than another meaning", bad)
		}
	}
}
