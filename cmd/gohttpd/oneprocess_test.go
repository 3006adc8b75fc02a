package main

import (
	"net"
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

// TestOneProcessUnderSystemdThroughBinary: gohttpd -X started as systemd
// does (a passed socket, NOTIFY_SOCKET) serves on the passed socket, says
// READY=1, and on WINCH says STOPPING=1, answers the health check with
// 503 and keeps serving for GracefulStopDrainDelay before it stops, as
// the master does (TestDrainAndNotifyThroughBinary).
func TestOneProcessUnderSystemdThroughBinary(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) { testOneProcessUnderSystemd(t, mpmName) })
	}
}

func testOneProcessUnderSystemd(t *testing.T, mpmName string) {
	bin := mpmtest.Binary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ln.Close() // the passed descriptor (f) keeps the socket

	dir := mpmtest.ReadableTempDir(t)
	n := newNotifySocketIn(t, dir)
	mkfiles(t, dir, map[string]string{"htdocs/index.html": "one\n"})
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o777); err != nil {
		t.Fatal(err)
	}
	const delay = 2 * time.Second
	file := filepath.Join(dir, "httpd.conf")
	conf := strings.Join([]string{
		"ServerRoot " + dir,
		"ServerName one",
		"MPM " + mpmName,
		"Listen 127.0.0.1:" + port,
		"DocumentRoot htdocs",
		"ErrorLog logs/error_log",
		"PidFile logs/httpd.pid",
		"GracefulStopDrainDelay 2",
		"<Location /healthz>",
		"    SetHandler health",
		"</Location>",
	}, "\n") + "\n"
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" -X -f "$1"`, bin, file)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+n.path)
	cmd.ExtraFiles = []*os.File{f}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, _ := os.Create(file + ".stderr")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // owner: the test; ends when the process exits
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	stderr := func() string {
		b, _ := os.ReadFile(file + ".stderr")
		el, _ := os.ReadFile(filepath.Join(dir, "logs", "error_log"))
		return string(b) + string(el)
	}

	mpmtest.WaitFor(t, 10*time.Second, "READY=1", func() bool { return n.count("READY=1") == 1 })
	url := "http://127.0.0.1:" + port
	if code, body, _, err := getClose(url + "/index.html"); err != nil || code != 200 || body != "one\n" {
		t.Fatalf("GET on the passed socket: %d %q %v\n%s", code, body, err, stderr())
	}
	mpmtest.WaitFor(t, 10*time.Second, "the notice about the passed socket", func() bool {
		return strings.Contains(stderr(), "using the socket passed by systemd for 127.0.0.1:"+port)
	})
	if code, body, _, err := getClose(url + "/healthz"); err != nil || code != 200 || body != "OK\n" {
		t.Fatalf("/healthz while serving: %d %q %v", code, body, err)
	}

	start := time.Now()
	_ = cmd.Process.Signal(syscall.SIGWINCH)
	mpmtest.WaitFor(t, 5*time.Second, "STOPPING=1", func() bool { return n.count("STOPPING=1") == 1 })
	mpmtest.WaitFor(t, 5*time.Second, "the health check to fail", func() bool {
		code, body, _, err := getClose(url + "/healthz")
		return err == nil && code == 503 && body == "draining\n"
	})
	code, _, conn, err := getClose(url + "/index.html")
	if time.Since(start) < delay-200*time.Millisecond {
		if err != nil || code != 200 || conn != "close" {
			t.Errorf("during the drain delay: %d (Connection: %s) %v, want 200 with Connection: close", code, conn, err)
		}
	}
	select {
	case err := <-done:
		done <- err
		if d := time.Since(start); d < delay {
			t.Errorf("-X stopped %v after WINCH, before GracefulStopDrainDelay %v", d, delay)
		}
		if err != nil {
			t.Errorf("exit: %v\n%s", err, stderr())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("-X did not stop after WINCH\n%s", stderr())
	}
}
