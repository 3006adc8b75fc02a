package site

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// apacheSections is the configuration both servers ran in the comparison
// of TestSectionsLikeApache; @B@ is the base directory (htdocs, outside,
// htpasswd).
const apacheSections = `
<Directory />
  Options FollowSymLinks
  AllowOverride None
  Require all denied
</Directory>
<Directory @B@/htdocs>
  Require all granted
</Directory>
<Directory @B@/outside>
  Require all granted
</Directory>
<FilesMatch "^\.ht">
  Require all denied
</FilesMatch>
<Directory @B@/htdocs/private>
  Require ip 10.0.0.0/8
</Directory>
<Location /server-status>
  SetHandler server-status
  Require local
</Location>
<Location /status-denied>
  SetHandler server-status
  Require ip 10.0.0.0/8
</Location>
<Directory @B@/htdocs/auth>
  AuthType Basic
  AuthName "Members only"
  AuthUserFile @B@/htpasswd
  Require valid-user
</Directory>
<Directory @B@/htdocs/nolinks>
  Options -FollowSymLinks
</Directory>
<Directory @B@/htdocs/ht>
  AllowOverride AuthConfig
</Directory>
<Directory @B@/htdocs/htnone>
  AllowOverride None
</Directory>
<Directory @B@/htdocs/htbad>
  AllowOverride AuthConfig
</Directory>
<Directory @B@/htdocs/htunread>
  AllowOverride All
</Directory>
<LocationMatch "^/lm/(?<name>[a-z]+)$">
  Require all denied
</LocationMatch>
<DirectoryMatch "/m[0-9]+/">
  Require all denied
</DirectoryMatch>
<Files "*.secret">
  Require all denied
</Files>
<Directory @B@/htdocs/limit>
  <Limit POST>
    Require all denied
  </Limit>
</Directory>
<Directory @B@/htdocs/compat>
  Order deny,allow
  Deny from all
  Allow from 127.0.0.1
</Directory>
<Directory @B@/htdocs/compat2>
  Order allow,deny
  Allow from 10.0.0.0/8
</Directory>
<Directory @B@/htdocs/authmissing>
  AuthType Basic
  AuthName x
  AuthUserFile @B@/nonexistent
  Require valid-user
</Directory>
<Directory @B@/htdocs/optht>
  AllowOverride Options
</Directory>
<Directory @B@/htdocs/nested>
  <Files "*.txt">
    Require all denied
  </Files>
</Directory>
<Directory @B@/htdocs/dirindex>
  <Files "index.html">
    Require all denied
  </Files>
</Directory>
<Location /lim2>
  <LimitExcept GET>
    Require all denied
  </LimitExcept>
</Location>
<Directory @B@/htdocs/merge>
  Require ip 10.0.0.0/8
</Directory>
<Directory @B@/htdocs/merge/sub>
  AuthMerging Or
  Require local
</Directory>
<Directory @B@/htdocs/ht2>
  AllowOverride AuthConfig
</Directory>
# sections.xml's merge order example (A..E): the section merged last
# decides. Location (E) over Files (D) over DirectoryMatch (C) over
# Directory (A), whatever their order in the file.
<Location "/a/b/g.html">
  Require all granted
</Location>
<Files "g.html">
  Require all denied
</Files>
<DirectoryMatch "^.*b$">
  Require all granted
</DirectoryMatch>
<Directory "@B@/htdocs/a/b">
  Require all denied
</Directory>
`

