package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// getAuth fetches path with Basic credentials (user "" for none) and
// returns the status and the WWW-Authenticate header.
func getAuth(t *testing.T, s *mpmtest.Server, path, user, pass string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

func wantStatus(t *testing.T, s *mpmtest.Server, path string, want int) {
	t.Helper()
	code, body, err := s.Get(path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if code != want {
		t.Errorf("GET %s = %d, want %d (%s)", path, code, want, body)
	}
}

func mkfiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSectionsThroughBinary runs access control, Options and .htaccess
// in a real master and its children.
func TestSectionsThroughBinary(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		`<FilesMatch "^\.ht">`, `    Require all denied`, `</FilesMatch>`,
		`<Location /status-ip>`, `    SetHandler server-status`, `    Require ip 10.0.0.0/8`, `</Location>`,
		`<Location /status-local>`, `    SetHandler server-status`, `    Require local`, `</Location>`,
		`<Directory htdocs/members>`, `    AuthType Basic`, `    AuthName "Members"`,
		`    AuthUserFile htpasswd`, `    Require valid-user`, `</Directory>`,
		`<Directory htdocs/ht-auth>`, `    AllowOverride AuthConfig`, `</Directory>`,
		`<Directory htdocs/ht-none>`, `    AllowOverride None`, `</Directory>`,
		`<Directory htdocs/nolinks>`, `    Options -FollowSymLinks`, `</Directory>`,
	}, Files: map[string][]byte{".htpasswd": []byte("x:y\n")}})
	docroot := filepath.Join(s.Dir, "htdocs")
	outside := filepath.Join(s.Dir, "outside")
	mkfiles(t, s.Dir, map[string]string{
		"htpasswd":                  "alice:$apr1$vAFSQVAc$.4U3iJfu0rZE15U90o6aX/\n", // builder
		"outside/page.txt":          "outside\n",
		"htdocs/members/index.html": "members\n",
		"htdocs/ht-auth/.htaccess":  "Require all denied\n",
		"htdocs/ht-auth/page.html":  "page\n",
		"htdocs/ht-none/.htaccess":  "Require all denied\n",
		"htdocs/ht-none/page.html":  "page\n",
		"htdocs/nolinks/plain.txt":  "plain\n",
	})
	for link, target := range map[string]string{
		"link.txt":         filepath.Join(outside, "page.txt"),
		"nolinks/link.txt": filepath.Join(outside, "page.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(docroot, link)); err != nil {
			t.Fatal(err)
		}
	}

	wantStatus(t, s, "/.htpasswd", 403)
	wantStatus(t, s, "/.htmissing", 403)
	wantStatus(t, s, "/status-ip", 403)
	wantStatus(t, s, "/status-local?auto", 200)
	wantStatus(t, s, "/ht-auth/page.html", 403)
	wantStatus(t, s, "/ht-none/page.html", 200)
	wantStatus(t, s, "/link.txt", 200)
	wantStatus(t, s, "/nolinks/link.txt", 403)
	wantStatus(t, s, "/nolinks/plain.txt", 200)

	if code, www := getAuth(t, s, "/members/", "", ""); code != 401 || www != `Basic realm="Members"` {
		t.Errorf("GET /members/ = %d %q, want 401 with the realm", code, www)
	}
	if code, _ := getAuth(t, s, "/members/", "alice", "wrong"); code != 401 {
		t.Errorf("GET /members/ with a wrong password = %d, want 401", code)
	}
	if code, _ := getAuth(t, s, "/members/", "alice", "builder"); code != 200 {
		t.Errorf("GET /members/ as alice = %d, want 200", code)
	}

	mpmtest.WaitFor(t, 10*time.Second, "the access log line with %u", func() bool {
		return strings.Contains(strings.Join(s.ReadLog("access_log"), "\n"), `- alice [`)
	})
	wantErrors := []string{
		"AH01630: client denied by server configuration: " + docroot + "/.htpasswd",
		"AH01630: client denied by server configuration: " + docroot + "/status-ip",
		"AH01630: client denied by server configuration: " + docroot + "/ht-auth/page.html",
		"AH00037: Symbolic link not allowed or link target not accessible: " + docroot + "/nolinks/link.txt",
		`AH01617: user alice: authentication failure for "/members/": Password Mismatch`,
	}
	// Each child writes its own lines: wait until they are all there (or
	// the deadline passes), then say which are missing.
	waitUntil(10*time.Second, func() bool {
		log := s.ErrorLog()
		for _, want := range wantErrors {
			if !strings.Contains(log, want) {
				return false
			}
		}
		return true
	})
	for _, want := range wantErrors {
		if !strings.Contains(s.ErrorLog(), want) {
			t.Errorf("error log lacks %q:\n%s", want, s.ErrorLog())
		}
	}
}

// TestGracefulRestartBadSection: a graceful restart with a bad regular
// expression in a section logs the error with file and line, and the
// running generation keeps its configuration (its access rules too).
func TestGracefulRestartBadSection(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{
		`<Files "secret.txt">`, `    Require all denied`, `</Files>`,
	}, Files: map[string][]byte{"secret.txt": []byte("secret\n")}})
	wantStatus(t, s, "/secret.txt", 403)
	f, err := os.OpenFile(s.Conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(mustRead(t, s.Conf), "\n")
	f.WriteString("<LocationMatch \"(\">\n    Require all denied\n</LocationMatch>\n")
	f.Close()
	s.Signal(syscall.SIGUSR1)
	want := s.Conf + ":" + strconv.Itoa(lines+1) + ": <LocationMatch>: Regex could not be compiled"
	mpmtest.WaitFor(t, 10*time.Second, "the configuration error in the error log", func() bool {
		return strings.Contains(s.ErrorLog(), want)
	})
	wantStatus(t, s, "/secret.txt", 403)
	wantStatus(t, s, "/index.html", 200)
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitUntil polls cond until it holds or d passes; the caller then checks
// and reports what is still missing.
func waitUntil(d time.Duration, cond func() bool) {
	for end := time.Now().Add(d); !cond() && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
}
