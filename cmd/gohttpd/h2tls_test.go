package main

//lint:file-ignore SA1019 x/net/http2's client on purpose: a ClientConn over a TLS conn we dialed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// writeTestCert writes a self-signed ECDSA certificate for 127.0.0.2 and
// localhost and its key (PEM) into dir.
func writeTestCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 2)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o644); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestH2TLSThroughBinary: "Protocols h2 http/1.1" in an SSL <VirtualHost>,
// as an Apache user writes it: ALPN chooses h2, Go's HTTP/2 client and
// curl --http2 get the file over HTTP/2, and %H logs HTTP/2.0. It skips
// while gohttpd -t refuses the SSL directives.
func TestH2TLSThroughBinary(t *testing.T) {
	dir := mpmtest.ReadableTempDir(t)
	cert, key := writeTestCert(t, dir)
	vhost := []string{
		"Listen 127.0.0.2:0 https",
		"<VirtualHost 127.0.0.2:*>",
		"ServerName localhost",
		"SSLEngine on",
		"SSLCertificateFile " + cert,
		"SSLCertificateKeyFile " + key,
		"Protocols h2 http/1.1",
		"</VirtualHost>",
	}
	probe := filepath.Join(dir, "probe.conf")
	text := strings.Join(append([]string{"ServerRoot " + dir, "Listen 127.0.0.1:0", "DocumentRoot " + dir,
		"PidFile pid", "ErrorLog error_log"}, vhost...), "\n") + "\n"
	if err := os.WriteFile(probe, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mpmtest.Binary(t), "-t", "-f", probe).CombinedOutput(); err != nil {
		t.Skipf("gohttpd -t refuses the SSL configuration (TLS directives not wired yet?):\n%s", out)
	}
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: append(vhost, h2Directives[1:]...),
				Files: map[string][]byte{"hello.txt": []byte("hello h2\n")}})
			var addr string
			mpmtest.WaitFor(t, 10*time.Second, "the 127.0.0.2 listener in the error log", func() bool {
				if m := addr2RE.FindStringSubmatch(s.ErrorLog()); m != nil {
					addr = m[1]
				}
				return addr != ""
			})
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
				&tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
			if err != nil {
				t.Fatal(err)
			}
			if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
				t.Fatalf("ALPN chose %q, want h2", p)
			}
			cc, err := (&http2.Transport{}).NewClientConn(c)
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			resp := h2Get(t, cc, "https://"+addr+"/hello.txt")
			if body := readAll(t, resp); resp.StatusCode != 200 || string(body) != "hello h2\n" {
				t.Fatalf("h2 over TLS: %d %q", resp.StatusCode, body)
			}
			if status, body := curlH2(t, "https://"+addr+"/hello.txt", "-k", "--http2"); status != "2 200" || body != "hello h2\n" {
				t.Errorf("curl --http2 over TLS: %q %q", status, body)
			}
			mpmtest.WaitFor(t, 10*time.Second, "the access log lines", func() bool {
				return strings.Count(strings.Join(s.ReadLog("h2_log"), "\n"), "\"GET /hello.txt HTTP/2.0\" 200 9 HTTP/2.0") >= 2
			})
		})
	}
}
