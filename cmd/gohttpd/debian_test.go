package main

import (
	"crypto/tls"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// copyDebianTree copies testdata/debian (a Debian-style /etc/apache2
// written for this test, with Debian's stock mods-available/ssl.conf and
// sites-available/default-ssl.conf enabled) to a directory the children
// can read, with its port 80 and /var/www moved to addr and that
// directory, its port 443 to tlsAddr, and the snakeoil certificate and
// key replaced by a test certificate made here.
func copyDebianTree(t *testing.T, addr, tlsAddr string) string {
	t.Helper()
	dir := mpmtest.ReadableTempDir(t)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	tlsPort := tlsAddr[strings.LastIndexByte(tlsAddr, ':')+1:]
	writeCert(t, dir, "snakeoil", "localhost")
	if err := os.WriteFile(filepath.Join(dir, "ask-for-passphrase"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rewrite := strings.NewReplacer("Listen 80\n", "Listen "+addr+"\n", "*:80>", "*:"+port+">", "/var/www", filepath.Join(dir, "www"),
		"Listen 443\n", "Listen "+tlsAddr+"\n", "*:443>", "*:"+tlsPort+">",
		"/etc/ssl/certs/ssl-cert-snakeoil.pem", filepath.Join(dir, "snakeoil.pem"),
		"/etc/ssl/private/ssl-cert-snakeoil.key", filepath.Join(dir, "snakeoil.key"),
		"/usr/share/apache2/ask-for-passphrase", filepath.Join(dir, "ask-for-passphrase"))
	err := filepath.WalkDir("testdata/debian", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/debian", path)
		out := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".conf") {
			data = []byte(rewrite.Replace(string(data)))
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"log", "run", "lock"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// debianEnv is what sourcing the tree's envvars gives, as apache2ctl
// does, with the run-time directories in dir.
func debianEnv(dir string) []string {
	return append(os.Environ(),
		"APACHE_RUN_USER=nobody", "APACHE_RUN_GROUP=nogroup",
		"APACHE_PID_FILE="+filepath.Join(dir, "run", "apache2.pid"),
		"APACHE_RUN_DIR="+filepath.Join(dir, "run"),
		"APACHE_LOCK_DIR="+filepath.Join(dir, "lock"),
		"APACHE_LOG_DIR="+filepath.Join(dir, "log"),
		"LANG=C")
}

// TestDebianLayout: a Debian-style tree (apache2.conf including
// mods-enabled, conf-enabled, ports.conf and sites-enabled, ${APACHE_*}
// from the environment) checks clean and serves 000-default's
// DocumentRoot, as apache2 does on the same files (compared: the same
// statuses and bodies below, and the same -S table).
func TestDebianLayout(t *testing.T) {
	bin := mpmtest.Binary(t)
	addr := freeAddr(t, "127.0.0.1")
	tlsAddr := freeAddr(t, "127.0.0.1")
	dir := copyDebianTree(t, addr, tlsAddr)
	conf := filepath.Join(dir, "apache2.conf")
	env := debianEnv(dir)

	check := exec.Command(bin, "-f", conf, "-t")
	check.Env = env
	out, err := check.CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), "Syntax OK\n") {
		t.Fatalf("-t: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "Syntax OK\n"), "\n") {
		if line != "" && !strings.Contains(line, ": ignored: ") && !strings.Contains(line, "AH00558") {
			t.Errorf("-t printed %q: only accepted-and-ignored directives may warn", line)
		}
	}

	cmd := exec.Command(bin, "-f", conf)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(dir, "log", "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			for _, f := range []string{"stderr", "error.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, "log", f))
				t.Logf("--- %s\n%s", f, b)
			}
		}
	})
	mpmtest.WaitFor(t, 20*time.Second, "the Debian tree to answer", func() bool {
		if getOn(addr) == nil {
			return true
		}
		select {
		case err := <-exited:
			exited <- err
			return true
		default:
			return false
		}
	})
	cases := []struct {
		head string
		code int
		body string
	}{
		{"GET / HTTP/1.1\r\nHost: localhost\r\n", 200, "<html><body>default site</body></html>\n"},
		{"GET / HTTP/1.1\r\nHost: unknown.test\r\n", 200, "<html><body>default site</body></html>\n"},
		{"GET / HTTP/1.0\r\n", 200, "<html><body>default site</body></html>\n"},
		{"GET / HTTP/1.1\r\nHost: www.example.test\r\n", 200, "<html><body>example site</body></html>\n"},
		{"GET / HTTP/1.1\r\nHost: example.test\r\n", 200, "<html><body>example site</body></html>\n"},
		{"GET /.htsecret HTTP/1.1\r\nHost: localhost\r\n", 403, ""},
		{"GET /nope HTTP/1.1\r\nHost: localhost\r\n", 404, ""},
		{"GET /server-status?auto HTTP/1.1\r\nHost: localhost\r\n", 200, ""}, // Require local: 127.0.0.1 is local
	}
	for _, c := range cases {
		code, body := rawGet(t, addr, c.head)
		if code != c.code || (c.body != "" && body != c.body) {
			t.Errorf("%q = %d %q, want %d %q", c.head, code, body, c.code, c.body)
		}
	}
	debianRespChecks(t, addr, dir)
	// default-ssl.conf: the same site over TLS with the (test) snakeoil
	// certificate; SSLSessionTickets off (Debian's ssl.conf) gives no
	// ticket.
	if status, body, cn, cs := tlsGet(t, tlsAddr, "localhost", "localhost", "/", nil); status != "200 OK" ||
		body != "<html><body>default site</body></html>\n" || cn != "localhost" || cs.Version != tls.VersionTLS13 {
		t.Errorf("https: %s %q cert %s version %x", status, body, cn, cs.Version)
	}
	// The logs are where ${APACHE_LOG_DIR} says.
	mpmtest.WaitFor(t, 10*time.Second, "access.log and example_access.log", func() bool {
		a, _ := os.ReadFile(filepath.Join(dir, "log", "access.log"))
		e, _ := os.ReadFile(filepath.Join(dir, "log", "example_access.log"))
		return strings.Count(string(a), "\n") >= 6 && strings.Count(string(e), "\n") >= 2
	})
}
