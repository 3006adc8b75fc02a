package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// prefixConn sends prefix in front of its first write, so that a PROXY
// line and the TLS ClientHello leave in one segment (the server reads
// past the line into the handshake).
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Write(p []byte) (int, error) {
	if c.prefix != nil {
		b := append(c.prefix, p...)
		c.prefix = nil
		if _, err := c.Conn.Write(b); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// TestProxyProtocolTLSThroughBinary: RemoteIPProxyProtocol On on a TLS
// listener, on every engine: the PROXY header comes before the TLS
// handshake (v1 sent in the same segment as the ClientHello, v2 alone),
// the handshake and the request succeed, and %h is the header's client.
func TestProxyProtocolTLSThroughBinary(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			s, addr := startHTTPS(t, mpmName, "<VirtualHost 127.0.0.2:*>", "RemoteIPProxyProtocol On", "</VirtualHost>")
			for i, hdr := range []func(local net.Addr) []byte{
				func(net.Addr) []byte { return []byte("PROXY TCP4 203.0.113.7 127.0.0.2 5555 443\r\n") },
				func(local net.Addr) []byte {
					return append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c"), 203, 0, 113, 8, 127, 0, 0, 2, 0x15, 0xb3, 0x01, 0xbb)
				},
			} {
				raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
				var nc net.Conn = &prefixConn{Conn: raw, prefix: hdr(raw.LocalAddr())}
				if i == 1 { // v2 alone, then the handshake
					if _, err := raw.Write(hdr(raw.LocalAddr())); err != nil {
						t.Fatal(err)
					}
					nc = raw
				}
				c := tls.Client(nc, &tls.Config{ServerName: "a.test", InsecureSkipVerify: true})
				fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatalf("header %d: %v", i+1, err)
				}
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 || string(body) != "hello over TLS\n" {
					t.Errorf("header %d: %s %q", i+1, resp.Status, body)
				}
				c.Close()
			}
			mpmtest.WaitFor(t, 5*time.Second, "%h of both requests in the TLS log", func() bool {
				b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "tls_log"))
				return strings.Contains(string(b), "203.0.113.7 a.test 200 TLS") && strings.Contains(string(b), "203.0.113.8 a.test 200 TLS")
			})
		})
	}
}
