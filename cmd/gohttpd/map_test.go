package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// mapResponse sends head (request line and headers, without the final
// CRLF) on a new connection and returns the response.
func mapResponse(t *testing.T, addr, head string) *http.Response {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(head + "Connection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(head, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%q: %v", head, err)
	}
	return resp
}

// mapCase is a request and what Apache 2.4.71 answered to it on the same
// configuration (its banner replaced by gohttpd's, listing dates by
// DATE).
type mapCase struct {
	head     string
	code     int
	location string
	ctype    string
	body     string // exact when set (after DATE replacement)
	contains string
}

var listingDate = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d  `)

// checkMapCases runs the cases against addr.
func checkMapCases(t *testing.T, addr string, cases []mapCase) {
	t.Helper()
	for _, c := range cases {
		resp := mapResponse(t, addr, c.head)
		b, _ := io.ReadAll(resp.Body)
		body := listingDate.ReplaceAllString(string(b), "DATE  ")
		switch {
		case resp.StatusCode != c.code:
			t.Errorf("%q: status %d, want %d (body %q)", c.head, resp.StatusCode, c.code, body)
		case resp.Header.Get("Location") != c.location:
			t.Errorf("%q: Location %q, want %q", c.head, resp.Header.Get("Location"), c.location)
		case c.ctype != "" && resp.Header.Get("Content-Type") != c.ctype:
			t.Errorf("%q: Content-Type %q, want %q", c.head, resp.Header.Get("Content-Type"), c.ctype)
		case c.body != "" && body != c.body:
			t.Errorf("%q: body\n%s\nwant\n%s", c.head, body, c.body)
		case c.contains != "" && !strings.Contains(body, c.contains):
			t.Errorf("%q: body %q, want it to contain %q", c.head, body, c.contains)
		}
	}
}

// errorPage is Apache's canned page (its HTML 4.01 doctype) and a
// signature line.
func errorPage(status, title, text, sig string) string {
	return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>" + status + " " + title +
		"</title>\n</head><body>\n<h1>" + title + "</h1>\n" + text + "<hr>\n" + sig + "</body></html>\n"
}

// checkDebianMapping checks what the Debian tree's mod_alias, mod_dir,
// mod_autoindex, ErrorDocument, ServerTokens OS and ServerSignature On
// give, as Apache 2.4.71 answered on the same files.
func checkDebianMapping(t *testing.T, addr string) {
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	sig := "<address>gohttpd/0.1.0 (Unix) Server at localhost Port " + port + "</address>\n"
	sigEx := "<address>gohttpd/0.1.0 (Unix) Server at www.example.test Port 80</address>\n"
	listing := `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html>
 <head>
  <title>Index of /listing</title>
 </head>
 <body>
<h1>Index of /listing</h1>
  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=A">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="sub/">sub/</a></td><td align="right">DATE  </td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="b&amp;c.html">b&amp;c.html</a></td><td align="right">DATE  </td><td align="right">  9 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="a.txt">a.txt</a></td><td align="right">DATE  </td><td align="right">  6 </td><td>&nbsp;</td></tr>
   <tr><th colspan="5"><hr></th></tr>
