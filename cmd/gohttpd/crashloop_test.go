package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestCrashLoopIsBoundedAndVisible (issue 12, item 1): children that die
// as soon as they start (here killed, as an OOM killer would) make the
// master log one crash-loop error, respawn with a doubling delay instead
// of as fast as it can fork, and say so in its status file; a graceful
// restart ends the throttling at once.
func TestCrashLoopIsBoundedAndVisible(t *testing.T) {
	s := mpmtest.Start(t, mpmtest.Options{MPM: "event", Directives: []string{"StartServers 2"}})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			for _, pid := range s.Children() {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}()
	stopKilling := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopKilling()

	const loopErr = "children are crashing"
	mpmtest.WaitFor(t, 20*time.Second, "the crash-loop error", func() bool {
		return strings.Contains(s.ErrorLog(), loopErr)
	})
	loop := time.Now()
	stateFile := filepath.Join(s.Dir, "logs", "httpd.pid.status")
	if st, err := readState(stateFile, s.PID()); err != nil || !strings.Contains(st.Failing, loopErr) {
		t.Errorf("status file: %+v, %v; want the crash-loop error in failing", st, err)
	}
	// Respawns come 1, 2, 4 s apart (doubling with each crash; a child
	// that was still running when the loop began only makes the next
	// delay longer): three more crashes take at least 6 s. Unthrottled,
	// milliseconds.
	crashesAfter := func() int {
		log := s.ErrorLog()
		return strings.Count(log[strings.Index(log, loopErr):], "exit signal")
	}
	mpmtest.WaitFor(t, 30*time.Second, "three crashes after the crash-loop error", func() bool {
		return crashesAfter() >= 3
	})
	if took, least := time.Since(loop), 5500*time.Millisecond; took < least {
		t.Errorf("three crashes %s after the crash-loop error, want at least %s", took, least)
	}
	if n := strings.Count(s.ErrorLog(), loopErr); n != 1 {
		t.Errorf("crash-loop error logged %d times, want once", n)
	}
	stopKilling()

	if code, out := gohttpd(t, s.Dir, "-f", s.Conf, "-k", "graceful"); code != 0 {
		t.Fatalf("-k graceful = %d %q", code, out)
	}
	if st, err := readState(stateFile, s.PID()); err != nil || st.Failing != "" {
		t.Errorf("status file after the restart: %+v, %v; want no failing", st, err)
	}
	mpmtest.WaitFor(t, 10*time.Second, "the new generation to serve", func() bool {
		code, _, err := s.Get("/index.html")
		return err == nil && code == 200
	})
}

// TestWaitStarted: what -k start makes of the status file of the server
// it started.
func TestWaitStarted(t *testing.T) {
	tests := []struct {
		name    string
		state   *serverState // nil: no status file
		exit    bool         // the server is gone
		oneProc bool         // -X: no children, no status file
		want    string       // "" = started
	}{
		{"ready", &serverState{Ready: true}, false, false, ""},
		{"crash loop", &serverState{Failing: "children are crashing: 11 exited within 10s"}, false, false,
			"cannot serve: children are crashing: 11 exited within 10s"},
		{"served, then crashing", &serverState{Ready: true, Failing: "children are crashing: 11 exited within 10s"}, false, false,
			"cannot serve: children are crashing"},
		{"no answer", nil, false, false, "does not serve: no answer"},
		{"exited", nil, true, false, "does not serve: the server"},
		{"one process", nil, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := &conf.Config{PidFile: filepath.Join(dir, "httpd.pid")}
			server := exec.Command("sleep", "60")
			if err := server.Start(); err != nil {
				t.Fatal(err)
			}
			pid := server.Process.Pid
			t.Cleanup(func() { server.Process.Kill(); server.Wait() })
			if err := os.WriteFile(cfg.PidFile, []byte(fmt.Sprintln(pid)), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.state != nil {
				st := mpm.MasterState{Ready: tt.state.Ready, Failing: tt.state.Failing}
				if err := writeState(statePath(cfg.PidFile), pid, st); err != nil {
					t.Fatal(err)
				}
			}
			if tt.exit {
				server.Process.Kill()
				server.Wait()
			}
			err := waitStarted(cfg, pid, !tt.oneProc, 300*time.Millisecond)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("waitStarted = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("waitStarted = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestStartFailure: a child that cannot set up for want of descriptors or
// memory is sick (respawned), anything else is fatal.
func TestStartFailure(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("ErrorLog: %w", &os.PathError{Op: "open", Path: "x", Err: syscall.EMFILE}), mpm.ExitChildSick},
		{fmt.Errorf("event: %w", os.NewSyscallError("epoll_create1", syscall.ENFILE)), mpm.ExitChildSick},
		{fmt.Errorf("CustomLog: %w", &os.PathError{Op: "open", Path: "x", Err: syscall.ENOENT}), mpm.ExitChildFatal},
		{errors.New("no such handler"), mpm.ExitChildFatal},
	}
	for _, tt := range tests {
		if got := startFailure(tt.err); got != tt.want {
			t.Errorf("startFailure(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
