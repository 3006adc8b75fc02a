package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// TestHTAccessCache: an .htaccess file is parsed once and used while its
// size, mtime and inode stay; a change, a removal or a new file is seen
// on the next request (one stat per directory level and request).
func TestHTAccessCache(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"htdocs/d/page.html": "page\n"})
	cfg := loadSections(t, base, "<Directory @B@/htdocs/d>\n  AllowOverride AuthConfig\n</Directory>\n")
	s, addr := startSite(t, cfg, Options{})
	ht := filepath.Join(base, "htdocs/d/.htaccess")
	status := func() int { return get(t, addr, req("GET", "/d/page.html")).StatusCode() }

	if got := status(); got != 200 {
		t.Fatalf("without .htaccess: %d, want 200", got)
	}
	if err := os.WriteFile(ht, []byte("Require all denied\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != 403 {
		t.Fatalf("after writing Require all denied: %d, want 403", got)
	}
	s.main.ht.mu.Lock()
	first := s.main.ht.entries[ht]
	s.main.ht.mu.Unlock()
	for range 3 {
		if got := status(); got != 403 {
			t.Fatalf("again: %d, want 403", got)
		}
	}
	s.main.ht.mu.Lock()
	again := s.main.ht.entries[ht]
	s.main.ht.mu.Unlock()
	if first == nil || first != again {
		t.Errorf("the unchanged file was parsed again (%p, %p)", first, again)
	}
	// Same size (19 bytes), later mtime.
	if err := os.WriteFile(ht, []byte("Require all granted"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(ht, later, later); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != 200 {
		t.Fatalf("after a rewrite of the same size: %d, want 200", got)
	}
	if err := os.WriteFile(ht, []byte("Require all grante\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != 500 { // Apache: "Argument for 'Require all' must be 'granted' or 'denied'"
		t.Fatalf("after a broken rewrite: %d, want 500", got)
	}
	if err := os.WriteFile(ht, []byte("Require all granted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != 200 {
		t.Fatalf("after Require all granted: %d, want 200", got)
	}
	if err := os.WriteFile(ht, []byte("Require all denied\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != 403 {
		t.Fatalf("after Require all denied again: %d, want 403", got)
	}
	if err := os.Remove(ht); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != 200 {
		t.Fatalf("after removing .htaccess: %d, want 200", got)
	}
}

// TestAllowOverrideNoneReadsNothing: with AllowOverride None an .htaccess
// is never opened, even a broken one; AccessFileName names the files.
func TestAllowOverrideNoneReadsNothing(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"htdocs/none/page.html": "p\n", "htdocs/none/.htaccess": "Bogus\n",
		"htdocs/acl/page.html": "p\n", "htdocs/acl/.acl": "Require all denied\n", "htdocs/acl/.htaccess": "Bogus\n",
	})
	cfg := loadSections(t, base, "AccessFileName .acl\n<Directory @B@/htdocs/acl>\n  AllowOverride All\n</Directory>\n")
	s, addr := startSite(t, cfg, Options{})
	if got := get(t, addr, req("GET", "/none/page.html")).StatusCode(); got != 200 {
		t.Errorf("AllowOverride None: %d, want 200", got)
	}
	if got := get(t, addr, req("GET", "/acl/page.html")).StatusCode(); got != 403 {
		t.Errorf("AccessFileName .acl: %d, want 403", got)
	}
	r := s.main.resolve([]byte("/none/page.html"), time.Now())
	if len(r.deps) != 0 {
		t.Errorf("AllowOverride None resolution depends on %v", r.deps)
	}
}

// TestSectionMatching: which sections apply to which request, on the
// site side (wildcards, regexes with PCRE features, Files by base name,
// Location prefixes on segment boundaries, nested Files).
func TestSectionMatching(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"htdocs/home/bob/public/x.html": "x", "htdocs/home/bob/private/x.html": "x",
		"htdocs/img/a.PNG": "p", "htdocs/img/b.png": "p", "htdocs/doc/readme.txt": "r",
		"htdocs/doc/notes.txt": "n", "htdocs/api/v1": "v", "htdocs/apix": "a", "htdocs/other": "o",
	})
	cfg := loadSections(t, base, `
<Directory @B@/htdocs/home/*/private>
  Require all denied
</Directory>
<FilesMatch "(?i)\.png$">
  Require all denied
</FilesMatch>
<Directory @B@/htdocs/doc>
  <Files "notes.*">
    Require all denied
  </Files>
</Directory>
<Location /api>
  Require all denied
</Location>
<LocationMatch "^/(?!img|doc|home|api)(?<x>[a-z]+)$">
  Require all denied
</LocationMatch>
`)
	_, addr := startSite(t, cfg, Options{})
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/home/bob/public/x.html", 200},
		{"/home/bob/private/x.html", 403},
		{"/img/a.PNG", 403},
		{"/img/b.png", 403},
		{"/doc/readme.txt", 200},
		{"/doc/notes.txt", 403},
		{"/api/v1", 403},
		{"/apix", 200},  // /api does not match /apix; the lookahead excludes it
		{"/other", 403}, // the LocationMatch
		{"/img/", 403},  // no index: Apache's 403
	} {
		if got := get(t, addr, req("GET", tc.path)).StatusCode(); got != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, got, tc.want)
		}
	}
}

