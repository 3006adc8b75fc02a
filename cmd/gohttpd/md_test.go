package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/acme"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// pebbleVersion is the ACME test server (Let's Encrypt's pebble) the
// mod_md tests run, built once from the module proxy and cached.
const pebbleVersion = "v2.10.3"

var pebbleBuild = sync.OnceValues(buildPebble)

// buildPebble builds pebble's cmd/pebble in a temporary module (the
// module proxy only: no other network) into os.TempDir(), once per
// machine, with the test certificates pebble ships beside it.
func buildPebble() (string, error) {
	dir := filepath.Join(os.TempDir(), "gohttpd-pebble-"+pebbleVersion)
	bin := filepath.Join(dir, "pebble")
	if _, err := os.Stat(filepath.Join(dir, "certs", "pebble.minica.pem")); err == nil {
		if _, err := os.Stat(bin); err == nil {
			return dir, nil
		}
	}
	mod, err := os.MkdirTemp("", "pebble-build")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(mod)
	run := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := run("mod", "init", "pebblebuild"); err != nil {
		return "", err
	}
	if _, err := run("get", "github.com/letsencrypt/pebble/v2@"+pebbleVersion); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", bin, os.Getpid()) // test processes may build at once
	if _, err := run("build", "-o", tmp, "github.com/letsencrypt/pebble/v2/cmd/pebble"); err != nil {
		return "", err
	}
	src, err := run("list", "-m", "-f", "{{.Dir}}", "github.com/letsencrypt/pebble/v2")
	if err != nil {
		return "", err
	}
	for _, f := range []string{"pebble.minica.pem", "localhost/cert.pem", "localhost/key.pem"} {
		b, err := os.ReadFile(filepath.Join(src, "test", "certs", f))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "certs", filepath.Base(f)), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, os.Rename(tmp, bin)
}

// loopPort is a 127.0.0.1 port free right now.
func loopPort(t *testing.T) int {
	t.Helper()
	p, ok := freePort(t, "127.0.0.1")
	if !ok {
		t.Fatal("cannot bind 127.0.0.1")
	}
	return p
}

// pebble is a running pebble.
type pebble struct {
	dir    string // its build directory (certs/)
	api    string // directory URL
	mgmt   string // management address
	client *http.Client
}

// startPebble starts pebble on loopback with its VA pointed at httpPort
// and tlsPort (gohttpd's), really validating (no PEBBLE_VA_ALWAYS_VALID).
func startPebble(t *testing.T, httpPort, tlsPort, validity int, env ...string) *pebble {
	t.Helper()
	dir, err := pebbleBuild()
	if err != nil {
		t.Fatalf("building pebble %s from the module proxy: %v", pebbleVersion, err)
	}
	work := t.TempDir()
	api, mgmt := loopPort(t), loopPort(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":                  "127.0.0.1:" + strconv.Itoa(api),
		"managementListenAddress":        "127.0.0.1:" + strconv.Itoa(mgmt),
		"certificate":                    filepath.Join(dir, "certs", "cert.pem"),
		"privateKey":                     filepath.Join(dir, "certs", "key.pem"),
		"httpPort":                       httpPort,
		"tlsPort":                        tlsPort,
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
		"retryAfter":                     map[string]int{"authz": 1, "order": 1},
		"keyAlgorithm":                   "ecdsa",
		"profiles": map[string]any{"default": map[string]any{
			"description": "default", "validityPeriod": validity}},
	}}
	b, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(work, "pebble.json")
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(dir, "pebble"), "-config", cfgPath)
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	cmd.Env = append(cmd.Env, env...)
	logf, err := os.Create(filepath.Join(work, "pebble.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(work, "pebble.log"))
			t.Logf("pebble log:\n%s", out)
		}
	})
	roots := x509.NewCertPool()
	ca, err := os.ReadFile(filepath.Join(dir, "certs", "pebble.minica.pem"))
	if err != nil || !roots.AppendCertsFromPEM(ca) {
		t.Fatalf("pebble's minica: %v", err)
	}
	p := &pebble{dir: dir, api: fmt.Sprintf("https://127.0.0.1:%d/dir", api), mgmt: fmt.Sprintf("127.0.0.1:%d", mgmt),
		client: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}}}}
	mpmtest.WaitFor(t, 20*time.Second, "pebble's directory", func() bool {
		resp, err := p.client.Get(p.api)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

// roots are the roots pebble issues under (its management API).
func (p *pebble) roots(t *testing.T) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	for i := 0; ; i++ {
		resp, err := p.client.Get(fmt.Sprintf("https://%s/roots/%d", p.mgmt, i))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			break
		}
		pool.AppendCertsFromPEM(b)
	}
	return pool
}

