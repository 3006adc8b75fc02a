package accesslog

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestSSLVars: %{VAR}x prints mod_ssl's variables on a TLS connection
// and "-" (HTTPS: "off") on a plain one, as Apache logs them.
func TestSSLVars(t *testing.T) {
	f, err := Compile("%{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x %{SSL_SESSION_RESUMED}x %{HTTPS}x %{SSL_CLIENT_S_DN}x %{NOPE}x")
	if err != nil {
		t.Fatal(err)
	}
	var plain fasthttp.RequestCtx
	if got := string(f.Append(nil, &plain, time.Now())); got != "- - - - off - -\n" {
		t.Errorf("plain: %q", got)
	}

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 2)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { lines <- string(f.Append(nil, ctx, time.Now())) }}
	go srv.Serve(tls.NewListener(ln, cfg))
	defer srv.Shutdown()
	for _, tc := range []struct {
		max  uint16
		want string
	}{
		{tls.VersionTLS13, "TLSv1.3 TLS_AES_128_GCM_SHA256 x.test Initial on - -\n"},
		{tls.VersionTLS12, "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 x.test Initial on - -\n"},
	} {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{ServerName: "x.test", InsecureSkipVerify: true, MaxVersion: tc.max,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		select {
		case got := <-lines:
			if got != tc.want {
				t.Errorf("TLS %x: %q, want %q", tc.max, got, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no request")
		}
		c.Close()
	}
}
