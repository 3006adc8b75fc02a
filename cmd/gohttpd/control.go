package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

// envDetached marks the process that "-k start" started in the
// background, so it serves instead of starting yet another copy.
const envDetached = "GOHTTPD_DETACHED"

// signals maps -k actions to the signal Apache's httpd sends the master.
var signals = map[string]syscall.Signal{
	"stop":          syscall.SIGTERM,
	"graceful-stop": syscall.SIGWINCH,
	"restart":       syscall.SIGHUP,
	"graceful":      syscall.SIGUSR1,
}

// Deadlines of the -k commands that wait for the server's answer.
const (
	startTimeout  = 15 * time.Second // -k start: a child serves
	reloadTimeout = 20 * time.Second // -k graceful|restart: the master handled it (a restart may wait 10 s for children)
)

// control runs -k ACTION after the configuration was read and checked
// (so a broken configuration signals nothing, as apachectl's configtest
// before graceful), as httpd's ap_signal_server. start, graceful and
// restart then wait for the server's answer in its status file and fail
// when it cannot serve or rejects the new configuration.
func control(o *options, cfg *conf.Config, stdout, stderr io.Writer) int {
	pid, pidErr := readPidFile(cfg.PidFile)
	running := pidErr == nil && alive(pid)
	switch o.action {
	case "start":
		if running {
			fmt.Fprintf(stdout, "gohttpd (pid %d) already running\n", pid)
			return 0
		}
		if slices.Contains(o.defines, "FOREGROUND") || os.Getenv(envDetached) != "" {
			return serveExit(cfg, o, stderr)
		}
		return startDetached(cfg, o.oneProcess, stderr)
	case "stop", "graceful-stop":
		if !running {
			fmt.Fprintln(stdout, notRunning(pid, pidErr))
			return 0
		}
	case "restart", "graceful":
		if !running {
			fmt.Fprintln(stdout, "gohttpd not running, trying to start")
			return startDetached(cfg, o.oneProcess, stderr)
		}
		return reload(cfg, pid, signals[o.action], stderr)
	}
	if err := signalMaster(pid, signals[o.action]); err != nil {
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return 1
	}
	return 0
}

// signalMaster sends sig to the master pid.
func signalMaster(pid int, sig syscall.Signal) error {
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("signal %s to pid %d: %w", sig, pid, os.NewSyscallError("kill", err))
	}
	return nil
}

// reload sends sig (USR1 or HUP) to the master pid and waits until it
// handled it. The configuration was checked already; this catches what
// only the running master sees (a Listen it cannot bind, a changed MPM).
func reload(cfg *conf.Config, pid int, sig syscall.Signal, stderr io.Writer) int {
	path := statePath(cfg.PidFile)
	before, stateErr := readState(path, pid)
	if err := signalMaster(pid, sig); err != nil {
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return 1
	}
	if stateErr != nil {
		// A master that keeps no status file (yet): nothing to wait for.
		return 0
	}
	st, err := waitState(path, pid, reloadTimeout, func(st serverState) bool { return st.Reloads > before.Reloads })
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return 1
	}
	if st.ReloadError != "" {
		fmt.Fprintf(stderr, "gohttpd: the running server (pid %d) rejected the new configuration and keeps serving generation %d:\n", pid, st.Generation)
		for _, line := range strings.Split(st.ReloadError, "\n") {
			fmt.Fprintf(stderr, "gohttpd: %s\n", line)
		}
		return 1
	}
	return 0
}