// TestMDPebble: mod_md end to end and offline. gohttpd manages
// "localhost" (MDomain) against pebble on loopback, whose VA really
// validates the challenge against gohttpd's ports (HTTP-01 on the plain
// Listen through the site chain, or TLS-ALPN-01 on the https one
// through the TLS config): until the certificate exists the fallback
// (self-signed) is served and https answers 503; then the master
// restarts its generation gracefully and every child serves the
// certificate pebble issued, while a client loop (plain and https, new
// and kept-alive connections) sees no failed request. On the event
// engine the certificate lives 30 s and is renewed (MDRenewWindow 33%):
// the renewed one reaches every child the same way.
func TestMDPebble(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pebble")
	}
	for _, c := range []struct {
		mpm, challenge string
		renew          bool
	}{
		{"event", "http-01", true},
		{"worker", "tls-alpn-01", false},
		{"prefork", "http-01", false},
	} {
		t.Run(c.mpm+"/"+c.challenge, func(t *testing.T) { testMDPebble(t, c.mpm, c.challenge, c.renew) })
	}
}

func testMDPebble(t *testing.T, mpmName, challenge string, renew bool) {
	httpPort, tlsPort := loopPort(t), loopPort(t)
	validity := 90 * 24 * 3600
	if renew {
		// A 30 s certificate, renewed in its last third (MDRenewWindow
		// 33%), checked every 500 ms.
		validity = 30
		t.Setenv(envTestMDRenewCheck, "500ms")
	}
	p := startPebble(t, httpPort, tlsPort, validity)
	// pebble's VA connects to the first address "localhost" resolves to:
	// 127.0.0.1 here, ::1 where /etc/hosts lists that first.
	host := "127.0.0.1"
	if addrs, err := net.LookupHost("localhost"); err == nil && len(addrs) > 0 && addrs[0] == "::1" {
		host = "[::1]"
	}
	s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Files: map[string][]byte{"hello.txt": []byte("hello md\n")}, Directives: []string{
		fmt.Sprintf("Listen %s:%d", host, httpPort),
		fmt.Sprintf("Listen %s:%d https", host, tlsPort),
		"ServerAdmin webmaster@localhost",
		"MDomain localhost",
		"MDCertificateAuthority " + p.api,
		"MDCACertificateFile " + filepath.Join(p.dir, "certs", "pebble.minica.pem"),
		"MDCertificateAgreement accepted",
		"MDCAChallenges " + challenge,
		"MDRenewWindow 33%",
		fmt.Sprintf("<VirtualHost %s:%d>", host, tlsPort),
		"ServerName localhost",
		"SSLEngine on",
		"</VirtualHost>",
	}})
	tlsAddr := fmt.Sprintf("%s:%d", host, tlsPort)
	// One keep-alive client for each scheme, and new connections too.
	insecure := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}}}
	fresh := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}}}
	plain := fmt.Sprintf("http://localhost:%d/hello.txt", httpPort)
	secure := fmt.Sprintf("https://localhost:%d/hello.txt", tlsPort)
	var (
		mu       sync.Mutex
		failures []string
		statuses = map[string]int{}
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the client loop: bounded in count and time
		defer close(done)
		deadline := time.Now().Add(150 * time.Second)
		for i := 0; i < 20000 && time.Now().Before(deadline); i++ {
			select {
			case <-stop:
				return
			default:
			}
			for _, c := range []struct {
				cl  *http.Client
				url string
			}{{insecure, plain}, {insecure, secure}, {fresh, secure}} {
				resp, err := c.cl.Get(c.url)
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					statuses[fmt.Sprintf("%s %d", c.url[:5], resp.StatusCode)]++
				}
				mu.Unlock()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var pebbleRoots *x509.CertPool
	var serial string // of the first certificate pebble issued
	issued := func() bool {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", tlsAddr, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
		if err != nil {
			return false
		}
		defer c.Close()
		leaf := c.ConnectionState().PeerCertificates
		if serial != "" && leaf[0].SerialNumber.String() == serial {
			return false // waiting for the renewal
		}
		if leaf[0].Subject.CommonName == acme.FallbackCN {
			return false
		}
		if pebbleRoots == nil {
			pebbleRoots = p.roots(t)
		}
		inter := x509.NewCertPool()
		for _, c := range leaf[1:] {
			inter.AddCert(c)
		}
		_, err = leaf[0].Verify(x509.VerifyOptions{DNSName: "localhost", Roots: pebbleRoots, Intermediates: inter})
		return err == nil
	}
	// Before the certificate: the fallback, and 503 over https.
	c, err := tls.Dial("tcp", tlsAddr, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	first := c.ConnectionState().PeerCertificates[0]
	c.Close()
	if !issued() && first.Subject.CommonName != acme.FallbackCN {
		t.Errorf("before the order: certificate %v, want mod_md's fallback", first.Subject)
	}
	mpmtest.WaitFor(t, 120*time.Second, "https to serve the certificate pebble issued", issued)
	// Every child of the new generation serves it: new connections, many.
	for i := 0; i < 20; i++ {
		if !issued() {
			t.Fatalf("connection %d after the restart: not pebble's certificate", i)
		}
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pebbleRoots}}}).Get(secure)
	if err != nil {
		t.Fatalf("https with pebble's roots: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello md\n" {
		t.Errorf("https after the certificate: %d %q", resp.StatusCode, body)
	}
	if renew {
		serial = leafSerial(t, tlsAddr)
		mpmtest.WaitFor(t, 60*time.Second, "https to serve the renewed certificate", issued)
		for i := 0; i < 20; i++ {
			if !issued() {
				t.Fatalf("connection %d after the renewal: not the renewed certificate", i)
			}
		}
	}
	time.Sleep(200 * time.Millisecond) // a few more loop rounds on the new generation
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(failures) > 0 {
		t.Errorf("%d requests failed across the graceful restart, first: %s", len(failures), failures[0])
	}
	t.Logf("client loop: %v", statuses)
	// The CA really fetched the challenge from gohttpd's children.
	if b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "access_log")); challenge == "http-01" && !strings.Contains(string(b), "GET /.well-known/acme-challenge/") {
		t.Errorf("no HTTP-01 request from pebble in the access log:\n%s", b)
	}
	// One graceful restart per certificate, no more (a manager restarted
	// with the new generation finds the certificate in the store).
	if n := strings.Count(s.ErrorLog(), "AH10059"); (!renew && n != 1) || (renew && n < 2) {
		t.Errorf("error log lacks mod_md's AH10059:\n%s", s.ErrorLog())
	}
}

