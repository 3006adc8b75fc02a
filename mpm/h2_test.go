package mpm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"testing"
	"time"
)

func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// negotiate runs a handshake of srv with a client offering client and
// returns the protocol ALPN chose.
func negotiate(t *testing.T, srv *tls.Config, client []string) string {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	s := tls.Server(a, srv)
	go func() { done <- s.Handshake() }()
	c := tls.Client(b, &tls.Config{InsecureSkipVerify: true, NextProtos: client, ServerName: "localhost"})
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return c.ConnectionState().NegotiatedProtocol
}

// TestAdvertiseH2: the engines add "h2" to whatever TLS configuration
// they get (NextProtos empty, http/1.1 only, or a GetConfigForClient
// choosing a server's config by SNI), in the server's order unless
// ProtocolsHonorOrder is Off.
func TestAdvertiseH2(t *testing.T) {
	cert := testCert(t)
	plain := func(protos ...string) *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: protos}
	}
	bySNI := func(protos ...string) *tls.Config {
		inner := plain(protos...)
		return &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return inner, nil }}
	}
	for _, tt := range []struct {
		name        string
		base        *tls.Config
		clientOrder bool
		client      []string
		want        string
	}{
		{"no NextProtos", plain(), false, []string{"h2", "http/1.1"}, "h2"},
		{"http/1.1 only", plain("http/1.1"), false, []string{"h2", "http/1.1"}, "h2"},
		{"http/1.1 client", plain("http/1.1"), false, []string{"http/1.1"}, "http/1.1"},
		{"server order", plain("http/1.1"), false, []string{"http/1.1", "h2"}, "h2"},
		{"client order", plain("http/1.1"), true, []string{"http/1.1", "h2"}, "http/1.1"},
		{"by SNI", bySNI("http/1.1"), false, []string{"h2", "http/1.1"}, "h2"},
		{"by SNI, client order", bySNI("http/1.1"), true, []string{"http/1.1", "h2"}, "http/1.1"},
		{"already h2", plain("h2", "http/1.1"), false, []string{"h2"}, "h2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := advertiseH2(tt.base, true, tt.clientOrder)
			for range 2 { // the second handshake uses the cached copy
				if got := negotiate(t, cfg, tt.client); got != tt.want {
					t.Fatalf("ALPN chose %q, want %q", got, tt.want)
				}
			}
		})
	}
}
