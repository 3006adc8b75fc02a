package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// editConf rewrites the configuration file of s with edit.
func editConf(t *testing.T, s *mpmtest.Server, edit func(t *testing.T, text string) string) {
	t.Helper()
	b, err := os.ReadFile(s.Conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Conf, []byte(edit(t, string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// adding returns an edit that appends lines made by add.
func adding(add func(t *testing.T) string) func(*testing.T, string) string {
	return func(t *testing.T, text string) string { return text + add(t) + "\n" }
}

// generation is the generation the status page of s reports.
func generation(t *testing.T, s *mpmtest.Server) string {
	t.Helper()
	auto, err := s.StatusAuto()
	if err != nil {
		t.Fatalf("server-status: %v", err)
	}
	return auto["ParentServerMPMGeneration"]
}

// holdPort listens on a free loopback port for the test's lifetime.
func holdPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// TestReloadVerdict (issue 12, item 6): -k graceful and -k restart say
// when they did not work. A configuration that does not parse is refused
// before any signal (file and line on stderr); one the running master
// rejects (a Listen it cannot bind, a changed MPM) makes the command print
// the master's reason and exit 1; either way the running generation keeps
// serving. A good one exits 0 with a new generation.
func TestReloadVerdict(t *testing.T) {
	tests := []struct {
		name   string
		action string
		edit   func(t *testing.T, text string) string
		code   int
		want   []*regexp.Regexp // on the command's output
		signal bool             // the master got the signal
	}{
		{"syntax error", "graceful",
			adding(func(*testing.T) string { return "NoSuchDirective 1" }), 1,
			[]*regexp.Regexp{regexp.MustCompile(`httpd\.conf:\d+: NoSuchDirective: Invalid command`)}, false},
		{"port taken", "graceful",
			adding(func(t *testing.T) string { return "Listen " + holdPort(t) }), 1,
			[]*regexp.Regexp{regexp.MustCompile(`rejected the new configuration and keeps serving generation 0`),
				regexp.MustCompile(`address already in use`)}, true},
		{"port taken, restart", "restart",
			adding(func(t *testing.T) string { return "Listen " + holdPort(t) }), 1,
			[]*regexp.Regexp{regexp.MustCompile(`rejected the new configuration`),
				regexp.MustCompile(`address already in use`)}, true},
		{"MPM changed", "graceful",
			func(_ *testing.T, text string) string { return strings.Replace(text, "MPM event", "MPM prefork", 1) }, 1,
			[]*regexp.Regexp{regexp.MustCompile(`changing the MPM from event to prefork needs a full stop and start`)}, true},
		{"good graceful", "graceful",
			adding(func(*testing.T) string { return "KeepAliveTimeout 7" }), 0, nil, true},
		{"good restart", "restart",
			adding(func(*testing.T) string { return "KeepAliveTimeout 7" }), 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: "event"})
			if g := generation(t, s); g != "0" {
				t.Fatalf("generation %s at start, want 0", g)
			}
			editConf(t, s, tt.edit)
			code, out := gohttpd(t, s.Dir, "-f", s.Conf, "-k", tt.action)
			if code != tt.code {
				t.Fatalf("-k %s = %d, want %d; output:\n%s", tt.action, code, tt.code, out)
			}
			for _, re := range tt.want {
				if !re.MatchString(out) {
					t.Errorf("-k %s output lacks %q:\n%s", tt.action, re, out)
				}
			}
			notice := map[string]string{"graceful": "SIGUSR1 received", "restart": "SIGHUP received"}[tt.action]
			if got := strings.Contains(s.ErrorLog(), notice); got != tt.signal {
				t.Errorf("master logged %q: %v, want %v", notice, got, tt.signal)
			}
			want := "0"
			if tt.code == 0 {
				want = "1"
			}
			// The command returned after the master's verdict: the
			// generation is final now.
			if g := generation(t, s); g != want {
				t.Errorf("generation %s after -k %s, want %s", g, tt.action, want)
			}
			if code, _, err := s.Get("/index.html"); err != nil || code != 200 {
				t.Errorf("after -k %s: %d %v", tt.action, code, err)
			}
		})
	}
}

// TestControlMessages: Apache's messages and exit codes for -k start on
// a running server and for stop on none (ap_signal_server: both exit 0).
func TestControlMessages(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event"})
	stale := t.TempDir()
	os.Mkdir(filepath.Join(stale, "htdocs"), 0o755)
	os.Mkdir(filepath.Join(stale, "logs"), 0o755)
	staleConf := writeConf(t, stale, "httpd.conf", "ServerRoot "+stale+"\nListen 127.0.0.1:0\nDocumentRoot htdocs\nErrorLog logs/error_log\nPidFile logs/httpd.pid\n")
	none := t.TempDir()
	os.Mkdir(filepath.Join(none, "htdocs"), 0o755)
	noneConf := writeConf(t, none, "httpd.conf", "ServerRoot "+none+"\nListen 127.0.0.1:0\nDocumentRoot htdocs\nErrorLog logs/error_log\nPidFile logs/httpd.pid\n")
	// A pid file naming a process that is gone.
	gone := deadPID(t)
	if err := os.WriteFile(filepath.Join(stale, "logs", "httpd.pid"), []byte(fmt.Sprintln(gone)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, conf, action string
		code               int
		want               string
	}{
		{"start when running", s.Conf, "start", 0, fmt.Sprintf("gohttpd (pid %d) already running", s.PID())},
		{"stop with no pid file", noneConf, "stop", 0, "gohttpd (no pid file) not running"},
		{"graceful-stop with no pid file", noneConf, "graceful-stop", 0, "gohttpd (no pid file) not running"},
		{"stop with a stale pid file", staleConf, "stop", 0, fmt.Sprintf("gohttpd (pid %d?) not running", gone)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := gohttpd(t, filepath.Dir(tt.conf), "-f", tt.conf, "-k", tt.action)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("-k %s = %d %q, want %d %q", tt.action, code, out, tt.code, tt.want)
			}
		})
	}
	if s.Exited() {
		t.Errorf("the running server exited after a second -k start")
	}
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return p.Pid
}

