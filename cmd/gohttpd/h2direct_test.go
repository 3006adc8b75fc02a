package main

//lint:file-ignore SA1019 x/net/http2's client on purpose: a ClientConn over a TLS conn we dialed

import (
	"crypto/tls"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

var addr3RE = regexp.MustCompile(`listening .*addr=(127\.0\.0\.3:[0-9]+)`)

// TestH2DirectTLS: "H2Direct on" in an SSL <VirtualHost> with Protocols
// h2 lets a client that did not negotiate h2 by ALPN (it offered only
// http/1.1, or nothing) start HTTP/2 with the client preface right after
// the handshake; with H2Direct off (Apache's default over TLS) the preface
// is an HTTP/1.1 request and gets 400. Apache 2.4.71 with mod_http2 on
// loopback answers the same: SETTINGS and then the file over h2 with
// H2Direct on, "HTTP/1.1 400 Bad Request" with it off. HTTP/1.1 clients of
// the H2Direct vhost lose none of their bytes, also when the first record
// holds only part of the request or a part of the preface. As in Apache
// (checked with name-based vhosts and openssl s_client -servername), the
// H2Direct that counts is the one of the first <VirtualHost> of the
// address, not the one SNI selects.
func TestH2DirectTLS(t *testing.T) {
	dir := mpmtest.ReadableTempDir(t)
	cert, key := writeTestCert(t, dir)
	vhosts := []string{
		"Listen 127.0.0.2:0 https",
		"Listen 127.0.0.3:0 https",
		"<VirtualHost 127.0.0.2:*>",
		"ServerName localhost",
		"SSLEngine on",
		"SSLCertificateFile " + cert,
		"SSLCertificateKeyFile " + key,
		"Protocols h2 http/1.1",
		"H2Direct on",
		"</VirtualHost>",
		"<VirtualHost 127.0.0.3:*>",
		"ServerName localhost",
		"SSLEngine on",
		"SSLCertificateFile " + cert,
		"SSLCertificateKeyFile " + key,
		"Protocols h2 http/1.1",
		"</VirtualHost>",
		// Name-based vhosts after the first: H2Direct is the first one's
		// (Apache: the connection's base server, whatever SNI chose).
		"<VirtualHost 127.0.0.2:*>",
		"ServerName other.test",
		"SSLEngine on",
		"SSLCertificateFile " + cert,
		"SSLCertificateKeyFile " + key,
		"Protocols h2 http/1.1",
		"H2Direct off",
		"</VirtualHost>",
		"<VirtualHost 127.0.0.3:*>",
		"ServerName direct.test",
		"SSLEngine on",
		"SSLCertificateFile " + cert,
		"SSLCertificateKeyFile " + key,
		"Protocols h2 http/1.1",
		"H2Direct on",
		"</VirtualHost>",
	}
	probe := filepath.Join(dir, "probe.conf")
	text := strings.Join(append([]string{"ServerRoot " + dir, "Listen 127.0.0.1:0", "DocumentRoot " + dir,
		"PidFile pid", "ErrorLog error_log"}, vhosts...), "\n") + "\n"
	if err := os.WriteFile(probe, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mpmtest.Binary(t), "-t", "-f", probe).CombinedOutput(); err != nil {
		t.Skipf("gohttpd -t refuses the SSL configuration:\n%s", out)
	}
	out, err := exec.Command(mpmtest.Binary(t), "-S", "-f", probe).CombinedOutput()
	if err != nil {
		t.Fatalf("gohttpd -S: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		direct := strings.Contains(l, "h2 prior knowledge (TLS, H2Direct)")
		if strings.Contains(l, "127.0.0.2:") && strings.Contains(l, "h2 by ALPN") && !direct ||
			strings.Contains(l, "127.0.0.3:") && direct {
			t.Errorf("-S: %q", l)
		}
	}
	if !strings.Contains(string(out), "h2 prior knowledge (TLS, H2Direct)") {
		t.Errorf("-S does not show H2Direct over TLS:\n%s", out)
	}
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: append(vhosts, h2Directives[1:]...),
				Files: map[string][]byte{"hello.txt": []byte("hello h2\n")}})
			var on, off string
			mpmtest.WaitFor(t, 10*time.Second, "the 127.0.0.2 and 127.0.0.3 listeners in the error log", func() bool {
				if m := addr2RE.FindStringSubmatch(s.ErrorLog()); m != nil {
					on = m[1]
				}
				if m := addr3RE.FindStringSubmatch(s.ErrorLog()); m != nil {
					off = m[1]
				}
				return on != "" && off != ""
			})
			for _, alpn := range [][]string{{"http/1.1"}, nil} {
				name := "alpn=" + strings.Join(alpn, ",")
				t.Run(name+"/on", func(t *testing.T) {
					c := dialNoH2(t, on, alpn)
					cc, err := (&http2.Transport{}).NewClientConn(c)
					if err != nil {
						t.Fatal(err)
					}
					defer cc.Close()
					resp := h2Get(t, cc, "https://"+on+"/hello.txt")
					if body := readAll(t, resp); resp.StatusCode != 200 || resp.ProtoMajor != 2 || string(body) != "hello h2\n" {
						t.Fatalf("prior-knowledge h2 over TLS with H2Direct on: %s %d %q", resp.Proto, resp.StatusCode, body)
					}
				})
				t.Run(name+"/off", func(t *testing.T) {
					c := dialNoH2(t, off, alpn)
					defer c.Close()
					got := exchange(t, c, http2.ClientPreface)
					if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
						t.Fatalf("preface over TLS with H2Direct off: got %.80q, want HTTP/1.1 400 (Apache)", got)
					}
				})
			}
			t.Run("SNI other.test on the H2Direct address", func(t *testing.T) {
				c := dialSNI(t, on, "other.test")
				cc, err := (&http2.Transport{}).NewClientConn(c)
				if err != nil {
					t.Fatal(err)
				}
				defer cc.Close()
				resp := h2Get(t, cc, "https://"+on+"/hello.txt")
				if body := readAll(t, resp); resp.StatusCode != 200 || resp.ProtoMajor != 2 {
					t.Fatalf("%s %d %q", resp.Proto, resp.StatusCode, body)
				}
			})
			t.Run("SNI direct.test on the address without H2Direct", func(t *testing.T) {
				c := dialSNI(t, off, "direct.test")
				defer c.Close()
				if got := exchange(t, c, http2.ClientPreface); !strings.HasPrefix(got, "HTTP/1.1 400 ") {
					t.Fatalf("got %.80q, want HTTP/1.1 400 (Apache)", got)
				}
			})
			for _, tc := range []struct {
				name   string
				pieces []string
				want   string
			}{
				{"http1", []string{"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"}, "HTTP/1.1 200 "},
				{"http1 split", []string{"G", "ET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"}, "HTTP/1.1 200 "},
				{"preface start then HTTP/1.1", []string{"PR", "I * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"}, "HTTP/1.1 400 "},
			} {
				t.Run("on/"+tc.name, func(t *testing.T) {
					c := dialNoH2(t, on, []string{"http/1.1"})
					defer c.Close()
					got := exchange(t, c, tc.pieces...)
					if !strings.HasPrefix(got, tc.want) || tc.want == "HTTP/1.1 200 " && !strings.HasSuffix(got, "hello h2\n") {
						t.Fatalf("got %.200q, want %q", got, tc.want)
					}
				})
			}
			t.Run("on/preface in pieces", func(t *testing.T) {
				c := dialNoH2(t, on, []string{"http/1.1"})
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				for _, p := range []string{http2.ClientPreface[:5], http2.ClientPreface[5:]} {
					if _, err := c.Write([]byte(p)); err != nil {
						t.Fatal(err)
					}
					time.Sleep(50 * time.Millisecond) // separate records
				}
				fr := http2.NewFramer(c, c)
				if err := fr.WriteSettings(); err != nil {
					t.Fatal(err)
				}
				f, err := fr.ReadFrame()
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := f.(*http2.SettingsFrame); !ok {
					t.Fatalf("first frame %v, want SETTINGS", f)
				}
			})
		})
	}
}

// dialNoH2 dials addr over TLS offering alpn (never h2) and checks that
// ALPN did not choose h2.
func dialNoH2(t *testing.T, addr string, alpn []string) *tls.Conn {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{InsecureSkipVerify: true, NextProtos: alpn})
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p == "h2" {
		t.Fatalf("ALPN chose h2 for a client offering %q", alpn)
	}
	return c
}

// dialSNI dials addr over TLS with server name sni, offering http/1.1.
func dialSNI(t *testing.T, addr, sni string) *tls.Conn {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{InsecureSkipVerify: true, ServerName: sni, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exchange writes pieces (each its own TLS record, a moment apart) and
// reads the answer until the server closes or 5 s pass.
func exchange(t *testing.T, c *tls.Conn, pieces ...string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for i, p := range pieces {
		if i > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := c.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := io.ReadAll(c)
	return string(b)
}
