package listener

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/internal/sdnotify"
)

// helperEnv makes the test binary run activationHelper instead of the tests
// (it is how the systemd-socket-activate test runs a program that uses this
// package).
const helperEnv = "GOHTTPD_ACTIVATION_HELPER"

func TestMain(m *testing.M) {
	if specs, ok := os.LookupEnv(helperEnv); ok {
		os.Exit(activationHelper(specs))
	}
	os.Exit(m.Run())
}

// activationHelper is the master's start-up in small: it claims the passed
// sockets for its Listen specs (comma-separated host:port), opens the others,
// reports, and serves one line per connection on the first listener.
func activationHelper(specList string) int {
	a, err := ActivationFromEnv(true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var lns []*Listener
	for _, hp := range strings.Split(specList, ",") {
		host, port, _ := net.SplitHostPort(hp)
		p, _ := strconv.Atoi(port)
		spec := Spec{Host: host, Port: p}
		ln, ok, err := a.Take(spec)
		if err == nil && !ok {
			ln, err = Open(spec)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Printf("listen %s passed=%v\n", hp, ok)
		lns = append(lns, ln)
	}
	if err := a.Unclaimed(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Printf("env LISTEN_FDS=%q LISTEN_PID=%q\n", os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_PID"))
	// The master's sd_notify sequence: READY=1 once serving, RELOADING=1
	// and READY=1 around a restart (USR1), STOPPING=1 at a stop (WINCH).
	if n := sdnotify.FromEnv(true); n != nil {
		sigc := make(chan os.Signal, 4)
		signal.Notify(sigc, syscall.SIGUSR1, syscall.SIGWINCH)
		go func() {
			for sig := range sigc {
				if sig == syscall.SIGWINCH {
					n.Stopping()
					os.Exit(0)
				}
				n.Reloading()
				n.Ready()
			}
		}()
		if err := n.Ready(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 5
		}
	}
	for {
		c, err := lns[0].Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 4
		}
		fmt.Fprintf(c, "served by pid %d on %s\n", os.Getpid(), c.LocalAddr())
		c.Close()
	}
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// socketActivate starts the test binary in helper mode under
// systemd-socket-activate listening on 127.0.0.1:port.
func socketActivate(t *testing.T, port int, specs string, env ...string) (cmd *exec.Cmd, stdout, stderr *bytes.Buffer) {
	t.Helper()
	tool, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Fatalf("systemd-socket-activate is needed (Debian package systemd: apt-get install -y systemd): %v", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"-l", addr, "--fdname=http", "-E", helperEnv + "=" + specs}
	for _, e := range env {
		args = append(args, "-E", e)
	}
	cmd = exec.Command(tool, append(args, os.Args[0])...)
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, stdout, stderr
}

// dial connects to addr, retrying until systemd-socket-activate listens.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("connect %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSystemdSocketActivate runs a program using Activation under
// systemd-socket-activate: the passed socket serves the Listen naming its
// address, a second Listen is opened normally, and LISTEN_* are unset.
func TestSystemdSocketActivate(t *testing.T) {
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd, stdout, stderr := socketActivate(t, port, addr+",127.0.0.1:0")
	for i := range 2 {
		c := dial(t, addr)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil {
			t.Fatalf("connection %d: no answer: %v (stderr: %s)", i, err, stderr)
		}
		want := fmt.Sprintf("served by pid %d on %s\n", cmd.Process.Pid, addr)
		if line != want {
			t.Fatalf("connection %d: got %q, want %q", i, line, want)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	out := stdout.String()
	for _, want := range []string{
		"listen " + addr + " passed=true\n",
		"listen 127.0.0.1:0 passed=false\n",
		`env LISTEN_FDS="" LISTEN_PID=""` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("helper output lacks %q:\n%s\nstderr: %s", want, out, stderr)
		}
	}
}

// TestSystemdSocketActivateUnclaimed: a passed socket no Listen names is
// an error at start.
func TestSystemdSocketActivateUnclaimed(t *testing.T) {
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd, _, stderr := socketActivate(t, port, "127.0.0.2:"+strconv.Itoa(port))
	c := dial(t, addr) // the first connection makes systemd-socket-activate start the helper
	defer c.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("helper exit: %v, want exit status 3 (stderr: %s)", err, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("helper did not exit on an unclaimed passed socket")
	}
	want := "systemd passed sockets that no Listen directive names: [" + addr + ", name http]"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}
}

// passedFiles opens listeners as systemd would and returns their
// descriptors as passed files.
func passedFiles(t *testing.T, specs ...Spec) []*os.File {
	t.Helper()
	var files []*os.File
	for _, s := range specs {
		ln, err := Open(s)
		if err != nil {
			t.Skipf("cannot open %+v here: %v", s, err)
		}
		f, err := ln.File()
		ln.Close()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

func TestActivationTake(t *testing.T) {
	p1, p2 := freePort(t), freePort(t)
	files := passedFiles(t,
		Spec{Host: "127.0.0.1", Port: p1},
		Spec{Host: "::1", Port: p1},
		Spec{Host: "*", Port: p2},
	)
	a, err := activationFromFiles(files, []string{"v4", "v6"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spec Spec
		ok   bool
		addr string
	}{
		{Spec{Host: "127.0.0.2", Port: p1}, false, ""}, // other address
		{Spec{Host: "127.0.0.1", Port: p2}, false, ""}, // other port
		{Spec{Host: "127.0.0.1", Port: 0}, false, ""},  // kernel-chosen port never matches
		{Spec{Host: "[::1]", Port: p1}, true, "[::1]"}, // family and address
		{Spec{Host: "127.0.0.1", Port: p1}, true, "127.0.0.1"},
		{Spec{Host: "127.0.0.1", Port: p1}, false, ""}, // claimed already
		{Spec{Host: "", Port: p2}, true, "[::]"},       // wildcard
	} {
		ln, ok, err := a.Take(tc.spec)
		if err != nil {
			t.Fatalf("Take(%+v): %v", tc.spec, err)
		}
		if ok != tc.ok {
			t.Fatalf("Take(%+v) ok=%v, want %v", tc.spec, ok, tc.ok)
		}
		if !ok {
			continue
		}
		want := net.JoinHostPort(strings.Trim(tc.addr, "[]"), strconv.Itoa(tc.spec.Port))
		if got := ln.Addr().String(); got != want {
			t.Errorf("Take(%+v) gave %s, want %s", tc.spec, got, want)
		}
		if len(ln.Warnings()) != 1 || !strings.Contains(ln.Warnings()[0], "passed by systemd") {
			t.Errorf("Take(%+v) warnings %q", tc.spec, ln.Warnings())
		}
		// The socket serves: a connection lands in its accept queue.
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatalf("dial %s: %v", ln.Addr(), err)
		}
		ln.SetDeadline(time.Now().Add(5 * time.Second))
		sc, err := ln.Accept()
		if err != nil {
			t.Fatalf("accept on %s: %v", ln.Addr(), err)
		}
		sc.Close()
		c.Close()
		ln.Close()
	}
	if a.Len() != 0 {
		t.Errorf("Len() = %d after every socket was taken", a.Len())
	}
	if err := a.Unclaimed(); err != nil {
		t.Errorf("Unclaimed: %v", err)
	}
}

func TestActivationUnclaimed(t *testing.T) {
	port := freePort(t)
	a, err := activationFromFiles(passedFiles(t, Spec{Host: "127.0.0.1", Port: port}), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Unclaimed()
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
		t.Fatalf("Unclaimed() = %v, want an error naming the socket", err)
	}
	if a.Len() != 0 || a.Unclaimed() != nil {
		t.Error("Unclaimed must close and forget the sockets")
	}
	// The port is free again: systemd's copy aside, nobody holds it.
	ln, err := Open(Spec{Host: "127.0.0.1", Port: port})
	if err != nil {
		t.Errorf("port still held after Unclaimed: %v", err)
	} else {
		ln.Close()
	}
}

func TestActivationRejects(t *testing.T) {
	udp, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fd   int
		want string
	}{
		{udp, "want SOCK_STREAM"},
		{tcp, "not listening"},
	} {
		_, err := activationFromFiles([]*os.File{os.NewFile(uintptr(tc.fd), "test")}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("activationFromFiles: %v, want an error with %q", err, tc.want)
		}
	}
}

func TestActivationFromEnvNotOurs(t *testing.T) {
	t.Setenv("LISTEN_FDS", "1")
	t.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()+1))
	a, err := ActivationFromEnv(false)
	if err != nil || a != nil {
		t.Fatalf("ActivationFromEnv for another pid = %v, %v; want nil, nil", a, err)
	}
	t.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
	t.Setenv("LISTEN_FDS", "x")
	if _, err := ActivationFromEnv(true); err == nil {
		t.Error("LISTEN_FDS=x accepted")
	}
	if _, ok := os.LookupEnv("LISTEN_FDS"); ok {
		t.Error("ActivationFromEnv(true) left LISTEN_FDS set")
	}
}

// TestSystemdSocketActivateNotify: under systemd-socket-activate with a
// NOTIFY_SOCKET the test listens on, the helper (using this package and
// internal/sdnotify as the master will) reports READY=1 with its pid once
// it serves on the passed socket, RELOADING=1 + MONOTONIC_USEC and READY=1
// at USR1, and STOPPING=1 at WINCH.
func TestSystemdSocketActivateNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.sock")
	nc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	recv := func(what string) string {
		t.Helper()
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		return string(buf[:n])
	}
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd, _, stderr := socketActivate(t, port, addr, "NOTIFY_SOCKET="+path)
	c := dial(t, addr)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(line, "served by pid") {
		t.Fatalf("not served on the passed socket: %q, %v (stderr: %s)", line, err, stderr)
	}
	c.Close()
	pid := cmd.Process.Pid
	if got, want := recv("READY=1"), fmt.Sprintf("READY=1\nSTATUS=Processing requests...\nMAINPID=%d", pid); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	cmd.Process.Signal(syscall.SIGUSR1)
	if got := recv("RELOADING=1"); !strings.HasPrefix(got, "RELOADING=1\nMONOTONIC_USEC=") {
		t.Fatalf("after USR1 got %q, want RELOADING=1 and MONOTONIC_USEC", got)
	}
	if got := recv("READY=1 after the restart"); !strings.HasPrefix(got, "READY=1\n") {
		t.Fatalf("after RELOADING got %q, want READY=1", got)
	}
	cmd.Process.Signal(syscall.SIGWINCH)
	if got := recv("STOPPING=1"); got != "STOPPING=1" {
		t.Fatalf("after WINCH got %q, want STOPPING=1", got)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("helper exit: %v (stderr: %s)", err, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("helper did not exit after STOPPING=1")
	}
}
