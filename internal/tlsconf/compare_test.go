package tlsconf

import (
	"net"
	"os"
	"os/signal"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// TestCompareServe is not a test: with GOHTTPD_TLS_COMPARE=addr it
// serves, until interrupted, a TLS server built by this package from
// the SSL* directives in GOHTTPD_TLS_DIRECTIVES (one per line, relative
// paths against GOHTTPD_TLS_ROOT), so testdata/apache/compare.sh can
// point openssl s_client at it and at Apache with the same lines.
func TestCompareServe(t *testing.T) {
	addr := os.Getenv("GOHTTPD_TLS_COMPARE")
	if addr == "" {
		t.Skip("GOHTTPD_TLS_COMPARE not set (testdata/apache/compare.sh sets it)")
	}
	b := conf.SSLBuilder{ServerRoot: os.Getenv("GOHTTPD_TLS_ROOT"), InVHost: true}
	for i, line := range strings.Split(os.Getenv("GOHTTPD_TLS_DIRECTIVES"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if err := b.Directive("env", i+1, f[0], f[1:]); err != nil {
			t.Fatal(err)
		}
	}
	srv, warns := b.Finish()
	for _, w := range warns {
		t.Log(w)
	}
	set, err := Build(Options{Servers: []Server{{ID: "a.test:443", SSL: srv}}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := serverConn(c, set)
				if tc.Handshake() == nil {
					_, _ = tc.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
				}
			}()
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	ln.Close()
}
