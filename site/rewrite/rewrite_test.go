package rewrite

import (
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// fakeFS is a file system of names: a trailing '/' makes a directory,
// "->" a symbolic link, an empty content an empty file.
type fakeFS map[string]string

func (f fakeFS) Stat(name string) FileInfo {
	if name != "/" {
		name = strings.TrimSuffix(name, "/")
	}
	if name == "/" {
		return FileInfo{Exists: true, Mode: fs.ModeDir | 0o755}
	}
	if _, ok := f[name+"/"]; ok {
		return FileInfo{Exists: true, Mode: fs.ModeDir | 0o755}
	}
	for k := range f {
		if strings.HasPrefix(k, name+"/") {
			return FileInfo{Exists: true, Mode: fs.ModeDir | 0o755}
		}
	}
	c, ok := f[name]
	if !ok {
		return FileInfo{}
	}
	if t, ok := strings.CutPrefix(c, "->"); ok {
		return f.Stat(t)
	}
	mode := fs.FileMode(0o644)
	if c == "#!" {
		mode = 0o755
	}
	return FileInfo{Exists: true, Mode: mode, Size: int64(len(c))}
}

func (f fakeFS) Lstat(name string) FileInfo {
	if c, ok := f[name]; ok && strings.HasPrefix(c, "->") {
		return FileInfo{Exists: true, Mode: fs.ModeSymlink | 0o777}
	}
	return f.Stat(name)
}

type hdrs map[string]string

func (h hdrs) Header(name string) (string, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func ruleset(t testing.TB, dir string, lines ...string) *Ruleset {
	t.Helper()
	b := conf.RewriteBuilder{Dir: dir}
	for _, l := range lines {
		name, raw, _ := strings.Cut(strings.TrimSpace(l), " ")
		if err := b.Directive(name, raw, "t:1"); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	c, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if dir != "" {
		// as the site merges it: the server's configuration first
		c = conf.MergeRewriteDir(&conf.RewriteConfig{}, c)
	}
	rs, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

var wordpress = []string{
	"RewriteEngine On",
	`RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]`,
	"RewriteBase /wp/",
	`RewriteRule ^index\.php$ - [L]`,
	"RewriteCond %{REQUEST_FILENAME} !-f",
	"RewriteCond %{REQUEST_FILENAME} !-d",
	"RewriteRule . /wp/index.php [L]",
}

const apRoot = "/tmp/rw-ap/htdocs"

var apFS = fakeFS{
	apRoot + "/index.php": "INDEX", apRoot + "/wp/index.php": "WPINDEX", apRoot + "/wp/real.txt": "WPFILE",
	apRoot + "/exists.html": "EXISTS", apRoot + "/tmp/": "",
}

// TestWordPressTrace compares the trace lines with Apache's
// (LogLevel rewrite:trace3, GET /wp/hello-world/, testdata/apache).
func TestWordPressTrace(t *testing.T) {
	rs := ruleset(t, apRoot+"/wp", wordpress...)
	req := &Request{
		Method: "GET", URI: "/wp/hello-world/", DocumentRoot: apRoot, FS: apFS,
		Filename: apRoot + "/wp/hello-world", PathInfo: "/", TraceLevel: 3,
	}
	res := Dir(rs, req)
	if res.Action != InternalRedirect || res.URI != "/wp/index.php" {
		t.Fatalf("got %v %q", res.Action, res.URI)
	}
	want := `[perdir /tmp/rw-ap/htdocs/wp/] add path info postfix: /tmp/rw-ap/htdocs/wp/hello-world -> /tmp/rw-ap/htdocs/wp/hello-world/
[perdir /tmp/rw-ap/htdocs/wp/] strip per-dir prefix: /tmp/rw-ap/htdocs/wp/hello-world/ -> hello-world/
[perdir /tmp/rw-ap/htdocs/wp/] applying pattern '.*' to uri 'hello-world/'
[perdir /tmp/rw-ap/htdocs/wp/] add path info postfix: /tmp/rw-ap/htdocs/wp/hello-world -> /tmp/rw-ap/htdocs/wp/hello-world/
[perdir /tmp/rw-ap/htdocs/wp/] strip per-dir prefix: /tmp/rw-ap/htdocs/wp/hello-world/ -> hello-world/
[perdir /tmp/rw-ap/htdocs/wp/] applying pattern '^index\.php$' to uri 'hello-world/'
[perdir /tmp/rw-ap/htdocs/wp/] add path info postfix: /tmp/rw-ap/htdocs/wp/hello-world -> /tmp/rw-ap/htdocs/wp/hello-world/
[perdir /tmp/rw-ap/htdocs/wp/] strip per-dir prefix: /tmp/rw-ap/htdocs/wp/hello-world/ -> hello-world/
[perdir /tmp/rw-ap/htdocs/wp/] applying pattern '.' to uri 'hello-world/'
[perdir /tmp/rw-ap/htdocs/wp/] rewrite 'hello-world/' -> '/wp/index.php'
[perdir /tmp/rw-ap/htdocs/wp/] setting lastsub to rule with output /wp/index.php
[perdir /tmp/rw-ap/htdocs/wp/] trying to replace prefix /tmp/rw-ap/htdocs/wp/ with /wp/
[perdir /tmp/rw-ap/htdocs/wp/] trying to replace context docroot /tmp/rw-ap/htdocs with context prefix 
[perdir /tmp/rw-ap/htdocs/wp/] internal redirect with /wp/index.php [INTERNAL REDIRECT]`
	var got []string
	for _, l := range res.Log {
		got = append(got, l.Text)
	}
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("trace:\n%s\nApache:\n%s", g, want)
	}

	// The second round leaves index.php alone.
	req = &Request{Method: "GET", URI: "/wp/index.php", DocumentRoot: apRoot, FS: apFS, Filename: apRoot + "/wp/index.php", TraceLevel: 3}
	res = Dir(rs, req)
	if res.Action != None || res.Log[len(res.Log)-1].Text != "[perdir /tmp/rw-ap/htdocs/wp/] pass through /tmp/rw-ap/htdocs/wp/index.php" {
		t.Errorf("second round: %v %v", res.Action, res.Log)
	}
	if !reflect.DeepEqual(res.Env, []EnvVar{{Name: "HTTP_AUTHORIZATION", Value: ""}}) {
		t.Errorf("env: %+v", res.Env)
	}
}

func TestServerContext(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		rules []string
		req   Request
		want  Result
	}{
		{"WordPress in server context", []string{"RewriteEngine On",
			`RewriteRule ^/index\.php$ - [L]`,
			"RewriteCond %{DOCUMENT_ROOT}%{REQUEST_FILENAME} !-f",
			"RewriteCond %{DOCUMENT_ROOT}%{REQUEST_FILENAME} !-d",
			"RewriteRule . /index.php [L]"},
			Request{URI: "/2024/hello"},
			Result{Action: File, Filename: apRoot + "/index.php"}},
		{"existing file", []string{"RewriteEngine On",
			"RewriteCond %{DOCUMENT_ROOT}%{REQUEST_FILENAME} !-f",
			"RewriteRule . /index.php [L]"},
			Request{URI: "/exists.html"},
			Result{}},
		{"file system path", []string{"RewriteEngine On", "RewriteRule ^/fs$ /tmp/rw-ap/htdocs/exists.html"},
			Request{URI: "/fs"},
			Result{Action: File, Filename: apRoot + "/exists.html"}},
		{"https redirect, other port", []string{"RewriteEngine On", "RewriteCond %{HTTPS} !=on", "RewriteRule ^/(.*) https://%{SERVER_NAME}/$1 [R=301,L]"},
			Request{URI: "/a b", Query: "x=1", ServerName: "example.org", ServerPort: 8080},
			Result{Action: Redirect, Status: 301, Location: "https://example.org/a%20b?x=1", Query: "x=1"}},
		{"relative redirect qualified with the port", []string{"RewriteEngine On", "RewriteRule ^/old$ /new [R]"},
			Request{URI: "/old", ServerName: "::1", ServerPort: 8080},
			Result{Action: Redirect, Status: 302, Location: "http://[::1]:8080/new"}},
		{"self reduction", []string{"RewriteEngine On", "RewriteRule ^/self$ http://example.org/exists.html"},
			Request{URI: "/self", ServerName: "example.org", ServerPort: 80, IsSelf: func(h string, p int) bool { return h == "example.org" && p == 80 }},
			Result{Action: File, Filename: apRoot + "/exists.html"}},
		{"PT", []string{"RewriteEngine On", "RewriteRule ^/pt/(.*)$ /alias/$1 [PT,QSA]"},
			Request{URI: "/pt/x", Query: "a=1"},
			Result{Action: PassThrough, URI: "/alias/x", Query: "a=1"}},
		{"QSA with new query", []string{"RewriteEngine On", "RewriteRule ^/q$ /t.html?b=2 [QSA]"},
			Request{URI: "/q", Query: "a=1"},
			Result{Action: File, Filename: apRoot + "/t.html", Query: "b=2&a=1", QueryChanged: true}},
		{"trailing ? drops the query", []string{"RewriteEngine On", "RewriteRule ^/q$ /t.html?"},
			Request{URI: "/q", Query: "a=1"},
			Result{Action: File, Filename: apRoot + "/t.html", QueryChanged: true}},
		{"T and E and CO", []string{"RewriteEngine On", `RewriteRule ^/(.*)\.txt$ - [T=Text/Plain,E=NAME:$1,E=!OLD,CO=seen:%{TIME_YEAR}:.example.org:60:/:secure:1:Lax]`},
			Request{URI: "/a.txt", Now: now},
			Result{Type: "text/plain", Env: []EnvVar{{Name: "NAME", Value: "a"}, {Name: "OLD", Unset: true}},
				Cookies: []string{"seen=2026; path=/; domain=.example.org; expires=Wed, 02-Dec-2026 04:04:05 GMT; secure; HttpOnly; SameSite=Lax"}}},
		{"Vary from headers", []string{"RewriteEngine On", "RewriteCond %{HTTP_USER_AGENT} Mobile [OR]", "RewriteCond %{HTTP:Accept-Language} ^fr",
			"RewriteCond %{HTTP_HOST} . ", "RewriteRule ^/$ /m.html"},
			Request{URI: "/", Headers: hdrs{"User-Agent": "x Mobile", "Accept-Language": "fr", "Host": "h"}},
			Result{Action: File, Filename: apRoot + "/m.html", Vary: "User-Agent"}},
		{"NV", []string{"RewriteEngine On", "RewriteCond %{HTTP_USER_AGENT} Mobile [NV]", "RewriteRule ^/$ /m.html"},
			Request{URI: "/", Headers: hdrs{"User-Agent": "Mobile"}},
			Result{Action: File, Filename: apRoot + "/m.html"}},
		{"B flag", []string{"RewriteEngine On", "RewriteRule ^/s/(.*)$ /search.php?q=$1 [B]"},
			Request{URI: "/s/a b&c"},
			Result{Action: File, Filename: apRoot + "/search.php", Query: "q=a+b%26c", QueryChanged: true}},
		{"BNP", []string{"RewriteEngine On", `RewriteRule ^/s/(.*)$ /search.php?q=$1 [B,BNP]`},
			Request{URI: "/s/a b&c/d"},
			Result{Action: File, Filename: apRoot + "/search.php", Query: "q=a%20b%26c%2fd", QueryChanged: true}},
		{"query with a space", []string{"RewriteEngine On", "RewriteRule ^/s/(.*)$ /search.php?q=$1"},
			Request{URI: "/s/a b"},
			Result{Action: Status, Status: 403, Query: "q=a b", QueryChanged: true,
				Log: []LogLine{{Text: "AH10410: Rewritten query string contains control characters or spaces"}}}},
		{"%3f from a backreference", []string{"RewriteEngine On", "RewriteRule ^/s/(.*)$ /x/$1"},
			Request{URI: "/s/a?b"},
			Result{Action: Status, Status: 403,
				Log: []LogLine{{Text: "AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F"}}}},
		{"N bounded", []string{"RewriteEngine On", "RewriteRule ^/a(.*)$ /a$1 [N=5]"},
			Request{URI: "/ab"},
			Result{Action: Status, Status: 500,
				Log: []LogLine{{Text: "AH02596: RewriteRule '^/a(.*)$' and URI '/ab' exceeded maximum number of rounds (5) via the [N] flag"}}}},
		{"N to a fixed point", []string{"RewriteEngine On", "RewriteRule ^/(.*)_(.*)$ /$1-$2 [N]"},
			Request{URI: "/a_b_c"},
			Result{Action: File, Filename: apRoot + "/a-b-c"}},
		{"length limit", []string{"RewriteEngine On", "RewriteRule ^/(.*)$ /$1$1$1$1"},
			Request{URI: "/" + strings.Repeat("x", 20), LimitRequestLine: 20},
			Result{Action: Status, Status: 500,
				Log: []LogLine{{Text: "RewriteRule '^/(.*)$' and URI '/xxxxxxxxxxxxxxxxxxxx' exceeded maximum length (40)"}}}},
		{"END", []string{"RewriteEngine On", "RewriteRule ^/a$ /b [END]", "RewriteRule ^/b$ /c"},
			Request{URI: "/a"},
			Result{Action: File, Filename: apRoot + "/b", End: true}},
		{"END earlier in the request", []string{"RewriteEngine On", "RewriteRule ^/a$ /b"},
			Request{URI: "/a", End: true},
			Result{}},
		{"not a URL path", []string{"RewriteEngine On", "RewriteRule .* /x"},
			Request{URI: "*"},
			Result{}},
		{"engine off", []string{"RewriteEngine Off", "RewriteRule .* /x"},
			Request{URI: "/a"},
			Result{}},
		{"dotdot above the root", []string{"RewriteEngine On", "RewriteRule ^/x/(.*)$ /y/$1"},
			Request{URI: "/x/../../etc/passwd"},
			Result{Action: Status, Status: 403, Log: []LogLine{{Text: "AH00127: Cannot map GET /x HTTP/1.1 to file"}}}},
		{"map with default", []string{"RewriteEngine On", "RewriteRule ^/m/(.*)$ /${lc:$1|dflt}.html"},
			Request{URI: "/m/X"},
			Result{Action: File, Filename: apRoot + "/dflt.html", Log: []LogLine{{Text: "map lookup FAILED: map=lc key=X"}}}},
		{"variables", []string{"RewriteEngine On",
			`RewriteCond %{REQUEST_METHOD}|%{REQUEST_SCHEME}|%{SERVER_PORT}|%{REMOTE_ADDR}|%{THE_REQUEST}|%{TIME}|%{TIME_WDAY}|%{IPV6}|%{HTTPS}|%{ENV:E1}|%{QUERY_STRING}|%{UNKNOWN}|%{HTTP_COOKIE} ^(.*)$`,
			"RewriteRule ^ - [E=ALL:%1]"},
			Request{URI: "/v", Method: "GET", ServerPort: 80, RemoteAddr: "10.0.0.1", TheRequest: "GET /v HTTP/1.1", Now: now, Env: mapEnv{"E1": "e"}, Query: "q", Headers: hdrs{"Cookie": "c=1"}},
			Result{Query: "q", Vary: "Cookie", Env: []EnvVar{{Name: "ALL", Value: "GET|http|80|10.0.0.1|GET /v HTTP/1.1|20261202030405|3|off|off|e|q||c=1"}}}},
		{"lexical and integer", []string{"RewriteEngine On",
			"RewriteCond %{HTTP:A} <b", "RewriteCond %{HTTP:A} >=a", "RewriteCond %{HTTP:N} -le10", "RewriteCond %{HTTP:N} !-eq3",
			"RewriteCond %{HTTP:A} =A [NC]", "RewriteRule ^ - [E=OK:1]"},
			Request{URI: "/", Headers: hdrs{"A": "a", "N": "007"}},
			Result{Env: []EnvVar{{Name: "OK", Value: "1"}}, Vary: "A, A, N, N, A"}},
		{"E then ENV, S, C", []string{"RewriteEngine On",
			"RewriteRule ^/x - [E=STAGE:one]",
			"RewriteCond %{ENV:STAGE} =one",
			"RewriteRule ^/x$ - [S=1,E=S:skipped]",
			"RewriteRule ^/x$ /no.html [L]",
			"RewriteRule ^/nomatch - [C]",
			"RewriteRule ^/x$ /chained.html [L]",
			"RewriteRule ^/x$ /yes.html [L]"},
			Request{URI: "/x"},
			Result{Action: File, Filename: apRoot + "/yes.html", Env: []EnvVar{{Name: "STAGE", Value: "one"}, {Name: "S", Value: "skipped"}}}},
		{"-s -l -x", []string{"RewriteEngine On",
			"RewriteCond /d/full -s", "RewriteCond /d/empty !-s", "RewriteCond /d/link -l", "RewriteCond /d/full !-l",
			"RewriteCond /d/script -x", "RewriteCond /d/full !-x", "RewriteCond /d/full -F", "RewriteRule ^ - [E=OK:1]"},
			Request{URI: "/", FS: fakeFS{"/d/full": "x", "/d/empty": "", "/d/link": "->/d/full", "/d/script": "#!"}},
			Result{Env: []EnvVar{{Name: "OK", Value: "1"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := ruleset(t, "", tc.rules...)
			req := tc.req
			if req.DocumentRoot == "" {
				req.DocumentRoot = apRoot
			}
			if req.FS == nil {
				req.FS = apFS
			}
			if req.Method == "" {
				req.Method = "GET"
			}
			if req.TheRequest == "" {
				req.TheRequest = "GET /x HTTP/1.1"
			}
			got := Server(rs, &req)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDirContext(t *testing.T) {
	for _, tc := range []struct {
		name  string
		dir   string
		rules []string
		req   Request
		want  Result
	}{
		{"relative redirect with RewriteBase", apRoot + "/blog", []string{"RewriteEngine On", "RewriteBase /blog/", "RewriteRule ^old$ new [R=301]"},
			Request{URI: "/blog/old", Filename: apRoot + "/blog/old", ServerName: "h", ServerPort: 80},
			Result{Action: Redirect, Status: 301, Location: "http://h/blog/new"}},
		{"relative redirect without RewriteBase", apRoot + "/blog", []string{"RewriteEngine On", "RewriteRule ^old$ new [R=301]"},
			Request{URI: "/blog/old", Filename: apRoot + "/blog/old", ServerName: "h", ServerPort: 80},
			Result{Action: Redirect, Status: 301, Location: "http://h" + apRoot + "/blog/new"}},
		{"relative rewrite without RewriteBase strips the DocumentRoot", apRoot + "/blog", []string{"RewriteEngine On", "RewriteRule ^old$ new"},
			Request{URI: "/blog/old", Filename: apRoot + "/blog/old"},
			Result{Action: InternalRedirect, URI: "/blog/new"}},
		{"alias context", "/srv/app", []string{"RewriteEngine On", "RewriteRule ^old$ new"},
			Request{URI: "/app/old", Filename: "/srv/app/old", ContextPrefix: "/app", ContextDocumentRoot: "/srv/app"},
			Result{Action: InternalRedirect, URI: "/app/new"}},
		{"same file: no redirect", apRoot + "/blog", []string{"RewriteEngine On", "RewriteRule ^(.*)$ $1 [QSD]"},
			Request{URI: "/blog/x", Filename: apRoot + "/blog/x", Query: "a=1"},
			Result{QueryChanged: true}},
		{"no slash: let mod_dir redirect", apRoot + "/blog", []string{"RewriteEngine On", "RewriteRule ^ /x"},
			Request{URI: "/blog", Filename: apRoot + "/blog"},
			Result{}},
		{"AllowNoSlash", apRoot + "/blog", []string{"RewriteEngine On", "RewriteOptions AllowNoSlash", "RewriteRule ^ /x"},
			Request{URI: "/blog", Filename: apRoot + "/blog"},
			Result{Action: InternalRedirect, URI: "/x"}},
		{"symlinks off", apRoot + "/blog", []string{"RewriteEngine On", "RewriteRule ^ /x"},
			Request{URI: "/blog/a", Filename: apRoot + "/blog/a", SymLinksOff: true},
			Result{Action: Status, Status: 403, Log: []LogLine{{Text: "AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule directive is also forbidden due to its similar ability to circumvent directory restrictions : " + apRoot + "/blog/a"}}}},
		{"path info and DPI", apRoot, []string{"RewriteEngine On", "RewriteRule ^index\\.php/(.*)$ - [E=P:$1]", "RewriteRule ^index\\.php/(.*)$ other.php [DPI]", "RewriteRule ^other\\.php(.*)$ - [E=Q:$1]"},
			Request{URI: "/index.php/a/b", Filename: apRoot + "/index.php", PathInfo: "/a/b"},
			Result{Action: InternalRedirect, URI: "/other.php", DiscardPathInfo: true, Env: []EnvVar{{Name: "P", Value: "a/b"}, {Name: "Q"}}}},
		{"dotfiles", apRoot, []string{"RewriteEngine On", `RewriteRule "(^|/)\." - [F]`},
			Request{URI: "/a/.git/config", Filename: apRoot + "/a", PathInfo: "/.git/config"},
			Result{Action: Status, Status: 403}},
		{"env in ENV of a later condition", apRoot, []string{"RewriteEngine On", "RewriteRule ^ - [E=protossl]", "RewriteCond %{HTTPS} on", "RewriteRule ^ - [E=protossl:s]",
			"RewriteCond %{HTTP_HOST} ^www\\.(.+)$ [NC]", "RewriteRule ^ http%{ENV:protossl}://%1%{REQUEST_URI} [L,R=301]"},
			Request{URI: "/node/1", Filename: apRoot + "/node", PathInfo: "/1", Scheme: "https", Headers: hdrs{"Host": "www.example.org"}},
			Result{Action: Redirect, Status: 301, Location: "https://example.org/node/1", Env: []EnvVar{{Name: "protossl"}, {Name: "protossl", Value: "s"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := ruleset(t, tc.dir, tc.rules...)
			req := tc.req
			req.DocumentRoot, req.FS, req.Method = apRoot, apFS, "GET"
			got := Dir(rs, &req)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestNothingToDo: without rules nothing is done and nothing allocated.
func TestNothingToDo(t *testing.T) {
	req := &Request{URI: "/x", Filename: "/var/www/x"}
	off := ruleset(t, "", "RewriteEngine Off", "RewriteRule .* /y")
	norules := ruleset(t, "/var/www", "RewriteEngine On")
	for name, rs := range map[string]*Ruleset{"nil": nil, "off": off, "no rules": norules} {
		if a := testing.AllocsPerRun(100, func() {
			if Server(rs, req).Action != None || Dir(rs, req).Action != None {
				t.Fatal("acted")
			}
		}); a != 0 {
			t.Errorf("%s: %v allocations", name, a)
		}
	}
}

func TestOSFS(t *testing.T) {
	dir := t.TempDir()
	f := dir + "/f"
	if err := os.WriteFile(f, []byte("abc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f, dir+"/l"); err != nil {
		t.Fatal(err)
	}
	var o OSFS
	if fi := o.Stat(f); !fi.Exists || !fi.Mode.IsRegular() || fi.Size != 3 || fi.Mode&0o100 == 0 {
		t.Errorf("file: %+v", fi)
	}
	if fi := o.Stat(dir); !fi.Mode.IsDir() {
		t.Errorf("dir: %+v", fi)
	}
	if fi := o.Lstat(dir + "/l"); fi.Mode&fs.ModeSymlink == 0 {
		t.Errorf("link: %+v", fi)
	}
	if fi := o.Stat(dir + "/l"); !fi.Mode.IsRegular() {
		t.Errorf("link target: %+v", fi)
	}
	if fi := o.Stat(dir + "/none"); fi.Exists {
		t.Errorf("missing: %+v", fi)
	}
}

// TestTraceLevel: only lines up to the level are produced; errors always.
func TestTraceLevel(t *testing.T) {
	rs := ruleset(t, apRoot+"/wp", wordpress...)
	for level, n := range map[int]int{0: 0, 1: 1, 2: 5, 3: 11} {
		req := &Request{Method: "GET", URI: "/wp/x", DocumentRoot: apRoot, FS: apFS,
			Filename: apRoot + "/wp/x", TraceLevel: level}
		res := Dir(rs, req)
		for _, l := range res.Log {
			if l.Level > level || l.Level == 0 {
				t.Errorf("level %d: line %+v", level, l)
			}
		}
		if len(res.Log) != n {
			t.Errorf("level %d: %d lines, want %d: %+v", level, len(res.Log), n, res.Log)
		}
	}
}

// TestFrameworkRules: rule sets shipped by frameworks, in their
// .htaccess (per-directory) form.
func TestFrameworkRules(t *testing.T) {
	symfony := []string{"RewriteEngine On",
		`RewriteCond %{REQUEST_URI}::$0 ^(/.+)/(.*)::\2$`,
		`RewriteRule .* - [E=BASE:%1]`,
		`RewriteCond %{HTTP:Authorization} .+`,
		`RewriteRule ^ - [E=HTTP_AUTHORIZATION:%0]`,
		`RewriteCond %{ENV:REDIRECT_STATUS} =""`,
		`RewriteRule ^index\.php(?:/(.*)|$) %{ENV:BASE}/$1 [R=301,L]`,
		`RewriteCond %{REQUEST_FILENAME} -f`,
		`RewriteRule ^ - [L]`,
		`RewriteRule ^ %{ENV:BASE}/index.php [L]`}
	h5bp := []string{"RewriteEngine On",
		`RewriteCond %{REQUEST_URI} "!(^|/)\.well-known/([^./]+./?)+$" [NC]`,
		`RewriteCond %{SCRIPT_FILENAME} -d [OR]`,
		`RewriteCond %{SCRIPT_FILENAME} -f`,
		`RewriteRule "(^|/)\." - [F]`}
	multisite := []string{"RewriteEngine On", "RewriteBase /",
		`RewriteRule ^([_0-9a-zA-Z-]+/)?wp-admin$ $1wp-admin/ [R=301,L]`,
		`RewriteCond %{REQUEST_FILENAME} -f [OR]`,
		`RewriteCond %{REQUEST_FILENAME} -d`,
		`RewriteRule ^ - [L]`,
		`RewriteRule ^([_0-9a-zA-Z-]+/)?(wp-(content|admin|includes).*) $2 [L]`,
		`RewriteRule ^([_0-9a-zA-Z-]+/)?(.*\.php)$ $2 [L]`,
		`RewriteRule . index.php [L]`}
	fsys := fakeFS{apRoot + "/app/index.php": "x", apRoot + "/.git/config": "x", apRoot + "/.well-known/acme/token1": "x",
		apRoot + "/wp-login.php": "x", apRoot + "/wp-admin/": ""}
	for _, tc := range []struct {
		name     string
		dir      string
		rules    []string
		uri      string
		file, pi string
		env      mapEnv
		want     Result
	}{
		{"symfony front controller", apRoot + "/app", symfony, "/app/blog/1", apRoot + "/app/blog", "/1", nil,
			Result{Action: InternalRedirect, URI: "/app/index.php", Env: []EnvVar{{Name: "BASE", Value: "/app"}}}},
		{"symfony index.php once redirected", apRoot + "/app", symfony, "/app/index.php/x", apRoot + "/app/index.php", "/x", nil,
			Result{Action: Redirect, Status: 301, Location: "http://h/app/x", Env: []EnvVar{{Name: "BASE", Value: "/app"}}}},
		{"symfony second round", apRoot + "/app", symfony, "/app/index.php", apRoot + "/app/index.php", "", mapEnv{"REDIRECT_STATUS": "200"},
			Result{Env: []EnvVar{{Name: "BASE", Value: "/app"}}}},
		{"h5bp dotfile", apRoot, h5bp, "/.git/config", apRoot + "/.git/config", "", nil, Result{Action: Status, Status: 403}},
		{"h5bp well-known", apRoot, h5bp, "/.well-known/acme/token1", apRoot + "/.well-known/acme/token1", "", nil, Result{}},
		{"multisite wp-admin slash", apRoot, multisite, "/site2/wp-admin", apRoot + "/site2", "/wp-admin", nil,
			Result{Action: Redirect, Status: 301, Location: "http://h/site2/wp-admin/"}},
		{"multisite php", apRoot, multisite, "/site2/wp-login.php", apRoot + "/site2", "/wp-login.php", nil,
			Result{Action: InternalRedirect, URI: "/wp-login.php"}},
		{"multisite page", apRoot, multisite, "/site2/about/", apRoot + "/site2", "/about/", nil,
			Result{Action: InternalRedirect, URI: "/index.php"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := ruleset(t, tc.dir, tc.rules...)
			req := &Request{Method: "GET", URI: tc.uri, Filename: tc.file, PathInfo: tc.pi, DocumentRoot: apRoot,
				FS: fsys, ServerName: "h", ServerPort: 80, Env: tc.env}
			if got := Dir(rs, req); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
