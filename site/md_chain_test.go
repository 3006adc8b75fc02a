package site

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// TestMDChain: mod_md in the request chain. HTTP-01: the key
// authorization the master stored is answered (text/plain) for its token
// and host, before anything else; another token falls through to the
// site (404, as Apache 2.4.71). Over https, a managed domain still on
// the fallback certificate gets 503 with Connection: close (Apache
// 2.4.71's answer); other names are served.
func TestMDChain(t *testing.T) {
	root, store := t.TempDir(), t.TempDir()
	writeFiles(t, root, map[string]string{"index.html": "hi\n", ".well-known/acme-challenge/other": "file\n"})
	writeFiles(t, store, map[string]string{"challenges/a.test.json": `{"type":"http-01","token":"tok","keyAuthorization":"tok.thumb","identifier":{"type":"dns","value":"a.test"}}`})
	cfg := testConfig(root)
	cfg.MD = &conf.MDConfig{StoreDir: store, Challenges: []string{conf.ChallengeHTTP01},
		Domains: []conf.MDomain{{Names: []string{"a.test"}, Pending: true}, {Names: []string{"b.test"}}}}
	_, addr := startSite(t, cfg, Options{})
	for _, c := range []struct {
		host, path string
		status     int
		body       string
	}{
		{"a.test", "/.well-known/acme-challenge/tok", 200, "tok.thumb"},
		{"A.test:80", "/.well-known/acme-challenge/tok", 200, "tok.thumb"},
		{"a.test", "/.well-known/acme-challenge/nope", 404, ""},
		{"a.test", "/.well-known/acme-challenge/other", 200, "file\n"},
		{"b.test", "/.well-known/acme-challenge/tok", 404, ""},
		{"a.test", "/index.html", 200, "hi\n"},
	} {
		req, _ := http.NewRequest("GET", "http://"+addr+c.path, nil)
		req.Host = c.host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || (c.body != "" && string(b) != c.body) {
			t.Errorf("%s %s: %d %q, want %d %q", c.host, c.path, resp.StatusCode, b, c.status, c.body)
		}
		if c.status == 200 && c.body == "tok.thumb" && resp.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("challenge Content-Type %q", resp.Header.Get("Content-Type"))
		}
	}

	// Over https.
	s := newTestSite(t, cfg, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewServer()
	done := make(chan error, 1)
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}})
	go func() { done <- srv.Serve(tlsLn) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
		defer cancel()
		_ = srv.ShutdownWithContext(ctx)
		<-done
	})
	for _, c := range []struct {
		host   string
		status int
		close  bool
	}{{"a.test", 503, true}, {"b.test", 200, false}} {
		tc, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, ServerName: c.host})
		if err != nil {
			t.Fatal(err)
		}
		_ = tc.SetDeadline(time.Now().Add(ioTimeout))
		fmt.Fprintf(tc, "GET /index.html HTTP/1.1\r\nHost: %s\r\n\r\n", c.host)
		resp, err := http.ReadResponse(bufio.NewReader(tc), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tc.Close()
		if resp.StatusCode != c.status || resp.Close != c.close {
			t.Errorf("https %s: %d close=%v, want %d close=%v", c.host, resp.StatusCode, resp.Close, c.status, c.close)
		}
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"}, DNSNames: []string{"a.test", "b.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
}

// BenchmarkStaticSmallMD is BenchmarkStaticSmall on a site that manages
// a domain (mod_md): the chain's check costs a branch and no allocation.
func BenchmarkStaticSmallMD(b *testing.B) {
	root := b.TempDir()
	writeFiles(b, root, map[string]string{"small.html": strings.Repeat("x", 1024)})
	ageFiles(b, root, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	cfg := testConfig(root)
	cfg.MD = &conf.MDConfig{StoreDir: b.TempDir(), Challenges: []string{conf.ChallengeHTTP01},
		Domains: []conf.MDomain{{Names: []string{"bench"}}}}
	h := newTestSite(b, cfg, Options{}).Handler()
	var r fasthttp.Request
	r.SetRequestURI("/small.html")
	r.Header.SetHost("bench")
	var ctx fasthttp.RequestCtx
	ctx.Init(&r, nil, nil)
	h(&ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("GET /small.html = %d", ctx.Response.StatusCode())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
	}
	ctx.Response.Reset()
}
