//go:build linux

package mpm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestMemfdSealed(t *testing.T) {
	s := newTestBoard(t, 2, 2)
	f := s.File()
	if f == nil {
		t.Fatal("File() = nil, want the memfd")
	}
	fd := f.Fd()
	seals, err := unix.FcntlInt(fd, unix.F_GET_SEALS, 0)
	if err != nil {
		t.Fatalf("fcntl F_GET_SEALS = %v", err)
	}
	if want := unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL; seals&want != want || seals&unix.F_SEAL_WRITE != 0 {
		t.Errorf("seals = %#x, want %#x without F_SEAL_WRITE", seals, want)
	}
	flags, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
	if err != nil {
		t.Fatalf("fcntl F_GETFL = %v", err)
	}
	if flags&unix.O_NONBLOCK != 0 {
		t.Errorf("memfd flags = %#x, want blocking", flags)
	}
	fdFlags, err := unix.FcntlInt(fd, unix.F_GETFD, 0)
	if err != nil {
		t.Fatalf("fcntl F_GETFD = %v", err)
	}
	if fdFlags&unix.FD_CLOEXEC == 0 {
		t.Errorf("memfd fd flags = %#x, want FD_CLOEXEC", fdFlags)
	}
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(fd)))
	if err != nil {
		t.Fatalf("readlink = %v", err)
	}
	if !strings.HasPrefix(link, "/memfd:"+memfdName) {
		t.Errorf("memfd link = %q, want prefix %q", link, "/memfd:"+memfdName)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(fd), &st); err != nil {
		t.Fatalf("fstat = %v", err)
	}
	if st.Size != int64(len(s.mem)) {
		t.Errorf("memfd size = %d, want %d", st.Size, len(s.mem))
	}
	for _, size := range []int64{0, st.Size + 4096} {
		if err := unix.Ftruncate(int(fd), size); !errors.Is(err, unix.EPERM) {
			t.Errorf("ftruncate(memfd, %d) = %v, want EPERM", size, err)
		}
	}
}

// dupFile returns a new *os.File for a duplicate of f's descriptor.
func dupFile(t *testing.T, f *os.File) *os.File {
	t.Helper()
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("fcntl F_DUPFD_CLOEXEC = %v", err)
	}
	return os.NewFile(uintptr(fd), f.Name())
}

// TestAttachSharesMemory attaches a second mapping in this process and
// checks that writes through either are seen through the other.
func TestAttachSharesMemory(t *testing.T) {
	s := newTestBoard(t, 3, 2)
	s.SetGeneration(5)
	s.Process(2).SetPID(1234)
	a, err := Attach(dupFile(t, s.File()))
	if err != nil {
		t.Fatalf("Attach(dup of File()) = %v", err)
	}
	defer a.Close()
	if a.ServerLimit() != 3 || a.ThreadLimit() != 2 {
		t.Errorf("attached limits = %d, %d, want 3, 2", a.ServerLimit(), a.ThreadLimit())
	}
	if a.Generation() != 5 || a.Process(2).PID() != 1234 {
		t.Errorf("attached Generation, Process(2).PID = %d, %d, want 5, 1234", a.Generation(), a.Process(2).PID())
	}
	a.Worker(2, 1).BeginRequest(time.Now(), "::1", "h:80", "GET /attached HTTP/1.1")
	if got := s.Worker(2, 1).Snapshot(); got.Request != "GET /attached HTTP/1.1" || got.State != StateBusyRead {
		t.Errorf("creator sees Request, State = %q, %v, want %q, %v", got.Request, got.State, "GET /attached HTTP/1.1", StateBusyRead)
	}
	if &a.mem[0] == &s.mem[0] {
		t.Errorf("Attach returned the same mapping, want a second one")
	}
}

// memfdWith returns a memfd holding content, sealed against shrinking and
// growing when seal is set.
func memfdWith(t *testing.T, content []byte, seal bool) *os.File {
	t.Helper()
	fd, err := unix.MemfdCreate("test-scoreboard", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		t.Fatalf("memfd_create = %v", err)
	}
	f := os.NewFile(uintptr(fd), "test-scoreboard")
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(content); err != nil {
		t.Fatalf("write memfd = %v", err)
	}
	if seal {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW); err != nil {
			t.Fatalf("fcntl F_ADD_SEALS = %v", err)
		}
	}
	return f
}