// waitState polls the status file of the master pid until done holds,
// the master exits or d passes.
func waitState(path string, pid int, d time.Duration, done func(serverState) bool) (serverState, error) {
	deadline := time.Now().Add(d)
	for {
		st, err := readState(path, pid)
		if err == nil && done(st) {
			return st, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return st, err
		}
		if !alive(pid) {
			return st, fmt.Errorf("the server (pid %d) exited; see its ErrorLog", pid)
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("no answer from the server (pid %d) within %s; see its ErrorLog", pid, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// notRunning is httpd's message for stop when no server runs.
func notRunning(pid int, err error) string {
	if err != nil {
		return "gohttpd (no pid file) not running"
	}
	return fmt.Sprintf("gohttpd (pid %d?) not running", pid)
}

// alive reports whether pid names a live process other than ourselves.
func alive(pid int) bool {
	if pid <= 0 || pid == os.Getpid() {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

// startDetached re-executes this binary with the same flags, minus -k, in
// a new session with its output going to the error log, and waits until
// it serves (or exits, or its children crash). With -X there are no
// children and no status file: it waits for the pid file only.
func startDetached(cfg *conf.Config, oneProcess bool, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return 1
	}
	cmd := exec.Command(exe, withoutAction(os.Args[1:])...)
	cmd.Env = append(os.Environ(), envDetached+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return 1
	}
	defer devnull.Close()
	cmd.Stdin, cmd.Stdout = devnull, devnull
	// Startup errors (a port in use) reach the terminal that ran -k start
	// through a pipe that is closed once the server runs, so the server
	// holds no descriptor of ours (it ignores SIGPIPE; later errors go to
	// its ErrorLog).
	errR, errW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd: pipe: %v\n", err)
		return 1
	}
	defer errR.Close()
	cmd.Stderr = errW
	err = cmd.Start()
	errW.Close()
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd: start: %v\n", err)
		return 1
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(stderr, errR)
		close(copied)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	pid := cmd.Process.Pid
	ready := make(chan error, 1)
	go func() { ready <- waitStarted(cfg, pid, !oneProcess, startTimeout) }()
	select {
	case err := <-exited:
		<-copied
		fmt.Fprintf(stderr, "gohttpd: server exited during start: %v\n", err)
		return 1
	case err := <-ready:
		if err == nil {
			return 0
		}
		select {
		case werr := <-exited:
			// It exited: what it said on stderr is the news.
			<-copied
			fmt.Fprintf(stderr, "gohttpd: server exited during start: %v\n", werr)
		default:
			// It runs on: pass on what its children said so far (they
			// wrote it before the master saw them exit), then the verdict.
			errR.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			<-copied
			fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		}
		return 1
	}
}

// waitStarted waits until the master pid started by -k start wrote its
// pid file and a child of it serves. It fails when the children crash
// instead (the server keeps trying, at a throttled rate) or nothing
// happens within d. Without children (-X) it waits for the pid file
// only.
func waitStarted(cfg *conf.Config, pid int, children bool, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if p, err := readPidFile(cfg.PidFile); err == nil && p == pid {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server (pid %d) did not write %s within %s", pid, cfg.PidFile, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !children {
		return nil
	}
	st, err := waitState(statePath(cfg.PidFile), pid, time.Until(deadline), func(st serverState) bool {
		return st.Ready || st.Failing != ""
	})
	if err != nil {
		return fmt.Errorf("server (pid %d) started but does not serve: %w", pid, err)
	}
	if st.Failing != "" {
		// Even if a child served for a moment: they crash now.
		return fmt.Errorf("server (pid %d) started but cannot serve: %s\n"+
			"gohttpd: it keeps trying; see its ErrorLog, or stop it with -k stop", pid, st.Failing)
	}
	return nil
}

// serveExit serves in this process and returns the exit code.
func serveExit(cfg *conf.Config, o *options, stderr io.Writer) int {
	if err := serve(cfg, o, stderr); err != nil {
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return 1
	}
	return 0
}

// withoutAction drops "-k ACTION" (and "-kACTION") from args.
func withoutAction(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-k" || a == "--k":
			i++
		case strings.HasPrefix(a, "-k"):
		default:
			out = append(out, a)
		}
	}
	return out
}

// readPidFile returns the pid recorded in path.
func readPidFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	return pid, nil
}

// writePidFile records our pid in path, refusing to overwrite the pid
// file of a live server (Apache: "httpd (pid N) already running").
func writePidFile(path string) error {
	if pid, err := readPidFile(path); err == nil && alive(pid) {
		return fmt.Errorf("gohttpd (pid %d) already running (PidFile %s)", pid, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("PidFile: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("PidFile: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("PidFile: %w", err)
	}
	return nil
}

// removePidFile removes path if it still names us.
func removePidFile(path string) {
	if pid, err := readPidFile(path); err == nil && pid == os.Getpid() {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "gohttpd: %v\n", err)
		}
	}
}