// TestResolveCacheBounded: the per-path cache does not grow past its
// bound under many distinct paths.
func TestResolveCacheBounded(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"htdocs/index.html": "i"})
	cfg := loadSections(t, base, "<Location /x>\n</Location>\n")
	s, _ := startSite(t, cfg, Options{})
	now := time.Now()
	for i := range maxResolved + 10 {
		s.main.resolve([]byte("/x"+strings.Repeat("a", i%7)+string(rune('a'+i%26))+itoa(i)), now)
	}
	n := s.main.cache.size()
	if n > maxResolved {
		t.Errorf("cache holds %d entries, bound %d", n, maxResolved)
	}
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// TestGrantsAll: the trees whose evaluation is skipped (without debug
// logging) grant every request whatever its method, address or user.
func TestGrantsAll(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"Require all granted\n", true},
		{"Require all denied\n", false},
		{"Require all granted\nRequire ip 10.1\n", true},
		{"<RequireAll>\nRequire all granted\nRequire ip 10.1\n</RequireAll>\n", false},
		{"<RequireAll>\nRequire all granted\n</RequireAll>\n", true},
		{"<RequireAll>\nRequire all granted\n<RequireNone>\nRequire ip 10.1\n</RequireNone>\n</RequireAll>\n", false},
		{"<RequireAll>\nRequire not ip 10.1\nRequire all granted\n</RequireAll>\n", false},
		{"<Limit GET>\nRequire all granted\n</Limit>\n", false},
		{"Require valid-user\n", false},
	} {
		d, err := conf.ParseHTAccess("/x/.htaccess", []byte(tc.text), conf.Override{Mask: conf.OverrideAll, Set: true}, "/")
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if got := grantsAll(d.Auth.Require); got != tc.want {
			t.Errorf("grantsAll(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestResolveConcurrent: resolutions from many goroutines, over paths
// that come and go and an .htaccess file being rewritten, agree with a
// fresh walk (run with -race).
func TestResolveConcurrent(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{"htdocs/d/page.html": "p", "htdocs/open.html": "o"})
	cfg := loadSections(t, base, "<Directory @B@/htdocs/d>\n  AllowOverride AuthConfig\n</Directory>\n<FilesMatch \"^x\">\n  Require all denied\n</FilesMatch>\n")
	s, _ := startSite(t, cfg, Options{})
	v := s.main
	ht := filepath.Join(base, "htdocs/d/.htaccess")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			body := "Require all granted\n"
			if i%2 == 0 {
				body = "Require all denied\n"
			}
			os.WriteFile(ht, []byte(body), 0o644)
			time.Sleep(time.Millisecond)
		}
	}()
	errs := make(chan string, 8)
	for g := range 8 {
		go func() {
			now := time.Now()
			for i := range 3000 {
				p := "/x" + itoa((g*7919+i)%500) // denied by the FilesMatch
				if r := v.resolve([]byte(p), now); r.cfg.Auth == nil || grantsAll(r.cfg.Auth.Require) {
					errs <- "path " + p + " not denied"
					return
				}
				if r := v.resolve([]byte("/open.html"), now); r.cfg.Auth != nil {
					errs <- "/open.html has access control"
					return
				}
				v.resolve([]byte("/d/page.html"), now)
			}
			errs <- ""
		}()
	}
	for range 8 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
	<-done
}

// TestSetHandlerAnywhere: SetHandler in <Files>, <Directory> and
// .htaccess (FileInfo) picks the handler, as in a <Location>; SetHandler
// None in a later section gives the file back.
func TestSetHandlerAnywhere(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, map[string]string{
		"htdocs/st.txt": "file", "htdocs/d/x.txt": "file", "htdocs/h/y.txt": "file",
		"htdocs/h/.htaccess": "SetHandler server-status\n", "htdocs/d/plain.txt": "plain",
	})
	cfg := loadSections(t, base, `
<Files st.txt>
  SetHandler server-status
</Files>
<Directory @B@/htdocs/d>
  SetHandler server-status
</Directory>
<Directory @B@/htdocs/h>
  AllowOverride FileInfo
</Directory>
<Location /d/plain.txt>
  SetHandler None
</Location>
`)
	named := func(name string) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString(name) }
	}
	_, addr := startSite(t, cfg, Options{Handlers: map[string]fasthttp.RequestHandler{"server-status": named("status")}})
	for path, want := range map[string]string{"/st.txt": "status", "/d/x.txt": "status", "/h/y.txt": "status", "/d/plain.txt": "plain"} {
		if got := string(get(t, addr, req("GET", path)).Body()); got != want {
			t.Errorf("GET %s = %q, want %q", path, got, want)
		}
	}
}
