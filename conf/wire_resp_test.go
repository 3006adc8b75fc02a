package conf

import (
	"strings"
	"testing"
)

// TestRespWiring: the response-shaping directives reach DirConfig.Resp
// from every context Apache allows them in, merge along the chain, and
// fail with Apache's texts where Apache refuses them.
func TestRespWiring(t *testing.T) {
	cfg, _, err := loadText(t, `Listen 80
AddType application/x-gzip .gz .tgz
AddLanguage en .en
BrowserMatch "Mozilla/2" nokeepalive
AddOutputFilterByType DEFLATE text/html
DeflateCompressionLevel 9
Header always set X-Frame-Options DENY
<Directory /srv>
	SetEnvIf X-Key "^k$" ok
	SetEnv A b
	Header set X-A 1
	ExpiresActive On
	ExpiresDefault A60
	AddDefaultCharset UTF-8
	ForceType text/plain
	AddOutputFilterByType BROTLI_COMPRESS text/css
</Directory>
<VirtualHost *:80>
	ServerName v.test
	TypesConfig /nonexistent/mime.types
	BrotliCompressionQuality 11
	Header set X-V 1
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	top := cfg.Site.Dir.Resp
	if top == nil || top.Mime.Ext["tgz"].Type != "application/x-gzip" || top.Lang["en"] != "en" ||
		top.ServerSetEnvIf == nil || top.SetEnvIf != nil || len(top.Headers.Err) != 1 ||
		top.CompressServer == nil || top.CompressServer.DeflateLevel != 9 || top.Compress.Empty() {
		t.Fatalf("server level: %+v", top)
	}
	if cfg.MimeTypes != nil {
		t.Errorf("MimeTypes without TypesConfig: %d entries", len(cfg.MimeTypes))
	}
	sec := cfg.Site.Sections.Directories[0].Dir.Resp
	if sec == nil || sec.SetEnvIf == nil || sec.ServerSetEnvIf != nil || sec.Env == nil || len(sec.Headers.Out) != 1 ||
		!sec.Expires.On() || sec.Mime.ForceType != "text/plain" || sec.Mime.Charset != DefaultCharsetOn {
		t.Fatalf("<Directory>: %+v", sec)
	}
	m := MergeDir(cfg.Site.Dir, cfg.Site.Sections.Directories[0].Dir).Resp
	if len(m.Compress.ByType) != 2 || m.Mime.Ext["gz"].Type != "application/x-gzip" || len(m.Headers.Err)+len(m.Headers.Out) != 2 ||
		m.CompressServer.DeflateLevel != 9 {
		t.Errorf("merged: %+v", m)
	}
	v := cfg.Servers[0].Site.Dir.Resp
	if v == nil || v.CompressServer.BrotliQuality != 11 || v.CompressServer.DeflateLevel != 9 || len(v.Headers.Out) != 1 || len(v.Headers.Err) != 1 {
		t.Errorf("<VirtualHost>: %+v", v)
	}
	if !strings.Contains(strings.Join(cfg.Notices, "\n"), "ignored: TypesConfig /nonexistent/mime.types") {
		t.Errorf("TypesConfig in <VirtualHost>: notices %q", cfg.Notices)
	}

	for _, c := range []struct{ text, want string }{
		{"<Directory /srv>\nDeflateCompressionLevel 9\n</Directory>\n", "DeflateCompressionLevel not allowed here"},
		{"<Location />\nTypesConfig /etc/mime.types\n</Location>\n", "TypesConfig not allowed here"},
		{"TypesConfig /nonexistent/mime.types\n", "AH01597: could not open mime types config file /nonexistent/mime.types."},
		{"ExpiresDefault \"access plus 1\"\n", "bad expires code, missing <type>"},
		{"SetEnvIf User-Agent \"(a\" x\n", "regex could not be compiled"},
		{"AddOutputFilterByType INCLUDES text/html\n", "INCLUDES"},
		{"Header bogus X y\n", "Header"},
	} {
		_, file, err := loadText(t, "Listen 80\n"+c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), file+":") {
			t.Errorf("%q: %v, want an error with file, line and %q", c.text, err, c.want)
		}
	}
}

// TestRespHTAccess: the directives in .htaccess need AllowOverride
// FileInfo (Expires*: Indexes), as in Apache.
func TestRespHTAccess(t *testing.T) {
	fileInfo := Override{Mask: OverrideFileInfo, Set: true}
	indexes := Override{Mask: OverrideIndexes, Set: true}
	for _, c := range []struct {
		text string
		o    Override
		ok   bool
	}{
		{"Header set X 1\nAddType text/plain .x\nSetEnvIf A b c\nSetEnv X y\nAddOutputFilterByType DEFLATE text/html\nAddDefaultCharset UTF-8\nBrowserMatch x y\n", fileInfo, true},
		{"Header set X 1\n", indexes, false},
		{"ExpiresActive On\nExpiresDefault A60\n", indexes, true},
		{"ExpiresActive On\n", fileInfo, false},
		{"DeflateCompressionLevel 9\n", Override{Mask: OverrideAll, Set: true}, false},
	} {
		d, err := ParseHTAccess("/srv/.htaccess", []byte(c.text), c.o, "/root")
		if (err == nil) != c.ok {
			t.Errorf("%q under %#x: %v, want ok=%v", c.text, c.o.Mask, err, c.ok)
		}
		if err == nil && d.Resp == nil {
			t.Errorf("%q: no Resp", c.text)
		}
	}
}
