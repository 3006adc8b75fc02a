package conf

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMapWiringErrors: the mapping modules' configuration errors name
// file, line and directive, with Apache's texts.
func TestMapWiringErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
		directive  string
		msg        string
	}{
		{"bad rewrite flag", "Listen 80\nRewriteEngine On\nRewriteRule ^/a /b [XYZ]\n", 3, "RewriteRule", "unknown flag 'XYZ'"},
		{"bad rewrite regex", "Listen 80\nRewriteRule ^/(a /b\n", 2, "RewriteRule", "cannot compile regular expression"},
		{"RewriteMap in Directory", "Listen 80\n<Directory /srv>\nRewriteMap m txt:/x\n</Directory>\n", 3, "RewriteMap", "RewriteMap not allowed here"},
		{"RewriteMap refused", "Listen 80\nRewriteMap m txt:/x\n", 2, "RewriteMap", "RewriteMap"},
		{"Alias in Directory", "Listen 80\n<Directory /srv>\nAlias /a /b\n</Directory>\n", 3, "Alias", "Alias"},
		{"AliasMatch in Location", "Listen 80\n<Location /a>\nAliasMatch ^/a /b\n</Location>\n", 3, "AliasMatch", "AliasMatch not allowed"},
		{"bad AliasMatch regex", "Listen 80\nAliasMatch ^/(a /b\n", 2, "AliasMatch", "Regular expression could not be compiled"},
		{"Redirect to non-URL", "Listen 80\nRedirect /a b\n", 2, "Redirect", "Redirect to non-URL"},
		{"ScriptAlias", "Listen 80\nScriptAlias /cgi-bin/ /srv/cgi/\n", 2, "ScriptAlias", "ScriptAlias"},
		{"bad ErrorDocument status", "Listen 80\nErrorDocument 999 /x.html\n", 2, "ErrorDocument", "Unsupported HTTP response code 999"},
		{"DirectorySlash value", "Listen 80\nDirectorySlash maybe\n", 2, "DirectorySlash", "DirectorySlash must be On or Off"},
		{"IndexOptions", "Listen 80\nIndexOptions Bogus\n", 2, "IndexOptions", "Invalid directory indexing option"},
		{"ServerTokens in vhost", "Listen 80\n<VirtualHost *:80>\nServerTokens OS\n</VirtualHost>\n", 3, "ServerTokens", "cannot occur within <VirtualHost> section"},
		{"ServerSignature value", "Listen 80\nServerSignature Maybe\n", 2, "ServerSignature", "ServerSignature"},
		{"UseCanonicalName DNS", "Listen 80\nUseCanonicalName DNS\n", 2, "UseCanonicalName", "UseCanonicalName DNS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadText(t, tc.text)
			if err == nil {
				t.Fatalf("Load(%q) = nil error, want %q", tc.text, tc.msg)
			}
			if findError(t, err, tc.line, tc.directive, tc.msg) == nil {
				t.Errorf("Load(%q) = %v, want line %d %s: ...%s...", tc.text, err, tc.line, tc.directive, tc.msg)
			}
		})
	}
}

// TestMapWiring: the directives reach the snapshot at their level, survive
// the JSON round trip to the children, and merge along sections.
func TestMapWiring(t *testing.T) {
	cfg, _, err := loadText(t, "Listen 80\nServerTokens OS\nServerSignature On\nAlias /icons/ /usr/share/icons/\n"+
		"Redirect permanent /old http://example.com/new\nRewriteEngine On\nRewriteRule ^/x /y [L]\n"+
		"ErrorDocument 404 /missing.html\nIndexOptions FancyIndexing\n"+
		"<Directory /srv>\nOptions Indexes\nDirectoryIndex start.html\nDirectorySlash Off\nFallbackResource /index.php\n"+
		"ErrorDocument 403 \"no\"\nRewriteEngine On\nRewriteRule ^a b [L]\n</Directory>\n"+
		"<VirtualHost *:80>\nServerName v.test\nAlias /v/ /srv/v/\n</VirtualHost>\n")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got Config
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	m := got.Site.Map
	if m == nil || m.Tokens != "OS" || m.Alias == nil || len(m.Alias.Aliases) != 1 || len(m.Alias.Redirects) != 1 || m.Rewrite == nil || len(m.Rewrite.Rules) != 1 {
		t.Fatalf("Site.Map = %+v", m)
	}
	top := got.Site.Dir.Map
	if top == nil || top.Signature != SignatureOn || top.Errors[404].Kind == ErrorDocDefault || top.Index == nil {
		t.Fatalf("Site.Dir.Map = %+v", top)
	}
	sec := got.Site.Sections.Directories[0].Dir
	merged := MergeDir(got.Site.Dir, sec)
	mm := merged.Map
	if merged.AllowedOptions()&OptIndexes == 0 || mm.Dir == nil || strings.Join(mm.Dir.IndexNames(), ",") != "start.html" ||
		mm.Dir.Slash() || mm.Dir.FallbackResource() != "/index.php" || len(mm.Errors) != 2 || mm.Signature != SignatureOn ||
		mm.Rewrite == nil || len(mm.Rewrite.Rules) != 1 || mm.Rewrite.Dir != "/srv/" {
		t.Errorf("merged <Directory /srv> = %+v", mm)
	}
	v := got.Servers[0].Site.Map
	if v == nil || v.Alias == nil || len(v.Alias.Aliases) != 2 || v.Alias.Aliases[0].Fake != "/v/" || v.Tokens != "OS" ||
		v.Rewrite == nil || len(v.Rewrite.Rules) != 0 {
		t.Errorf("vhost Map = %+v", v)
	}
}

// TestMapHTAccess: the modules' directives in .htaccess need their
// AllowOverride class (FileInfo, Indexes) and keep Apache's refusals.
func TestMapHTAccess(t *testing.T) {
	fileInfo := Override{Mask: OverrideFileInfo, Set: true}
	indexes := Override{Mask: OverrideIndexes, Set: true}
	for _, tc := range []struct {
		name, text string
		o          Override
		err        string
	}{
		{"rewrite", "RewriteEngine On\nRewriteBase /\nRewriteRule ^a$ b [L]\n", fileInfo, ""},
		{"rewrite needs FileInfo", "RewriteEngine On\n", indexes, "RewriteEngine not allowed here"},
		{"redirect", "Redirect 301 /a http://x.test/\n", fileInfo, ""},
		{"alias never", "Alias /a /b\n", Override{Mask: OverrideAll, Set: true}, "Alias not allowed here"},
		{"errordocument", "ErrorDocument 404 /e.html\n", fileInfo, ""},
		{"directoryindex", "DirectoryIndex a.html\nDirectorySlash Off\nFallbackResource /i.php\n", indexes, ""},
		{"directoryindex needs Indexes", "DirectoryIndex a.html\n", fileInfo, "DirectoryIndex not allowed here"},
		{"autoindex", "IndexOptions +FoldersFirst\nIndexIgnore *.bak\nHeaderName HEADER.html\n", indexes, ""},
		{"RewriteMap", "RewriteMap m txt:/x\n", Override{Mask: OverrideAll, Set: true}, "RewriteMap not allowed here"},
	} {
		d, err := ParseHTAccess("/srv/www/.htaccess", []byte(tc.text), tc.o, "/")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case tc.err == "" && (d == nil || d.Map == nil):
			t.Errorf("%s: no Map", tc.name)
		case tc.name == "rewrite" && d.Map.Rewrite.Dir != "/srv/www/":
			t.Errorf("rewrite Dir = %q", d.Map.Rewrite.Dir)
		}
	}
}
