package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// readmeSample returns the first ```apache block under the heading
// "A sample httpd.conf" of the repository's README.md.
func readmeSample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n## A sample httpd.conf\n")
	if !ok {
		t.Fatal(`README.md has no "## A sample httpd.conf" section`)
	}
	_, rest, ok = strings.Cut(rest, "\n```apache\n")
	if !ok {
		t.Fatal("README.md: no ```apache block under \"A sample httpd.conf\"")
	}
	sample, _, ok := strings.Cut(rest, "\n```\n")
	if !ok {
		t.Fatal("README.md: the sample's ```apache block is not closed")
	}
	return sample + "\n"
}

// freePort returns a port free on host right now, or false when host
// cannot be bound (no IPv6 loopback).
func freePort(t *testing.T, host string) (int, bool) {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, false
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, true
}

// localizeSample rewrites only what must differ in a test: ServerRoot (if
// the sample sets one) becomes root, and each Listen a free port on the
// loopback address of its family (127.0.0.1, or [::1] for IPv6 hosts; a
// Listen on [::1] is dropped where the host has no IPv6 loopback). It
// returns the configuration and the addresses to fetch from.
func localizeSample(t *testing.T, sample, root string) (string, []string) {
	t.Helper()
	var out, addrs []string
	for _, line := range strings.Split(sample, "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && strings.EqualFold(fields[0], "ServerRoot"):
			line = "ServerRoot " + root
		case len(fields) >= 2 && strings.EqualFold(fields[0], "Listen"):
			host := "127.0.0.1"
			if strings.HasPrefix(fields[1], "[") {
				host = "::1"
			}
			port, ok := freePort(t, host)
			if !ok {
				t.Logf("no %s on this host: leaving out %q", host, line)
				continue
			}
			addr := net.JoinHostPort(host, strconv.Itoa(port))
			fields[1] = addr
			line = strings.Join(fields, " ")
			addrs = append(addrs, addr)
		}
		out = append(out, line)
	}
	if len(addrs) == 0 {
		t.Fatal("the README sample has no Listen directive")
	}
	return strings.Join(out, "\n"), addrs
}

// TestReadmeSample: the sample httpd.conf of README.md passes -t without
// warnings and, started as it is, serves its DocumentRoot on every Listen
// address and /server-status with the engine it loads.
func TestReadmeSample(t *testing.T) {
	root := mpmtest.ReadableTempDir(t) // the children serve as nobody under root
	for _, d := range []string{"htdocs", "logs"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const page = "Hello from gohttpd\n"
	if err := os.WriteFile(filepath.Join(root, "htdocs", "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	text, addrs := localizeSample(t, readmeSample(t), root)
	file := writeConf(t, root, "httpd.conf", text)

	code, out := gohttpd(t, root, "-t", "-f", file)
	if code != 0 || !strings.Contains(out, "Syntax OK") {
		t.Fatalf("gohttpd -t on the README sample: exit %d\n%s\n--- configuration\n%s", code, out, text)
	}
	if strings.Contains(out, "warning") || strings.Contains(out, "WARNING") {
		t.Errorf("gohttpd -t on the README sample warns:\n%s", out)
	}

	exited := startMaster(t, root, "-f", file)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(url string) (int, []byte, error) {
		resp, err := client.Get(url)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	for _, addr := range addrs {
		var status int
		var body []byte
		mpmtest.WaitFor(t, 20*time.Second, "the index page on "+addr, func() bool {
			var err error
			status, body, err = get("http://" + addr + "/")
			return err == nil || exited()
		})
		if exited() {
			t.Fatalf("gohttpd exited while starting")
		}
		if status != 200 || string(body) != page {
			t.Errorf("GET http://%s/ = %d %q, want 200 %q", addr, status, body, page)
		}
	}
	status, body, err := get("http://" + addrs[0] + "/server-status?auto")
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || !bytes.Contains(body, []byte("ServerMPM: worker")) {
		t.Errorf("/server-status?auto = %d %q, want 200 with ServerMPM: worker", status, body)
	}
}

// startMaster starts the gohttpd binary in dir in its own process group
// and returns a function reporting whether it has exited; cleanup stops it
// with TERM (KILL after 15 s), kills what is left of its group and, if the
// test failed, logs its output and error log.
func startMaster(t *testing.T, dir string, args ...string) (exited func() bool) {
	t.Helper()
	cmd := exec.Command(mpmtest.Binary(t), args...)
	cmd.Dir = dir
	out := &mpmtest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "logs", "error_log"))
			t.Logf("gohttpd output:\n%s\n--- error_log\n%s", out.String(), b)
		}
	})
	return func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
}