// TestStartFailsWhenChildrenCannotServe: -k start does not return 0 for a
// server that cannot serve: here every child fails to open its CustomLog
// (a directory that does not exist, which -t does not check), the master
// stops, and -k start prints the children's error and exits 1. It used to
// return 0 as soon as the pid file appeared.
func TestStartFailsWhenChildrenCannotServe(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "htdocs"), 0o755)
	os.Mkdir(filepath.Join(dir, "logs"), 0o755)
	conf := writeConf(t, dir, "httpd.conf", `ServerRoot `+dir+`
Listen 127.0.0.1:0
DocumentRoot htdocs
ErrorLog logs/error_log
CustomLog `+filepath.Join(dir, "no-such-dir", "access_log")+` common
PidFile logs/httpd.pid
`)
	pidFile := filepath.Join(dir, "logs", "httpd.pid")
	t.Cleanup(func() {
		if pid, err := readPidFile(pidFile); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if code, out := gohttpd(t, dir, "-f", conf, "-t"); code != 0 {
		t.Fatalf("-t = %d %q, want 0 (the case must pass the syntax check)", code, out)
	}
	start := time.Now()
	code, out := gohttpd(t, dir, "-f", conf, "-k", "start")
	if code == 0 {
		t.Fatalf("-k start = 0 for a server whose children cannot start; output:\n%s", out)
	}
	for _, want := range []string{"CustomLog", "no such file or directory", "server exited during start"} {
		if !strings.Contains(out, want) {
			t.Errorf("-k start output lacks %q:\n%s", want, out)
		}
	}
	if took := time.Since(start); took > startTimeout {
		t.Errorf("-k start took %s, want the failure reported before the %s deadline", took, startTimeout)
	}
	mpmtest.WaitFor(t, 10*time.Second, "the pid file to be removed", func() bool {
		_, err := os.Stat(pidFile)
		return os.IsNotExist(err)
	})
}

// TestStartFailsInCrashLoop: a real crash loop at start, a classic one:
// the descriptor limit (ulimit -n 40) leaves room for the master, which
// opens only its ErrorLog, but not for a child, which opens 60 CustomLogs.
// Each child exits sick ("too many open files"), the master logs one
// crash-loop error and throttles, and -k start prints it and exits 1
// instead of returning 0 for a server that cannot serve.
func TestStartFailsInCrashLoop(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "htdocs"), 0o755)
	os.Mkdir(filepath.Join(dir, "logs"), 0o755)
	text := "ServerRoot " + dir + "\nListen 127.0.0.1:0\nDocumentRoot htdocs\nErrorLog logs/error_log\nPidFile logs/httpd.pid\nStartServers 1\n"
	for i := range 60 {
		text += fmt.Sprintf("CustomLog logs/access_%d common\n", i)
	}
	conf := writeConf(t, dir, "httpd.conf", text)
	pidFile := filepath.Join(dir, "logs", "httpd.pid")
	t.Cleanup(func() {
		if pid, err := readPidFile(pidFile); err == nil {
			syscall.Kill(-pid, syscall.SIGKILL) // its session: master and children
		}
	})
	cmd := exec.Command("/bin/sh", "-c", `ulimit -n 40 && exec "$0" "$@"`, mpmtest.Binary(t), "-f", conf, "-k", "start")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("-k start under ulimit -n 40 = %v, want exit 1; output:\n%s", err, out)
	}
	for _, want := range []string{"too many open files", "cannot serve: children are crashing", "-k stop"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("-k start output lacks %q:\n%s", want, out)
		}
	}
	pid, err := readPidFile(pidFile)
	if err != nil || !mpmtest.Alive(pid) {
		t.Fatalf("the master should keep trying: pid file %d, %v", pid, err)
	}
	st, err := readState(statePath(pidFile), pid)
	if err != nil || st.Ready || !strings.Contains(st.Failing, "children are crashing") {
		t.Errorf("status file = %+v, %v; want failing and not ready", st, err)
	}
	if code, out := gohttpd(t, dir, "-f", conf, "-k", "stop"); code != 0 {
		t.Fatalf("-k stop = %d %q", code, out)
	}
	mpmtest.WaitFor(t, 20*time.Second, "the master to exit", func() bool { return !mpmtest.Alive(pid) })
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "error_log"))
	if n := strings.Count(string(log), "children are crashing"); n != 1 {
		t.Errorf("crash-loop error logged %d times, want once:\n%s", n, log)
	}
	if !strings.Contains(string(log), "child: cannot start") || !strings.Contains(string(log), "too many open files") {
		t.Errorf("the children's reason is not in the error log:\n%s", log)
	}
	if n := strings.Count(string(log), "exited with status 7"); n > 20 {
		t.Errorf("%d crash lines for a start that failed at once: not bounded", n)
	}
}
