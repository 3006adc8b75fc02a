package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"path/filepath"

	"github.com/gohttpd/gohttpd/internal/acme"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestMDPebbleSANs: a managed domain of several names (<MDomainSet> with
// MDMember, and the ServerAlias of its vhost joining by mod_md's
// "MDMembers auto", not the wildcard one) gets one certificate from
// pebble naming them all, served for any SNI name; md-status answers mod_md's JSON before (state 1,
// "certificate(...) is missing") and after (state 2, the certificate's
// serial and validity), for all domains or for one by any of its names,
// and 501 to a POST. pebble validates nothing here
// (PEBBLE_VA_ALWAYS_VALID: www.example.test does not resolve); TestMDPebble
// covers real validation.
func TestMDPebbleSANs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pebble")
	}
	httpPort, tlsPort := loopPort(t), loopPort(t)
	p := startPebble(t, httpPort, tlsPort, 90*24*3600, "PEBBLE_VA_ALWAYS_VALID=1")
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Files: map[string][]byte{"hello.txt": []byte("hello md\n")}, Directives: []string{
		fmt.Sprintf("Listen 127.0.0.1:%d", httpPort),
		fmt.Sprintf("Listen 127.0.0.1:%d https", tlsPort),
		"ServerAdmin webmaster@localhost",
		"<MDomainSet localhost>",
		"MDMember www.example.test",
		"</MDomainSet>",
		"MDCertificateAuthority " + p.api,
		"MDCACertificateFile " + filepath.Join(p.dir, "certs", "pebble.minica.pem"),
		"MDCertificateAgreement accepted",
		"MDCAChallenges http-01",
		"<Location /md-status>",
		"SetHandler md-status",
		"</Location>",
		fmt.Sprintf("<VirtualHost 127.0.0.1:%d>", tlsPort),
		"ServerName localhost",
		"ServerAlias www.example.test alias.example.test *.wild.example.test",
		"SSLEngine on",
		"</VirtualHost>",
	}})
	_ = s
	tlsAddr := fmt.Sprintf("127.0.0.1:%d", tlsPort)
	status := func(path string) (int, map[string]any) {
		resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get(fmt.Sprintf("http://127.0.0.1:%d%s", httpPort, path))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if resp.StatusCode == 200 {
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v\n%s", path, err, b)
			}
		}
		return resp.StatusCode, m
	}
	leaf := func(sni string) *x509.Certificate {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", tlsAddr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
		if err != nil {
			return nil
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0]
	}
	// Before: md-status says missing (unless pebble was quicker).
	if l := leaf("localhost"); l != nil && l.Subject.CommonName == acme.FallbackCN {
		code, m := status("/md-status")
		doms, _ := m["managed-domains"].([]any)
		if code != 200 || m["version"] == nil || len(doms) != 1 {
			t.Fatalf("md-status before: %d %v", code, m)
		}
		d := doms[0].(map[string]any)
		if d["name"] != "localhost" || fmt.Sprint(d["domains"]) != "[localhost www.example.test alias.example.test]" ||
			(d["state"] == float64(1) && d["state-descr"] != "certificate(secp256r1) is missing") {
			t.Errorf("md-status before: %v", d)
		}
	}
	var got *x509.Certificate
	mpmtest.WaitFor(t, 120*time.Second, "pebble's certificate", func() bool {
		got = leaf("www.example.test")
		return got != nil && got.Subject.CommonName != acme.FallbackCN
	})
	if want := []string{"alias.example.test", "localhost", "www.example.test"}; !slices.Equal(slices.Sorted(slices.Values(got.DNSNames)), want) {
		t.Errorf("certificate names %v, want %v", got.DNSNames, want)
	}
	roots := p.roots(t)
	if l := leaf("localhost"); l == nil || !l.Equal(got) {
		t.Errorf("SNI localhost gets another certificate than www.example.test")
	}
	c, err := tls.Dial("tcp", tlsAddr, &tls.Config{ServerName: "www.example.test", RootCAs: roots})
	if err != nil {
		t.Errorf("verifying for www.example.test with pebble's roots: %v", err)
	} else {
		c.Close()
	}
	for _, path := range []string{"/md-status/www.example.test", "/md-status/localhost"} {
		code, d := status(path)
		cert, _ := d["cert"].(map[string]any)
		ec, _ := cert["secp256r1"].(map[string]any)
		if code != 200 || d["name"] != "localhost" || d["state"] != float64(2) || ec == nil ||
			ec["serial"] != strings.ToUpper(got.SerialNumber.Text(16)) || d["renew"] != false {
			t.Errorf("%s: %d %v", path, code, d)
		}
	}
	if code, m := status("/md-status/other.test"); code != 200 || m["managed-domains"] == nil {
		t.Errorf("md-status for an unmanaged name: %d %v", code, m)
	}
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/md-status", httpPort), "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 501 {
		t.Errorf("POST md-status: %d, want 501", resp.StatusCode)
	}
}
