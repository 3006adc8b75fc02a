package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestHTTPSStatusColumns: on every engine, a status page fetched over
// TLS shows its own request's SSL protocol and cipher in the worker
// table (mod_ssl's names), also where HTTP/2 is on and the request
// came over HTTP/1.1 (ALPN http/1.1).
func TestHTTPSStatusColumns(t *testing.T) {
	for _, tc := range []struct{ mpmName, protocols string }{
		{"event", ""}, {"worker", ""}, {"prefork", ""},
		{"event", "Protocols h2 http/1.1"}, {"worker", "Protocols h2 http/1.1"}, {"prefork", "Protocols h2 http/1.1"},
	} {
		mpmName := tc.mpmName
		name := mpmName
		if tc.protocols != "" {
			name += "-h2"
		}
		t.Run(name, func(t *testing.T) {
			s, addr := startHTTPS(t, mpmName, "ExtendedStatus On", tc.protocols,
				"<Location /server-status>", "SetHandler server-status", "</Location>")
			if code, _, err := s.Get("/hello.txt"); err != nil || code != 200 {
				t.Fatalf("plain request: %d %v", code, err)
			}
			status, body, _, _ := tlsGet(t, addr, "a.test", "a.test", "/server-status", nil)
			if status != "200 OK" {
				t.Fatalf("/server-status over TLS: %s", status)
			}
			for _, want := range []string{
				"<th>SSL Protocol</th><th>SSL Cipher</th>",
				"GET /server-status HTTP/1.1</td><td>TLSv1.3</td><td nowrap>TLS_AES_128_GCM_SHA256</td>",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("status page lacks %q\n%s", want, body)
				}
			}
		})
	}
}

// TestHTTPSPlainHTTPLogged: plain HTTP on a TLS port is logged as Apache
// 2.4.71 logs it, on every engine: the access log line of the request
// mod_ssl fakes ("GET / HTTP/1.0" 400 <body bytes>, SSL_PROTOCOL "-") in
// the log of the server the address selects, and at LogLevel info
// "[ssl:info] ... [client ...] AH01996: SSL handshake failed: HTTP spoken
// on HTTPS port; trying to send HTML error page".
func TestHTTPSPlainHTTPLogged(t *testing.T) {
	for _, mpmName := range []string{"event", "worker", "prefork"} {
		t.Run(mpmName, func(t *testing.T) {
			s, addr := startHTTPS(t, mpmName, "LogLevel info",
				`LogFormat "%h %V \"%r\" %>s %b %{SSL_PROTOCOL}x" plain`, "CustomLog logs/plain_log plain")
			code, body := rawGet(t, addr, "GET /foo HTTP/1.1\r\nHost: b.test\r\n")
			if code != 400 {
				t.Fatalf("plain HTTP on the TLS port: %d", code)
			}
			want := fmt.Sprintf(`127.0.0.1 a.test "GET / HTTP/1.0" 400 %d -`, len(body))
			mpmtest.WaitFor(t, 10*time.Second, "the access log line", func() bool {
				return slices.Contains(s.ReadLog("plain_log"), want)
			})
			mpmtest.WaitFor(t, 10*time.Second, "AH01996", func() bool {
				return strings.Contains(s.ErrorLog(), "[ssl:info]") && strings.Contains(s.ErrorLog(),
					"AH01996: SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page")
			})
			for _, l := range strings.Split(s.ErrorLog(), "\n") {
				if strings.Contains(l, "AH01996") {
					t.Log(l)
				}
			}
		})
	}
}

// TestHTTPSLargeFileWriteCompletion: through the binary's event engine,
// a 16 MiB static file over TLS to a client that stops reading leaves no
// worker busy (the status page counts only its own request), then
// arrives whole, followed by close_notify after Connection: close.
func TestHTTPSLargeFileWriteCompletion(t *testing.T) {
	s, addr := startHTTPS(t, "event", "ExtendedStatus On", "ThreadsPerChild 4", "MaxRequestWorkers 4",
		"<Location /server-status>", "SetHandler server-status", "</Location>")
	body := make([]byte, 16<<20)
	for i := range body {
		body[i] = byte(i*7 + i>>12)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "htdocs", "large.bin"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 128<<10) })
	}}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	rec := &lastRecord{Conn: raw}
	c := tls.Client(rec, &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET /large.bin HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("response: %v %v", resp, err)
	}
	mpmtest.WaitFor(t, 10*time.Second, "the response in write completion, no worker busy but the status request", func() bool {
		_, b, err := s.Get("/server-status?auto")
		return err == nil && strings.Contains(string(b), "\nBusyWorkers: 1\n") && strings.Contains(string(b), "\nConnsAsyncWriting: 1\n")
	})
	got, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("body: %d bytes, %v; want the %d bytes", len(got), err, len(body))
	}
	io.Copy(io.Discard, br)
	if typ := rec.last(); typ != 0x15 {
		t.Errorf("last TLS record type %#x, want 0x15 (close_notify)", typ)
	}
}

// lastRecord keeps the bytes the server sent, to find its last TLS
// record's type.
type lastRecord struct {
	net.Conn
	got []byte
}

func (r *lastRecord) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.got = append(r.got, p[:n]...)
	return n, err
}

func (r *lastRecord) last() byte {
	var typ byte
	for b := r.got; len(b) >= 5; {
		n := 5 + (int(b[3])<<8 | int(b[4]))
		if n > len(b) {
			break
		}
		typ, b = b[0], b[n:]
	}
	return typ
}