// TestMDCheck: -t with mod_md: a managed TLS server needs no
// SSLCertificateFile (the fallback stands in until the CA's certificate
// exists), and bad MD* directives name file, line and directive.
func TestMDCheck(t *testing.T) {
	dir := mpmtest.ReadableTempDir(t)
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"ok", "MDRenewWindow 30d", "Syntax OK"},
		{"window", "MDRenewWindow 120%", ":11: MDRenewWindow: MDRenewWindow a length of 100% or more is not allowed."},
		{"names", "MDomain www.a.test A.test", ":11: MDomain: domain name 'A.test' is already part of another MDomain"},
		{"set", "<MDomainSet c.test>\nMDContactEmail a@b\n</MDomainSet>", ":12: MDContactEmail: gohttpd applies mod_md's settings to every domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := filepath.Join(dir, tc.name+".conf")
			text := strings.Join([]string{
				"ServerRoot " + dir, "Listen 127.0.0.1:0", "Listen 127.0.0.1:0 https", "ServerName a.test",
				"PidFile " + dir + "/pid", "ErrorLog " + dir + "/error_log", "DocumentRoot " + dir,
				"MDomain a.test", "MDCertificateAgreement accepted",
				"SSLEngine on",
				tc.extra,
			}, "\n") + "\n"
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(mpmtest.Binary(t), "-t", "-f", conf).CombinedOutput()
			if !strings.Contains(string(out), tc.want) || (err == nil) != (tc.name == "ok") {
				t.Errorf("-t: %v\n%s\nwant %q", err, out, tc.want)
			}
		})
	}
}

// leafSerial is the serial of the certificate addr serves to localhost.
func leafSerial(t *testing.T, addr string) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

// TestMDOwnCertificate: a managed server with its own
// SSLCertificateFile serves that certificate (200, no fallback, no 503)
// until the CA's exists, as Apache 2.4.71 does; here the CA is
// unreachable, and the error log says so (AH10056).
func TestMDOwnCertificate(t *testing.T) {
	certs := mpmtest.ReadableTempDir(t)
	writeCert(t, certs, "own", "localhost")
	port, ok := freePort(t, "127.0.0.2")
	if !ok {
		t.Fatal("cannot bind 127.0.0.2")
	}
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Files: map[string][]byte{"hello.txt": []byte("own\n")}, Directives: []string{
		fmt.Sprintf("Listen 127.0.0.2:%d https", port),
		"MDomain localhost",
		"MDCertificateAuthority https://127.0.0.1:1/dir",
		"MDCertificateAgreement accepted",
		"<VirtualHost 127.0.0.2:*>", "ServerName localhost", "SSLEngine on",
		"SSLCertificateFile " + certs + "/own.pem", "SSLCertificateKeyFile " + certs + "/own.key",
		"</VirtualHost>",
	}})
	var addr string
	mpmtest.WaitFor(t, 10*time.Second, "the https listener", func() bool {
		if m := tlsAddrRE.FindStringSubmatch(s.ErrorLog()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	status, body, cn, _ := tlsGet(t, addr, "localhost", "localhost", "/hello.txt", nil)
	if cn != "localhost" || !strings.HasPrefix(status, "200") || body != "own\n" {
		t.Errorf("got %s %q from the certificate of %q, want 200 from the server's own", status, body, cn)
	}
	mpmtest.WaitFor(t, 20*time.Second, "mod_md's error about the unreachable CA", func() bool {
		return strings.Contains(s.ErrorLog(), "AH10056")
	})
	for _, l := range strings.Split(s.ErrorLog(), "\n") {
		if strings.Contains(l, "AH10056") {
			t.Log(l)
			break
		}
	}
}