func TestAttachRejects(t *testing.T) {
	s := newTestBoard(t, 2, 3)
	image := bytes.Clone(s.mem)
	edit := func(f func(b []byte)) []byte {
		b := bytes.Clone(image)
		f(b)
		return b
	}
	tests := []struct {
		name    string
		file    func(t *testing.T) *os.File
		invalid bool   // the error wraps ErrInvalidScoreboard
		want    string // substring of the error
	}{
		{"nil file", func(*testing.T) *os.File { return nil }, true, "nil file"},
		{"bad magic", func(t *testing.T) *os.File {
			return memfdWith(t, edit(func(b []byte) { copy(b, "NOTABORD") }), true)
		}, true, "bad magic"},
		{"bad version", func(t *testing.T) *os.File {
			return memfdWith(t, edit(func(b []byte) { binary.NativeEndian.PutUint32(b[8:], 99) }), true)
		}, true, "version 99, want 1"},
		{"bad slot size", func(t *testing.T) *os.File {
			return memfdWith(t, edit(func(b []byte) { binary.NativeEndian.PutUint32(b[28:], 256) }), true)
		}, true, "slot sizes"},
		{"zero ServerLimit", func(t *testing.T) *os.File {
			return memfdWith(t, edit(func(b []byte) { binary.NativeEndian.PutUint32(b[16:], 0) }), true)
		}, true, "ServerLimit 0 out of range"},
		{"file larger than header says", func(t *testing.T) *os.File {
			return memfdWith(t, append(bytes.Clone(image), make([]byte, 4096)...), true)
		}, true, "want " + strconv.Itoa(len(image))},
		{"file smaller than header says", func(t *testing.T) *os.File {
			return memfdWith(t, image[:len(image)-workerSize], true)
		}, true, "want " + strconv.Itoa(len(image))},
		{"header says more threads", func(t *testing.T) *os.File {
			return memfdWith(t, edit(func(b []byte) { binary.NativeEndian.PutUint32(b[20:], 4) }), true)
		}, true, "ThreadLimit 4"},
		{"shorter than a header", func(t *testing.T) *os.File {
			return memfdWith(t, image[:64], true)
		}, true, "size 64 out of range"},
		{"empty", func(t *testing.T) *os.File {
			return memfdWith(t, nil, true)
		}, true, "size 0 out of range"},
		{"memfd not sealed", func(t *testing.T) *os.File {
			return memfdWith(t, image, false)
		}, true, "not sealed"},
		{"regular file", func(t *testing.T) *os.File {
			path := filepath.Join(t.TempDir(), "board")
			if err := os.WriteFile(path, image, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}, true, "seal"}, // EINVAL from F_GET_SEALS, or unsealed on tmpfs
		{"read-only descriptor", func(t *testing.T) *os.File {
			f := memfdWith(t, image, true)
			ro, err := os.Open("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ro.Close() })
			return ro
		}, false, "mmap: permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.file(t)
			a, err := Attach(f)
			if err == nil {
				a.Close()
				t.Fatalf("Attach(%s) = nil error, want one containing %q", tt.name, tt.want)
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
				t.Errorf("Attach(%s) = %q, want it to contain %q", tt.name, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "mpm: ") {
				t.Errorf("Attach(%s) = %q, want the \"mpm: \" prefix", tt.name, err)
			}
			if got := errors.Is(err, ErrInvalidScoreboard); got != tt.invalid {
				t.Errorf("errors.Is(Attach(%s), ErrInvalidScoreboard) = %t, want %t", tt.name, got, tt.invalid)
			}
			if f != nil {
				// On error Attach leaves the file open.
				if _, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); err != nil {
					t.Errorf("file after failed Attach: fcntl F_GETFD = %v, want open", err)
				}
			}
		})
	}
}

// helperEnv carries the slot a TestHelperProcess child works on.
const helperEnv = "GOHTTPD_MPM_SCOREBOARD_HELPER"

const (
	helperIterations = 100000
	helperExitAttach = 2
	helperExitSeal   = 3
	helperExitUsage  = 4
)

// TestHelperProcess is not a test: it is the child of TestCrossProcess (the
// os/exec helper-process pattern) and skips in a normal run.
func TestHelperProcess(t *testing.T) {
	v := os.Getenv(helperEnv)
	if v == "" {
		t.Skip("helper process for TestCrossProcess; runs only as its child")
	}
	os.Exit(helperMain(v))
}

// helperMain attaches the scoreboard inherited as fd 3, counts
// helperIterations requests and connections in its own slot and keep-alives
// in the shared last process slot, leaves a request string, and checks that
// the memfd cannot be resized.
func helperMain(v string) int {
	slot, err := strconv.Atoi(v)
	if err != nil {
		os.Stderr.WriteString("bad " + helperEnv + ": " + err.Error() + "\n")
		return helperExitUsage
	}
	f := os.NewFile(3, "scoreboard")
	s, err := Attach(f)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return helperExitAttach
	}
	defer s.Close()
	p := s.Process(slot)
	p.SetPID(os.Getpid())
	shared := s.Process(s.ServerLimit() - 1)
	w := s.Worker(slot, 0)
	now := time.Now()
	for range helperIterations {
		p.AddConnections(1)
		shared.AddKeepAlive(1)
		w.EndRequest(now, 1)
	}
	w.BeginRequest(now, "127.0.0.1", "child:80", "GET /child/"+v+" HTTP/1.1")
	for _, size := range []int64{0, int64(len(s.mem)) * 2} {
		if err := unix.Ftruncate(3, size); !errors.Is(err, unix.EPERM) {
			os.Stderr.WriteString("ftruncate(" + strconv.FormatInt(size, 10) + ") = " + errString(err) + ", want EPERM\n")
			return helperExitSeal
		}
	}
	return 0
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// TestCrossProcess re-executes the test binary twice; each child maps the
// scoreboard passed in ExtraFiles and counts in it while the other does.
func TestCrossProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	const children = 2
	s := newTestBoard(t, children+1, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cmds := make([]*exec.Cmd, children)
	stderrs := make([]*bytes.Buffer, children)
	for i := range children {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), helperEnv+"="+strconv.Itoa(i))
		cmd.ExtraFiles = []*os.File{s.File()}
		stderrs[i] = new(bytes.Buffer)
		cmd.Stderr = stderrs[i]
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child %d: %v", i, err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v; stderr:\n%s", i, err, stderrs[i])
		}
	}

	for i, cmd := range cmds {
		p := s.Process(i)
		if got := p.PID(); got != cmd.Process.Pid {
			t.Errorf("Process(%d).PID() = %d, want the child's pid %d", i, got, cmd.Process.Pid)
		}
		if got := p.Connections(); got != helperIterations {
			t.Errorf("Process(%d).Connections() = %d, want %d", i, got, helperIterations)
		}
		ws := s.Worker(i, 0).Snapshot()
		want := "GET /child/" + strconv.Itoa(i) + " HTTP/1.1"
		if ws.AccessCount != helperIterations || ws.BytesServed != helperIterations || ws.ConnCount != helperIterations {
			t.Errorf("Worker(%d, 0) AccessCount, BytesServed, ConnCount = %d, %d, %d, want %d each",
				i, ws.AccessCount, ws.BytesServed, ws.ConnCount, helperIterations)
		}
		if ws.Request != want || ws.Client != "127.0.0.1" || ws.VHost != "child:80" || ws.State != StateBusyRead {
			t.Errorf("Worker(%d, 0) Request, Client, VHost, State = %q, %q, %q, %v, want %q, %q, %q, %v",
				i, ws.Request, ws.Client, ws.VHost, ws.State, want, "127.0.0.1", "child:80", StateBusyRead)
		}
	}
	if got := s.Process(children).KeepAlive(); got != children*helperIterations {
		t.Errorf("shared Process(%d).KeepAlive() = %d, want %d", children, got, children*helperIterations)
	}
}
