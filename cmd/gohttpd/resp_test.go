package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// rawResponse sends head (request line and headers, without the final
// empty line) on a new connection and reads the response.
func rawResponse(t *testing.T, addr, head string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", head, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%q: body: %v", head, err)
	}
	return resp, body
}

// gunzip decodes a gzip body.
func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// debianRespChecks: Debian's mods-enabled mime.conf (TypesConfig
// /etc/mime.types, its AddType, AddLanguage and AddCharset lines),
// setenvif.conf and deflate.conf (in <IfModule mod_filter.c>) at work,
// with what apache2 answers on the same tree.
func debianRespChecks(t *testing.T, addr, dir string) {
	type want struct{ ctype, enc, lang, vary, conn string }
	page, err := os.ReadFile(filepath.Join(dir, "www", "html", "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		head string
		want want
	}{
		// AddType application/x-gzip .gz .tgz (over mime.types' application/gzip)
		{"GET /archive.tgz HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n", want{ctype: "application/x-gzip"}},
		{"GET /data.gz HTTP/1.1\r\nHost: localhost\r\n", want{ctype: "application/x-gzip"}},
		// AddOutputFilterByType DEFLATE text/html ...
		{"GET /page.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip, deflate, br\r\n", want{ctype: "text/html", enc: "gzip", vary: "Accept-Encoding"}},
		{"GET /page.html HTTP/1.1\r\nHost: localhost\r\n", want{ctype: "text/html", vary: "Accept-Encoding"}},
		// AddLanguage en .en
		{"GET /hello.html.en HTTP/1.1\r\nHost: localhost\r\n", want{ctype: "text/html", lang: "en"}},
		// AddHandler type-map var, negotiation.conf's LanguagePriority
		{"GET /hello.var HTTP/1.1\r\nHost: localhost\r\nAccept-Language: de, en;q=0.5\r\n", want{ctype: "text/html", lang: "de", vary: "negotiate,accept-language"}},
		{"GET /hello.var HTTP/1.1\r\nHost: localhost\r\n", want{ctype: "text/html", lang: "en", vary: "negotiate,accept-language"}},
		// BrowserMatch "Mozilla/2" nokeepalive
		{"GET /hello.html.en HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/2.0 (compatible)\r\n", want{ctype: "text/html", lang: "en", conn: "close"}},
	} {
		resp, body := rawResponse(t, addr, c.head)
		got := want{resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"),
			resp.Header.Get("Content-Language"), resp.Header.Get("Vary"), resp.Header.Get("Connection")}
		if resp.Close { // net/http takes "Connection: close" out of Header
			got.conn = "close"
		}
		if resp.StatusCode != 200 || got != c.want {
			t.Errorf("%q = %d %+v, want 200 %+v", c.head, resp.StatusCode, got, c.want)
			continue
		}
		if got.enc == "gzip" && strings.Contains(c.head, "/page.html") {
			if d := gunzip(t, body); !bytes.Equal(d, page) {
				t.Errorf("%q: decoded body of %d bytes, want page.html's %d", c.head, len(d), len(page))
			}
			if et := resp.Header.Get("ETag"); !strings.HasSuffix(et, `-gzip"`) {
				t.Errorf("%q: ETag %s, want the -gzip one", c.head, et)
			}
		}
	}
}

// TestRespThroughBinary: Header, Expires, SetEnvIf/SetEnv (with
// "Require env"), mod_mime and compression (gzip and brotli, from the
// compressed-file cache) in a real master and its event-engine children,
// with a configuration an Apache user would write. A client that reads
// a large compressed response slowly holds no worker: the body is a
// cached file the engine's write completion sends.
func TestRespThroughBinary(t *testing.T) {
	css := strings.Repeat("body { margin: 0; padding: 0; color: #333; }\n", 2300) // ~100 KB
	// Large and only partly compressible: its gzip copy outgrows the
	// socket buffers.
	var big strings.Builder
	seed := uint32(1)
	for big.Len() < 12<<20 {
		seed = seed*1664525 + 1013904223
		big.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[seed>>26])
		if big.Len()%77 == 0 {
			big.WriteByte('\n')
		}
	}
	s := mpmtestStart(t, []string{
		`ThreadsPerChild 4`, `StartServers 1`, `MinSpareThreads 1`, `MaxSpareThreads 8`, `ServerLimit 2`, `MaxRequestWorkers 8`,
		`AddType text/css .css`,
		`AddCharset UTF-8 .utf8`,
		`SetEnvIfNoCase User-Agent "legacy" no-gzip`,
		`BrowserMatch "Mozilla/2" nokeepalive`,
		`AddOutputFilterByType BROTLI_COMPRESS text/css`,
		`AddOutputFilterByType DEFLATE text/html text/plain text/css`,
		`Header always set X-Frame-Options DENY`,
		`Header set X-Env "%{MYVAR}e"`,
		`SetEnv MYVAR v1`,
		`ExpiresActive On`,
		`ExpiresByType text/css "access plus 1 month"`,
		`<Directory htdocs/secret>`, `    SetEnvIf X-Key "^open$" key_ok`, `    Require env key_ok`, `</Directory>`,
	}, map[string]string{"style.css": css, "big.txt": big.String(), "secret/a.txt": "secret\n", "notes.txt.utf8": "notes\n"})

	resp, body := rawResponse(t, s.Addr, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n")
	if resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Vary") != "Accept-Encoding" ||
		!strings.HasSuffix(resp.Header.Get("ETag"), `-br"`) || resp.Header.Get("Cache-Control") != "max-age=2592000" ||
		resp.Header.Get("X-Env") != "v1" || resp.Header.Get("X-Frame-Options") != "DENY" || len(body) >= len(css)/4 {
		t.Errorf("br: %d %v, %d bytes", resp.StatusCode, resp.Header, len(body))
	}
	resp, _ = rawResponse(t, s.Addr, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\n")
	if resp.Header.Get("Content-Encoding") != "br" { // BROTLI_COMPRESS is named first
		t.Errorf("gzip, br: Content-Encoding %q, want br", resp.Header.Get("Content-Encoding"))
	}
	resp, body = rawResponse(t, s.Addr, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br;q=0\r\n")
	if resp.Header.Get("Content-Encoding") != "gzip" || string(gunzip(t, body)) != css {
		t.Errorf("gzip, br;q=0: %v, %d bytes", resp.Header, len(body))
	}
	resp, _ = rawResponse(t, s.Addr, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nUser-Agent: Legacy/1\r\n")
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("no-gzip: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	resp, _ = rawResponse(t, s.Addr, "GET /notes.txt.utf8 HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/2.0\r\n")
	if resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !resp.Close {
		t.Errorf("notes.txt.utf8 with Mozilla/2: %v close=%v", resp.Header, resp.Close)
	}
	resp, _ = rawResponse(t, s.Addr, "GET /nope HTTP/1.1\r\nHost: x\r\n")
	if resp.StatusCode != 404 || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Env") != "" {
		t.Errorf("404: %d %v (want only the always header)", resp.StatusCode, resp.Header)
	}
	for key, code := range map[string]int{"": 403, "X-Key: open\r\n": 200} {
		if resp, _ := rawResponse(t, s.Addr, "GET /secret/a.txt HTTP/1.1\r\nHost: x\r\n"+key); resp.StatusCode != code {
			t.Errorf("secret with %q: %d, want %d", key, resp.StatusCode, code)
		}
	}

	// The compressed copies are in the cache under the runtime
	// directory (PidFile's), never in the DocumentRoot.
	filepath.WalkDir(filepath.Join(s.Dir, "htdocs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(d.Name(), ".gz") || strings.Contains(d.Name(), ".br")) {
			t.Errorf("compressed copy in the DocumentRoot: %s", p)
		}
		return nil
	})
	if ents, err := os.ReadDir(filepath.Join(s.Dir, "logs", "gohttpd-compress")); err != nil || len(ents) == 0 {
		t.Errorf("cache directory: %v, %d entries", err, len(ents))
	}

	// A slow reader of a large gzip response holds no worker.
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	io.WriteString(c, "GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := br.ReadString('\n')
	if err != nil || !strings.Contains(line, " 200 ") {
		t.Fatalf("big.txt: %q %v", line, err)
	}
	waitBusy(t, s.StatusAuto, 1) // the status request itself
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	r, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader(line), br)), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || r.Header.Get("Content-Encoding") != "gzip" || string(gunzip(t, got)) != big.String() {
		t.Errorf("big.txt gzip: %v, %d bytes, %v", err, len(got), r.Header)
	}
}

// mpmtestStart starts the event engine with directives and the files
// (names relative to the DocumentRoot).
func mpmtestStart(t *testing.T, directives []string, files map[string]string) *mpmtest.Server {
	t.Helper()
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: directives})
	docs := make(map[string]string, len(files))
	for k, v := range files {
		docs[filepath.Join("htdocs", k)] = v
	}
	mkfiles(t, s.Dir, docs)
	return s
}

// waitBusy waits until the status page counts want busy workers.
func waitBusy(t *testing.T, status func() (map[string]string, error), want int) {
	t.Helper()
	last := ""
	mpmtest.WaitFor(t, 15*time.Second, "BusyWorkers "+strconv.Itoa(want), func() bool {
		m, err := status()
		if err != nil {
			return false
		}
		last = m["BusyWorkers"]
		return last == strconv.Itoa(want)
	})
	if t.Failed() {
		t.Logf("BusyWorkers %s", last)
	}
}