// apacheFixture writes the files of the comparison under base.
func apacheFixture(t *testing.T, base string) {
	t.Helper()
	writeFiles(t, base, map[string]string{
		"htdocs/index.html":          "home\n",
		"htdocs/a.txt":               "A\n",
		"htdocs/.htpasswd_copy":      "pw\n",
		"htdocs/x.secret":            "s\n",
		"htdocs/private/secret.txt":  "secret\n",
		"htdocs/auth/index.html":     "auth\n",
		"outside/o.txt":              "o\n",
		"outside/index.html":         "i\n",
		"htdocs/nolinks/plain.txt":   "n\n",
		"htdocs/ht/.htaccess":        "Require all denied\n",
		"htdocs/ht/page.html":        "h\n",
		"htdocs/htnone/.htaccess":    "Require all denied\n",
		"htdocs/htnone/page.html":    "h\n",
		"htdocs/htbad/.htaccess":     "Require all granted\nBogusDirective x\n",
		"htdocs/htbad/page.html":     "h\n",
		"htdocs/htunread/.htaccess/": "", // a directory: unreadable as a file
		"htdocs/htunread/page.html":  "h\n",
		"htdocs/limit/p.html":        "l\n",
		"htdocs/compat/p.html":       "c\n",
		"htdocs/compat2/p.html":      "c\n",
		"htdocs/m1/p.html":           "m\n",
		"htdocs/authmissing/p.html":  "am\n",
		"htdocs/a/b/f.html":          "f\n",
		"htdocs/a/b/g.html":          "g\n",
		"htdocs/a/b/xb":              "xb\n",
		"htdocs/lm/abc":              "lm\n",
		"htdocs/optht/.htaccess":     "Options -FollowSymLinks\n",
		"htdocs/optht/plain.txt":     "p\n",
		"htdocs/nested/a.txt":        "t\n",
		"htdocs/nested/a.html":       "h\n",
		"htdocs/dirindex/index.html": "i\n",
		"htdocs/lim2/p.html":         "l\n",
		"htdocs/merge/p.html":        "m\n",
		"htdocs/merge/sub/p.html":    "m\n",
		"htdocs/ht2/.htaccess":       "Options -FollowSymLinks\n",
		"htdocs/ht2/p.html":          "h\n",
		"htpasswd":                   "alice:$2y$05$TOMJ.YqWMskk8FcdlnnOAuMC2zRiaRNU6sHKevUehQ85Vesi5rxbC\nbob:$apr1$vAFSQVAc$.4U3iJfu0rZE15U90o6aX/\n",
	})
	for link, target := range map[string]string{
		"htdocs/link-out.txt":     filepath.Join(base, "outside/o.txt"),
		"htdocs/linkdir":          "../outside",
		"htdocs/nolinks/link.txt": filepath.Join(base, "outside/o.txt"),
		"htdocs/optht/link.txt":   filepath.Join(base, "outside/o.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
}

// loadSections loads a configuration text (with @B@ replaced by base) as
// an httpd.conf serving base/htdocs.
func loadSections(t *testing.T, base, text string) *conf.Config {
	t.Helper()
	text = "Listen 127.0.0.1:0\nDocumentRoot " + base + "/htdocs\n" + strings.ReplaceAll(text, "@B@", base)
	file := filepath.Join(t.TempDir(), "httpd.conf")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.Load(conf.Options{File: file})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

func basicAuth(userpass string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
}

// TestSectionsLikeApache: every request below was sent to Apache 2.4.71
// (mpm_event with authz_core, authz_host, authz_user, authn_core,
// authn_file, auth_basic, access_compat, authz_groupfile, mime, dir,
// status; User nobody) and to gohttpd with the configuration
// apacheSections on the same files, and the status, WWW-Authenticate and
// error-log line Apache gave are the expected values here:
//
//	apache2 -f /tmp/sect-ap/httpd.conf -D FOREGROUND   # Listen 127.0.0.1:18999
//	gohttpd -f /tmp/sect-ap/g/httpd.conf                # Listen 127.0.0.1:18998
//	curl -s -o body -D hdr -X METHOD [-u user:pw] http://127.0.0.1:PORT/path
//
// (The unreadable .htaccess is a directory there, as the tests run as
// root: Apache logs AH00554, then AH00529 with EBADF.)
func TestSectionsLikeApache(t *testing.T) {
	base := t.TempDir()
	apacheFixture(t, base)
	cfg := loadSections(t, base, apacheSections)
	var logs logBuffer
	named := func(name string) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString(name) }
	}
	_, addr := startSite(t, cfg, Options{Logger: newTestLogger(&logs),
		Handlers: map[string]fasthttp.RequestHandler{"server-status": named("status")}})
	B := base + "/htdocs"
	tests := []struct {
		method, path, header string
		status               int
		www, log             string
	}{
		{"GET", "/", "", 200, "", ""},
		{"GET", "/a.txt", "", 200, "", ""},
		{"GET", "/.htpasswd_copy", "", 403, "", "AH01630: client denied by server configuration: " + B + "/.htpasswd_copy"},
		{"GET", "/.htaccess", "", 403, "", "AH01630: client denied by server configuration: " + B + "/.htaccess"},
		{"GET", "/.htnothing", "", 403, "", "AH01630: client denied by server configuration: " + B + "/.htnothing"},
		{"GET", "/x.secret", "", 403, "", "AH01630: client denied by server configuration: " + B + "/x.secret"},
		{"GET", "/nothing.secret", "", 403, "", "AH01630: client denied by server configuration: " + B + "/nothing.secret"},
		{"GET", "/private/", "", 403, "", "AH01630: client denied by server configuration: " + B + "/private/"},
		{"GET", "/private/secret.txt", "", 403, "", "AH01630: client denied by server configuration: " + B + "/private/secret.txt"},
		{"GET", "/private/missing", "", 403, "", "AH01630: client denied by server configuration: " + B + "/private/missing"},
		{"GET", "/private", "", 403, "", "AH01630: client denied by server configuration: " + B + "/private"},
		{"GET", "/server-status", "", 200, "", ""},
		{"GET", "/status-denied", "", 403, "", "AH01630: client denied by server configuration: " + B + "/status-denied"},
		{"GET", "/auth/", "", 401, `Basic realm="Members only"`, ""},
		{"GET", "/auth/index.html", "", 401, `Basic realm="Members only"`, ""},
		{"GET", "/auth", "", 401, `Basic realm="Members only"`, ""},
		{"GET", "/auth/", basicAuth("alice:secret"), 200, "", ""},
		{"GET", "/auth/", basicAuth("bob:builder"), 200, "", ""},
		{"GET", "/auth/", basicAuth("alice:wrong"), 401, `Basic realm="Members only"`, `AH01617: user alice: authentication failure for "/auth/": Password Mismatch`},
		{"GET", "/auth/", basicAuth("nobody:x"), 401, `Basic realm="Members only"`, "AH01618: user nobody not found: /auth/"},
		{"GET", "/auth/", "Authorization: Basic !!!", 401, `Basic realm="Members only"`, "AH01618: user  not found: /auth/"},
		{"GET", "/auth/", "Authorization: Digest x", 401, `Basic realm="Members only"`, "AH01614: client used wrong authentication scheme: /auth/"},
		{"GET", "/authmissing/p.html", "", 401, `Basic realm="x"`, ""},
		{"GET", "/authmissing/p.html", basicAuth("a:b"), 500, "", "AH01620: Could not open password file: " + base + "/nonexistent"},
		{"GET", "/link-out.txt", "", 200, "", ""},
		{"GET", "/linkdir/o.txt", "", 200, "", ""},
		{"GET", "/linkdir/", "", 200, "", ""},
		{"GET", "/nolinks/link.txt", "", 403, "", "AH00037: Symbolic link not allowed or link target not accessible: " + B + "/nolinks/link.txt"},
		{"GET", "/nolinks/plain.txt", "", 200, "", ""},
		{"GET", "/ht/page.html", "", 403, "", "AH01630: client denied by server configuration: " + B + "/ht/page.html"},
		{"GET", "/ht/missing", "", 403, "", "AH01630: client denied by server configuration: " + B + "/ht/missing"},
		{"GET", "/htnone/page.html", "", 200, "", ""},
		{"GET", "/htbad/page.html", "", 500, "", B + "/htbad/.htaccess: Invalid command 'BogusDirective', perhaps misspelled or defined by a module not included in the server configuration"},
		{"GET", "/htunread/page.html", "", 403, "", "AH00554: Access to file " + B + "/htunread/.htaccess denied by server: not a regular file"},
		{"GET", "/htunread/page.html", "", 403, "", "AH00529: " + B + "/htunread/.htaccess pcfg_openfile: unable to check htaccess file, ensure it is readable and that '" + B + "/htunread/' is executable"},
		{"GET", "/lm/abc", "", 403, "", "AH01630: client denied by server configuration: " + B + "/lm/abc"},
		{"GET", "/lm/abc1", "", 404, "", ""},
		{"GET", "/m1/p.html", "", 403, "", "AH01630: client denied by server configuration: " + B + "/m1/p.html"},
		{"GET", "/m1/", "", 403, "", "AH01630: client denied by server configuration: " + B + "/m1/"},
		{"GET", "/m1", "", 301, "", ""},
		{"GET", "/compat/p.html", "", 200, "", ""},
		{"GET", "/compat2/p.html", "", 403, "", "AH01797: client denied by server configuration: " + B + "/compat2/p.html"},
		{"GET", "/a/b/f.html", "", 403, "", "AH01630: client denied by server configuration: " + B + "/a/b/f.html"},
		{"GET", "/a/b/g.html", "", 200, "", ""},
		{"GET", "/a/b/xb", "", 200, "", ""}, // C (DirectoryMatch, granted) after A (Directory, denied)
		{"GET", "/a/b/", "", 403, "", "AH01630: client denied by server configuration: " + B + "/a/b/"},
		{"GET", "/a/b", "", 301, "", ""},
		{"GET", "/nodir/x.secret", "", 404, "", ""},
		{"POST", "/limit/p.html", "", 403, "", "AH01630: client denied by server configuration: " + B + "/limit/p.html"},
		{"GET", "/limit/p.html", "", 200, "", ""},
		{"OPTIONS", "/limit/p.html", "", 200, "", ""},
		{"GET", "/optht/link.txt", "", 403, "", "AH00037: Symbolic link not allowed or link target not accessible: " + B + "/optht/link.txt"},
		{"GET", "/optht/plain.txt", "", 200, "", ""},
		{"GET", "/nested/a.txt", "", 403, "", "AH01630: client denied by server configuration: " + B + "/nested/a.txt"},
		{"GET", "/nested/a.html", "", 200, "", ""},
		// mod_dir's subrequest for the index is denied: 403, logged for
		// the index file, without AH01276.
		{"GET", "/dirindex/", "", 403, "", "AH01630: client denied by server configuration: " + B + "/dirindex/index.html"},
		{"GET", "/merge/p.html", "", 403, "", "AH01630: client denied by server configuration: " + B + "/merge/p.html"},
		{"GET", "/merge/sub/p.html", "", 200, "", ""},
		{"GET", "/ht2/p.html", "", 500, "", B + "/ht2/.htaccess: Options not allowed here"},
		{"POST", "/lim2/p.html", "", 403, "", "AH01630: client denied by server configuration: " + B + "/lim2/p.html"},
		{"GET", "/lim2/p.html", "", 200, "", ""},
		{"PUT", "/lim2/p.html", "", 403, "", ""},
	}
	for _, tc := range tests {
		var hdr []string
		if tc.header != "" {
			hdr = append(hdr, tc.header)
		}
		if tc.method == "POST" || tc.method == "PUT" {
			hdr = append(hdr, "Content-Length: 0")
		}
		resp := get(t, addr, req(tc.method, tc.path, hdr...))
		if got := resp.StatusCode(); got != tc.status {
			t.Errorf("%s %s %s = %d, want %d", tc.method, tc.path, tc.header, got, tc.status)
		}
		if got := string(resp.Header.Peek("WWW-Authenticate")); got != tc.www {
			t.Errorf("%s %s %s: WWW-Authenticate = %q, want %q", tc.method, tc.path, tc.header, got, tc.www)
		}
		if tc.log != "" {
			if !strings.Contains(strings.ReplaceAll(logs.String(), `\"`, `"`), tc.log) {
				t.Errorf("%s %s: error log lacks %q:\n%s", tc.method, tc.path, tc.log, logs.String())
			}
		}
	}
}

// TestIndexSubrequestNoAH01276: a denied index file is not "no matching
// DirectoryIndex" (Apache logs only the subrequest's denial).
func TestIndexSubrequestNoAH01276(t *testing.T) {
	base := t.TempDir()
	apacheFixture(t, base)
	cfg := loadSections(t, base, apacheSections)
	var logs logBuffer
	_, addr := startSite(t, cfg, Options{Logger: newTestLogger(&logs)})
	if got := get(t, addr, req("GET", "/dirindex/")).StatusCode(); got != 403 {
		t.Fatalf("GET /dirindex/ = %d, want 403", got)
	}
	if strings.Contains(logs.String(), "AH01276:") {
		t.Errorf("AH01276 logged for a denied index:\n%s", logs.String())
	}
}
