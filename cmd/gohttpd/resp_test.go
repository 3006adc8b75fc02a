package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		if got.enc == "gzip" {
			if d := gunzip(t, body); !bytes.Equal(d, page) {
				t.Errorf("%q: decoded body of %d bytes, want page.html's %d", c.head, len(d), len(page))
			}
			if et := resp.Header.Get("ETag"); !strings.HasSuffix(et, `-gzip"`) {
				t.Errorf("%q: ETag %s, want the -gzip one", c.head, et)
			}
		}
	}
}

// debianTypeMapRefused: the stock mime.conf's "AddHandler type-map var"
// line, left out of testdata/debian, is refused with file and line
// (mod_negotiation's type-map handler is not implemented).
func debianTypeMapRefused(t *testing.T, bin, dir string, env []string) {
	mime := filepath.Join(dir, "mods-enabled", "mime.conf")
	data, err := os.ReadFile(mime)
	if err != nil {
		t.Fatal(err)
	}
	stock := strings.Replace(string(data), "#AddHandler type-map var", "AddHandler type-map var", 1)
	if err := os.WriteFile(mime, []byte(stock), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(mime, data, 0o644)
	check := exec.Command(bin, "-f", filepath.Join(dir, "apache2.conf"), "-t")
	check.Env = env
	out, err := check.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "mime.conf:") || !strings.Contains(string(out), "'AddHandler type-map var'") {
		t.Errorf("-t with the stock AddHandler type-map var: %v\n%s", err, out)
	}
}