</table>
` + sig + "</body></html>\n"
	cases := []mapCase{
		// Server: ServerTokens OS.
		{head: "GET /listing/?C=N;O=D HTTP/1.1\r\nHost: localhost\r\n", code: 200, ctype: "text/html;charset=UTF-8", body: listing},
		{head: "GET /listing HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://localhost:" + port + "/listing/",
			body: errorPage("301", "Moved Permanently", "<p>The document has moved <a href=\"http://localhost:"+port+"/listing/\">here</a>.</p>\n", sig)},
		{head: "GET /nope HTTP/1.1\r\nHost: localhost\r\n", code: 404,
			body: errorPage("404", "Not Found", "<p>The requested URL was not found on this server.</p>\n", sig)},
		// Debian's alias.conf has no Indexes for the icons: 403.
		{head: "GET /icons/ HTTP/1.1\r\nHost: localhost\r\n", code: 403,
			body: errorPage("403", "Forbidden", "<p>You don't have permission to access this resource.</p>\n", sig)},
		// ErrorDocument: a local document keeps the status, a text, a URL.
		{head: "GET /nope HTTP/1.1\r\nHost: www.example.test\r\n", code: 404, ctype: "text/html", body: "<html><body>not here</body></html>\n"},
		{head: "GET /private/x.txt HTTP/1.1\r\nHost: www.example.test\r\n", code: 403, ctype: "text/html; charset=iso-8859-1", body: "Go away"},
		{head: "GET /old?x=1 HTTP/1.1\r\nHost: www.example.test\r\n", code: 302, location: "http://www.example.test/gone.html",
			body: errorPage("302", "Found", "<p>The document has moved <a href=\"http://www.example.test/gone.html\">here</a>.</p>\n", sigEx)},
	}
	if _, err := os.Stat("/usr/share/apache2/icons/a.gif"); err == nil {
		cases = append(cases, mapCase{head: "GET /icons/a.gif HTTP/1.1\r\nHost: localhost\r\n", code: 200, ctype: "image/gif", contains: "GIF89a"})
	} else {
		t.Logf("no /usr/share/apache2/icons (apache2-data): the icons alias is not fetched")
	}
	checkMapCases(t, addr, cases)
	resp := mapResponse(t, addr, "HEAD / HTTP/1.1\r\nHost: localhost\r\n")
	if got := resp.Header.Get("Server"); got != "gohttpd/0.1.0 (Unix)" {
		t.Errorf("Server = %q, want %q (ServerTokens OS)", got, "gohttpd/0.1.0 (Unix)")
	}
}

// TestRewriteCMS: mod_rewrite through the binary with the rule sets real
// sites use (WordPress's .htaccess, Drupal's rules in <Directory>,
// Laravel's public/.htaccess, http→https and www canonical redirects,
// deny-dotfiles in the main server inherited by a virtual host, a loop
// ended by LimitInternalRecursion). The expected answers are Apache
// 2.4.71's on the same configuration and files (compared on this
// machine: statuses, Location headers and bodies were identical; Apache
// sends no Content-Type for .php without a PHP handler, gohttpd types it
// from its MIME table).
func TestRewriteCMS(t *testing.T) {
	root := mpmtest.ReadableTempDir(t)
	wp := "# BEGIN WordPress\n<IfModule mod_rewrite.c>\nRewriteEngine On\n" +
		"RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\nRewriteBase /\n" +
		"RewriteRule ^index\\.php$ - [L]\nRewriteCond %{REQUEST_FILENAME} !-f\n" +
		"RewriteCond %{REQUEST_FILENAME} !-d\nRewriteRule . /index.php [L]\n</IfModule>\n# END WordPress\n"
	laravel := "<IfModule mod_rewrite.c>\n    <IfModule mod_negotiation.c>\n        Options -MultiViews -Indexes\n    </IfModule>\n" +
		"    RewriteEngine On\n    RewriteCond %{HTTP:Authorization} .\n" +
		"    RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n" +
		"    RewriteCond %{REQUEST_FILENAME} !-d\n    RewriteCond %{REQUEST_URI} (.+)/$\n    RewriteRule ^ %1 [L,R=301]\n" +
		"    RewriteCond %{REQUEST_FILENAME} !-d\n    RewriteCond %{REQUEST_FILENAME} !-f\n    RewriteRule ^ index.php [L]\n</IfModule>\n"
	mkfiles(t, root, map[string]string{
		"wp/.htaccess": wp, "wp/index.php": "front controller wp\n", "wp/wp-content/style.css": "style\n",
		"wp/wp-admin/index.php": "admin\n", "wp/wp-content/.htaccess": "Options +Indexes\nIndexOptions +FancyIndexing\n",
		"dp/index.php": "front controller dp\n", "dp/sites/x.txt": "s\n",
		"lv/public/.htaccess": laravel, "lv/public/index.php": "front controller lv\n", "lv/public/app.css": "css\n",
		"canon/index.html": "canon\n", "canon/.env": "secret\n", "canon/t.html": "<p>t</p>\n", "canon/canon-target.html": "target\n",
	})
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		"ServerName localhost",
		"DocumentRoot " + root + "/canon",
		"<Directory " + root + ">", "Require all granted", "</Directory>",
		"DirectoryIndex index.html index.php",
		"RewriteEngine On",
		`RewriteRule "(^|/)\.(?!well-known)" - [F]`,
		"<VirtualHost *>", "ServerName localhost", "DocumentRoot " + root + "/canon",
		"RewriteEngine On", "RewriteOptions Inherit",
		"RewriteRule ^/st$ - [H=server-status]",
		"RewriteRule ^/qsa/(.*)$ /canon-target.html?x=$1 [QSA,L]", "RewriteRule ^/qsd$ /index.html [QSD,R=302,L]",
		"RewriteRule ^/ne/(.*)$ http://example.test/a%20b?q=$1 [NE,R,L]", "RewriteRule ^/b/(.*)$ http://example.test/?q=$1 [B,R,L]",
		"RewriteRule ^/pt/(.*)$ /icons2/$1 [PT,L]", "RewriteRule ^/chain$ - [C]", "RewriteRule ^(.*)$ /canon-target.html [L]",
		"RewriteRule ^/skip$ - [S=1]", "RewriteRule ^/skip$ /nope.html [L]", "RewriteRule ^/skip$ /index.html [L]",
		"RewriteRule ^/g$ - [G]", "RewriteRule ^/r4$ /x [R=404]", "Alias /icons2/ " + root + "/wp/wp-content/",
		"RewriteRule ^/outside$ " + root + "/wp/wp-content/style.css [L]", "RewriteRule ^/outside2$ " + root + "/wp/nope.css [L]",
		"</VirtualHost>",
		"<VirtualHost *>", "ServerName secure.test", "DocumentRoot " + root + "/canon", "RewriteEngine On",
		"RewriteCond %{HTTPS} off", "RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [L,R=301]", "</VirtualHost>",
		"<VirtualHost *>", "ServerName www.canon.test", "ServerAlias canon.test", "DocumentRoot " + root + "/canon",
		"RewriteEngine On", `RewriteCond %{HTTP_HOST} !^www\. [NC]`, "RewriteRule ^(.*)$ http://www.%{HTTP_HOST}$1 [R=301,L]",
		`RewriteRule ^/t\.html$ - [T=text/plain]`, "</VirtualHost>",
		"<VirtualHost *>", "ServerName wp.test", "DocumentRoot " + root + "/wp",
		"<Directory " + root + "/wp>", "AllowOverride All", "</Directory>", "</VirtualHost>",
		"<VirtualHost *>", "ServerName dp.test", "DocumentRoot " + root + "/dp",
		"<Directory " + root + "/dp>", "RewriteEngine on", `RewriteRule "/\.|^\.(?!well-known/)" - [F]`,
		"RewriteCond %{REQUEST_FILENAME} !-f", "RewriteCond %{REQUEST_FILENAME} !-d",
		"RewriteCond %{REQUEST_URI} !=/favicon.ico", "RewriteRule ^ index.php [L]", "</Directory>", "</VirtualHost>",
		"<VirtualHost *>", "ServerName lv.test", "DocumentRoot " + root + "/lv/public",
		"<Directory " + root + "/lv/public>", "AllowOverride All", "</Directory>", "</VirtualHost>",
		"<VirtualHost *>", "ServerName loop.test", "DocumentRoot " + root + "/canon",
		"<Directory " + root + "/canon>", "RewriteEngine On", "RewriteRule ^(.*)$ /x$1", "</Directory>", "</VirtualHost>",
	}})
	get := func(host, target string) string { return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" }
	checkMapCases(t, s.Addr, []mapCase{
		{head: get("localhost", "/"), code: 200, body: "canon\n"},
		{head: get("localhost", "/.env"), code: 403},
		{head: get("localhost", "/x/.git/config"), code: 403},
		{head: get("localhost", "/.well-known/a"), code: 404},
		{head: get("localhost", "/outside"), code: 200, body: "style\n"},
		{head: get("localhost", "/outside2"), code: 404},
		{head: get("localhost", "/st?auto"), code: 200, contains: "Total Accesses: "},
		// Flags, as Apache 2.4.71 answered.
		{head: get("localhost", "/qsa/1?y=2"), code: 200, body: "target\n"},
		{head: get("localhost", "/qsd?a=1"), code: 302, location: "http://localhost/index.html"},
		{head: get("localhost", "/ne/x%20y"), code: 403},
		{head: get("localhost", "/b/a%20b&c"), code: 302, location: "http://example.test/?q=a+b%2526c"},
		{head: get("localhost", "/pt/style.css"), code: 200, body: "style\n"},
		{head: get("localhost", "/chain"), code: 200, body: "target\n"},
		{head: get("localhost", "/skip"), code: 200, body: "canon\n"},
		{head: get("localhost", "/g"), code: 410},
		{head: get("localhost", "/r4"), code: 404},
		{head: get("secure.test", "/a?b=1"), code: 301, location: "https://secure.test/a?b=1"},
		{head: get("canon.test", "/p?q=1"), code: 301, location: "http://www.canon.test/p?q=1"},
		{head: get("www.canon.test", "/"), code: 200, body: "canon\n"},
		{head: get("www.canon.test", "/t.html"), code: 200, ctype: "text/plain", body: "<p>t</p>\n"},
		{head: get("wp.test", "/"), code: 200, body: "front controller wp\n"},
		{head: get("wp.test", "/hello-world/"), code: 200, body: "front controller wp\n"},
		{head: get("wp.test", "/page/2?x=1"), code: 200, body: "front controller wp\n"},
		{head: get("wp.test", "/wp-content/style.css"), code: 200, body: "style\n"},
		{head: get("wp.test", "/wp-admin/"), code: 200, body: "admin\n"},
		{head: get("wp.test", "/wp-content"), code: 301, location: "http://wp.test/wp-content/"},
		// An .htaccess "IndexOptions +FancyIndexing" alone gives the fancy
		// listing (Apache merges it over the server's empty configuration).
		{head: get("wp.test", "/wp-content/"), code: 200, contains: "<pre>      <a href=\"?C=N;O=D\">Name</a>"},
		{head: get("dp.test", "/node/1"), code: 200, body: "front controller dp\n"},
		{head: get("dp.test", "/sites/x.txt"), code: 200, body: "s\n"},
		{head: get("dp.test", "/favicon.ico"), code: 404},
		{head: get("dp.test", "/.git"), code: 403},
		{head: get("lv.test", "/users/"), code: 301, location: "http://lv.test/users"},
		{head: get("lv.test", "/users"), code: 200, body: "front controller lv\n"},
		{head: get("lv.test", "/api/x?y=2"), code: 200, body: "front controller lv\n"},
		{head: get("lv.test", "/app.css"), code: 200, body: "css\n"},
		{head: get("loop.test", "/a"), code: 500},
	})
	mpmtest.WaitFor(t, 10*time.Second, "AH00124 in the error log", func() bool {
		return strings.Contains(s.ErrorLog(), "AH00124: Request exceeded the limit of 10 internal redirects")
	})
}

// TestMappingThroughBinary: mod_alias (Redirect forms, RedirectMatch,
// Alias, AliasMatch), mod_dir (per-directory DirectoryIndex, disabled,
// DirectorySlash Off, FallbackResource), mod_autoindex with
// ServerSignature EMail, ErrorDocument (a missing local document, a
// quoted text), ServerSignature in a <Location> and UseCanonicalName On
// through the binary. The table is what Apache 2.4.71 answered on the
// same configuration (generated from its responses; its banner replaced
// by gohttpd's).
func TestMappingThroughBinary(t *testing.T) {
	for _, engine := range []string{"event", "prefork", "worker"} {
		t.Run(engine, func(t *testing.T) { testMapping(t, engine) })
	}
}

func testMapping(t *testing.T, engine string) {
	root := mpmtest.ReadableTempDir(t)
	mkfiles(t, root, map[string]string{
		"htdocs/index.html": "root\n", "htdocs/fb/front.html": "fbfront\n", "htdocs/idx/start.html": "start\n",
		"htdocs/idx/index.html": "idxhtml\n", "htdocs/dis/index.html": "dis\n", "other/o.txt": "o\n",
		"htdocs/list/a.txt": "a\n", "htdocs/noslash/file.txt": "nsi\n", "htdocs/fbi/x.txt": "x\n",
		"htdocs/ir/index.html": "ir\n", "htdocs/dr/index.html": "dr\n", "htdocs/ai/x": "x\n", "htdocs/ai2/sub/s.html": "ai2sub\n",
		"htdocs/hdr/top.html": "<p>shared header</p>\n", "htdocs/hdr/readme.txt": "readme text <b>\n", "htdocs/list2/z.txt": "z\n", "htdocs/list/x.bak": "b\n", "htdocs/list/.htpass": "h\n", "htdocs/list/secret/s": "s\n", "htdocs/list/open/o": "o\n",
	})
	d := func(p string) string { return "<Directory " + root + p + ">" }
	s := mpmtest.Start(t, mpmtest.Options{MPM: engine, Directives: []string{
		"ServerName localhost", "ServerAdmin admin@example.test", "DocumentRoot " + root + "/htdocs",
		d(""), "Require all granted", "</Directory>",
		d("/htdocs/noslash"), "DirectorySlash Off", "</Directory>",
		d("/htdocs/fb"), "FallbackResource /fb/front.html", "</Directory>",
		d("/htdocs/fbi"), "Options +Indexes", "FallbackResource /fb/front.html", "</Directory>",
		d("/htdocs/idx"), "DirectoryIndex start.html", "</Directory>",
		d("/htdocs/ir"), "DirectoryIndexRedirect seeother", "</Directory>",
		d("/htdocs/ai"), "DirectoryIndex /fb/front.html", "</Directory>",
		d("/htdocs/list2"), "Options +Indexes", "HeaderName /hdr/top.html", "ReadmeName ../hdr/readme.txt", "</Directory>",
		d("/htdocs/ai2"), "DirectoryIndex missing.html sub/s.html", "</Directory>",
		d("/htdocs/dis"), "DirectoryIndex disabled", "</Directory>",
		d("/htdocs/list"), "Options +Indexes", "ServerSignature EMail", "</Directory>",
		d("/htdocs/list/secret"), "Require all denied", "</Directory>",
		`<Files "*.bak">`, "Require all denied", "</Files>", `<FilesMatch "^\.ht">`, "Require all denied", "</FilesMatch>",
		"Redirect permanent /perm http://example.test/p", "Redirect temp /tmp http://example.test/t",
		"Redirect seeother /see http://example.test/s", "Redirect gone /gone", "Redirect 404 /four",
		"Redirect /rel /local/path", `RedirectMatch 301 ^/rm/(.*)\.html$ http://example.test/new/$1.htm`,
		"AliasMatch ^/am/(.*)$ " + root + "/other/$1", "Alias /other " + root + "/other",
		"ErrorDocument 404 /missing-doc.html", `ErrorDocument 500 "Oops \"quoted\""`,
		"<Location /sig>", "ServerSignature On", "</Location>",
		"<Location /loc>", "Redirect http://example.test/l", "</Location>",
		"<Location /la>", "Alias " + root + "/other", "</Location>",
		"<Location /lr>", "Redirect gone", "</Location>",
		d("/htdocs/dr"), "Redirect /dr/x http://example.test/drx", "RedirectMatch 307 ^/dr/y(.*) http://example.test/dry$1", "</Directory>",
		"<VirtualHost *>", "ServerName canon.test:8443", "UseCanonicalName On", "DocumentRoot " + root + "/htdocs", "</VirtualHost>",
		"<VirtualHost *>", "ServerName localhost", "DocumentRoot " + root + "/htdocs", "</VirtualHost>",
	}})
	checkMapCases(t, s.Addr, []mapCase{
		{head: "GET /noslash HTTP/1.1\r\nHost: localhost\r\n", code: 403, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n"},
		{head: "GET /noslash/ HTTP/1.1\r\nHost: localhost\r\n", code: 403, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n"},
		{head: "GET /fb/x/y HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html", body: "fbfront\n"},
		{head: "GET /fb/ HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html", body: "fbfront\n"},
		{head: "GET /fbi/ HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html", body: "fbfront\n"},
		{head: "GET /fbi/nope HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html", body: "fbfront\n"},
		// One-argument Alias and Redirect in <Location>, Redirect lines in
		// a <Directory> (Apache 2.4.71's answers).
		{head: "GET /loc/a?x=1 HTTP/1.1\r\nHost: localhost\r\n", code: 302, location: "http://example.test/l?x=1"},
		{head: "GET /la/o.txt HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://localhost/la/o.txt/"},
		{head: "GET /la HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://localhost/la/"},
		{head: "GET /lr/q HTTP/1.1\r\nHost: localhost\r\n", code: 410},
		{head: "GET /dr/x HTTP/1.1\r\nHost: localhost\r\n", code: 302, location: "http://example.test/drx"},
		{head: "GET /dr/yz HTTP/1.1\r\nHost: localhost\r\n", code: 307, location: "http://example.test/dryz"},
		{head: "GET /ai/?q=1 HTTP/1.1\r\nHost: localhost\r\n", code: 200, body: "fbfront\n"},
		{head: "GET /ai2/ HTTP/1.1\r\nHost: localhost\r\n", code: 200, body: "ai2sub\n"},
		{head: "GET /list2/ HTTP/1.1\r\nHost: localhost\r\n", code: 200, body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html>\n <head>\n  <title>Index of /list2</title>\n </head>\n <body>\n<p>shared header</p>\n<ul><li><a href=\"/\"> Parent Directory</a></li>\n<li><a href=\"z.txt\"> z.txt</a></li>\n</ul>\n<pre>\nreadme text &lt;b&gt;\n</pre>\n</body></html>\n"},
		{head: "GET /ir/?a=1 HTTP/1.1\r\nHost: localhost\r\n", code: 303, location: "http://localhost/ir/index.html", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>303 See Other</title>\n</head><body>\n<h1>See Other</h1>\n<p>The answer to your request is located <a href=\"http://localhost/ir/index.html\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /idx/ HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html", body: "start\n"},
		{head: "GET /idx HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://localhost/idx/", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"http://localhost/idx/\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /dis/ HTTP/1.1\r\nHost: localhost\r\n", code: 403, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n"},
		{head: "GET /list/ HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html;charset=ISO-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html>\n <head>\n  <title>Index of /list</title>\n </head>\n <body>\n<h1>Index of /list</h1>\n<ul><li><a href=\"/\"> Parent Directory</a></li>\n<li><a href=\"a.txt\"> a.txt</a></li>\n<li><a href=\"open/\"> open/</a></li>\n</ul>\n<address>gohttpd Server at <a href=\"mailto:admin@example.test\">localhost</a> Port 80</address>\n</body></html>\n"},
		{head: "GET /perm/a?q=1 HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://example.test/p/a?q=1", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"http://example.test/p/a?q=1\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /tmp/x HTTP/1.1\r\nHost: localhost\r\n", code: 302, location: "http://example.test/t/x", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>302 Found</title>\n</head><body>\n<h1>Found</h1>\n<p>The document has moved <a href=\"http://example.test/t/x\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /see HTTP/1.1\r\nHost: localhost\r\n", code: 303, location: "http://example.test/s", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>303 See Other</title>\n</head><body>\n<h1>See Other</h1>\n<p>The answer to your request is located <a href=\"http://example.test/s\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /gone HTTP/1.1\r\nHost: localhost\r\n", code: 410, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>410 Gone</title>\n</head><body>\n<h1>Gone</h1>\n<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n</body></html>\n"},
		{head: "GET /four HTTP/1.1\r\nHost: localhost\r\n", code: 404, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n</body></html>\n"},
		{head: "GET /rel/z HTTP/1.1\r\nHost: localhost\r\n", code: 302, location: "http://localhost/local/path/z", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>302 Found</title>\n</head><body>\n<h1>Found</h1>\n<p>The document has moved <a href=\"http://localhost/local/path/z\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /rm/a/b.html?x=1 HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://example.test/new/a/b.htm?x=1", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"http://example.test/new/a/b.htm?x=1\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /am/o.txt HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/plain", body: "o\n"},
		{head: "GET /other/o.txt HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/plain", body: "o\n"},
		{head: "GET /other/ HTTP/1.1\r\nHost: localhost\r\n", code: 403, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n"},
		{head: "GET /other HTTP/1.1\r\nHost: localhost\r\n", code: 301, location: "http://localhost/other/", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"http://localhost/other/\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /nope HTTP/1.1\r\nHost: localhost\r\n", code: 404, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n</body></html>\n"},
		{head: "GET /sig/none HTTP/1.1\r\nHost: localhost\r\n", code: 404, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n<hr>\n<address>gohttpd Server at localhost Port 80</address>\n</body></html>\n"},
		{head: "GET /list/?C=S;O=A HTTP/1.1\r\nHost: localhost\r\n", code: 200, location: "", ctype: "text/html;charset=ISO-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html>\n <head>\n  <title>Index of /list</title>\n </head>\n <body>\n<h1>Index of /list</h1>\n<ul><li><a href=\"/\"> Parent Directory</a></li>\n<li><a href=\"a.txt\"> a.txt</a></li>\n<li><a href=\"open/\"> open/</a></li>\n</ul>\n<address>gohttpd Server at <a href=\"mailto:admin@example.test\">localhost</a> Port 80</address>\n</body></html>\n"},
		{head: "GET /list/x.bak HTTP/1.1\r\nHost: localhost\r\n", code: 403, location: "", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n<hr>\n<address>gohttpd Server at <a href=\"mailto:admin@example.test\">localhost</a> Port 80</address>\n</body></html>\n"},
		{head: "GET /idx HTTP/1.1\r\nHost: canon.test\r\n", code: 301, location: "http://canon.test:8443/idx/", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"http://canon.test:8443/idx/\">here</a>.</p>\n</body></html>\n"},
		{head: "GET /perm HTTP/1.1\r\nHost: canon.test\r\n", code: 301, location: "http://example.test/p", ctype: "text/html; charset=iso-8859-1", body: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"http://example.test/p\">here</a>.</p>\n</body></html>\n"},
		{head: "HEAD /nope HTTP/1.1\r\nHost: localhost\r\n", code: 404, location: "", ctype: "text/html; charset=iso-8859-1", body: ""},
		{head: "HEAD /gone HTTP/1.1\r\nHost: localhost\r\n", code: 410, location: "", ctype: "text/html; charset=iso-8859-1", body: ""},
	})
}
