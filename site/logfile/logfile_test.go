package logfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond every few milliseconds until it holds or the deadline
// passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFlush(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
	}{
		{"one line", []string{"a line\n"}},
		{"many lines", []string{"1\n", "22\n", "333\n"}},
		{"empty write", []string{"", "x\n", ""}},
		{"partial lines", []string{"no newline", " yet\n"}},
		{"over flush size", []string{strings.Repeat("x", flushSize) + "\n", "tail\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access_log")
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, w := range tt.writes {
				if n, err := f.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v, want %d, nil", w, n, err, len(w))
				}
			}
			if err := f.Flush(); err != nil {
				t.Fatalf("Flush() = %v, want nil", err)
			}
			if got, want := readFile(t, path), strings.Join(tt.writes, ""); got != want {
				t.Errorf("file after Flush = %q, want %q", got, want)
			}
		})
	}
}

func TestOpenAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "error_log")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
	if got, want := readFile(t, path), "old\nnew\n"; got != want {
		t.Errorf("file = %q, want %q", got, want)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "log")},
		{"a directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Open(tt.path)
			if err == nil {
				f.Close()
				t.Fatalf("Open(%q) = nil error, want one", tt.path)
			}
			if !strings.Contains(err.Error(), tt.path) || !strings.HasPrefix(err.Error(), "logfile: ") {
				t.Errorf("Open(%q) = %q, want a logfile: error naming the path", tt.path, err)
			}
		})
	}
}

func TestBackgroundFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("tick\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the ticker to flush", func() bool { return readFile(t, path) == "tick\n" })
}

// safeBuffer is a concurrency-safe bytes.Buffer standing in for the disk.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSizeTriggersFlush(t *testing.T) {
	var out safeBuffer
	// The ticker never fires during the test: only the size can flush.
	f := newFile("test", &out, nil, time.Hour, 1024, 1<<20)
	defer f.Close()
	small := strings.Repeat("s", 100)
	if _, err := f.Write([]byte(small)); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "" {
		t.Fatalf("destination after a small write = %q, want nothing before a flush", got)
	}
	big := strings.Repeat("b", 1024)
	if _, err := f.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a size-triggered flush", func() bool { return out.String() == small+big })
}

func TestClose(t *testing.T) {
	before := runtime.NumGoroutine()
	fdsBefore := openFDs()
	path := filepath.Join(t.TempDir(), "log")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("last words\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
	if got, want := readFile(t, path), "last words\n"; got != want {
		t.Errorf("file after Close = %q, want %q", got, want)
	}
	select {
	case <-f.exited:
	default:
		t.Error("flusher still running after Close")
	}
	if _, err := f.file.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("underlying file Write after Close = %v, want %v", err, os.ErrClosed)
	}
	after := []struct {
		name string
		call func() error
	}{
		{"Write", func() error { _, err := f.Write([]byte("late\n")); return err }},
		{"Flush", f.Flush},
		{"Reopen", f.Reopen},
		{"Close", f.Close},
	}
	for _, c := range after {
		if err := c.call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want %v", c.name, err, ErrClosed)
		}
	}
	if got, want := readFile(t, path), "last words\n"; got != want {
		t.Errorf("file after late calls = %q, want %q", got, want)
	}
	waitFor(t, "the goroutine count to return", func() bool { return runtime.NumGoroutine() <= before })
	if fdsBefore >= 0 {
		if got := openFDs(); got != fdsBefore {
			t.Errorf("open descriptors after Close = %d, want %d", got, fdsBefore)
		}
	}
}

// openFDs counts this process's open descriptors, or returns -1 where
// /proc is not available.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

func TestStdStreams(t *testing.T) {
	for _, name := range []string{"stdout", "stderr"} {
		t.Run(name, func(t *testing.T) {
			f, err := Open(name)
			if err != nil {
				t.Fatalf("Open(%q) = %v", name, err)
			}
			if err := f.Reopen(); err != nil {
				t.Errorf("Reopen() = %v, want nil", err)
			}
			if err := f.Close(); err != nil {
				t.Errorf("Close() = %v, want nil", err)
			}
			std := map[string]*os.File{"stdout": os.Stdout, "stderr": os.Stderr}[name]
			if _, err := std.Stat(); err != nil {
				t.Errorf("os.%s after Close: Stat() = %v, want it still open", name, err)
			}
		})
	}
}

func TestConcurrentWriters(t *testing.T) {
	const (
		writers = 8
		lines   = 400
	)
	path := filepath.Join(t.TempDir(), "log")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				// Lines of different lengths, some large, to mix the
				// size-triggered and timed flushes.
				line := fmt.Sprintf("writer=%d line=%d pad=%s end\n", w, i, strings.Repeat("p", (i*37)%700))
				if _, err := f.Write([]byte(line)); err != nil {
					t.Errorf("Write = %v", err)
					return
				}
				if i%100 == 0 {
					if err := f.Flush(); err != nil {
						t.Errorf("Flush = %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	got := strings.Split(strings.TrimSuffix(readFile(t, path), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("file has %d lines, want %d", len(got), writers*lines)
	}
	seen := make(map[string]bool, len(got))
	next := make([]int, writers) // each writer's lines must stay in order
	for _, line := range got {
		var w, i int
		if n, err := fmt.Sscanf(line, "writer=%d line=%d", &w, &i); n != 2 || err != nil {
			t.Fatalf("torn line %q", line)
		}
		want := fmt.Sprintf("writer=%d line=%d pad=%s end", w, i, strings.Repeat("p", (i*37)%700))
		if line != want || seen[line] {
			t.Fatalf("line %q is torn or repeated", line)
		}
		seen[line] = true
		if w < 0 || w >= writers || i != next[w] {
			t.Fatalf("line %q out of order: want line=%d for writer %d", line, next[w], w)
		}
		next[w]++
	}
}

// gate is a destination that blocks every write until opened.
type gate struct {
	open    chan struct{}
	writing atomic.Int32
	out     safeBuffer
}

func (g *gate) Write(p []byte) (int, error) {
	g.writing.Add(1)
	<-g.open
	return g.out.Write(p)
}

func TestHardCapBlocks(t *testing.T) {
	const (
		flushAt = 256
		limit   = 1024
		line    = 64
		count   = 64 // 4 KiB in all: four times the cap
	)
	g := &gate{open: make(chan struct{})}
	f := newFile("test", g, nil, time.Hour, flushAt, limit)
	var written atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range count {
			p := fmt.Appendf(nil, "%063d\n", i)
			if _, err := f.Write(p); err != nil {
				t.Errorf("Write = %v", err)
				return
			}
			written.Add(1)
		}
	}()
	waitFor(t, "a writer to block on the cap", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.blocked > 0
	})
	f.mu.Lock()
	held := len(f.buf) + f.inflight
	f.mu.Unlock()
	if held > limit {
		t.Errorf("bytes held while the disk is stuck = %d, want <= %d", held, limit)
	}
	if n := int(written.Load()) * line; n > limit {
		t.Errorf("bytes accepted while the disk is stuck = %d, want <= %d", n, limit)
	}
	close(g.open)
	<-done
	if err := f.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	var want strings.Builder
	for i := range count {
		fmt.Fprintf(&want, "%063d\n", i)
	}
	if got := g.out.String(); got != want.String() {
		t.Errorf("destination holds %d bytes, want %d in order", len(got), want.Len())
	}
}

func TestCloseReleasesBlockedWriter(t *testing.T) {
	g := &gate{open: make(chan struct{})}
	f := newFile("test", g, nil, time.Hour, 16, 64)
	if _, err := f.Write(make([]byte, 60)); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := f.Write(make([]byte, 60))
		errc <- err
	}()
	waitFor(t, "the writer to block", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.blocked > 0
	})
	closed := make(chan error, 1)
	go func() { closed <- f.Close() }()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked Write after Close = %v, want %v", err, ErrClosed)
	}
	close(g.open) // let the final flush finish
	if err := <-closed; err != nil {
		t.Errorf("Close() = %v, want nil", err)
	}
}

// failing is a destination whose writes all fail.
type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		// flush is how the failed write is reported.
		flush func(t *testing.T, f *File) error
	}{
		{"by Flush", func(_ *testing.T, f *File) error { return f.Flush() }},
		{"by Close", func(_ *testing.T, f *File) error { return f.Close() }},
		{"background, then Flush", func(t *testing.T, f *File) error {
			f.kickLocked()
			waitFor(t, "the background write", func() bool {
				f.mu.Lock()
				defer f.mu.Unlock()
				return len(f.buf) == 0 && f.inflight == 0
			})
			return f.Flush()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFile("test", failing{}, nil, time.Hour, 1<<10, 1<<20)
			defer f.Close()
			if _, err := f.Write([]byte("lost\n")); err != nil {
				t.Fatalf("Write = %v, want nil (errors come later)", err)
			}
			if err := tt.flush(t, f); err == nil || !strings.Contains(err.Error(), "disk on fire") {
				t.Errorf("reported error = %v, want the write error", err)
			}
		})
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access_log")
	rotated := path + ".1"
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		t.Helper()
		if _, err := f.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	write("one\n")
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	write("two\n") // still buffered: belongs to the old file
	if err := f.Reopen(); err != nil {
		t.Fatalf("Reopen() = %v, want nil", err)
	}
	write("three\n")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	files := []struct{ path, want string }{
		{rotated, "one\ntwo\n"},
		{path, "three\n"},
	}
	for _, c := range files {
		if got := readFile(t, c.path); got != c.want {
			t.Errorf("%s = %q, want %q", filepath.Base(c.path), got, c.want)
		}
	}
}

func TestReopenFailureKeepsOldFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "log")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	moved := dir + ".old"
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if err := f.Reopen(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Reopen() with the directory gone = %v, want an error naming %s", err, path)
	}
	if _, err := f.Write([]byte("kept\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, filepath.Join(moved, "log")), "kept\n"; got != want {
		t.Errorf("old file = %q, want %q", got, want)
	}
}

// TestBackgroundFlushAfterIdle: the flusher's timer runs only while bytes
// wait; a write after an idle period longer than the interval is still
// flushed without Flush (the timer is armed again).
func TestBackgroundFlushAfterIdle(t *testing.T) {
	var out safeBuffer
	f := newFile("test", &out, nil, 20*time.Millisecond, 1024, 1<<20)
	defer f.Close()
	want := ""
	for _, line := range []string{"one\n", "two\n", "three\n"} {
		if _, err := f.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		want += line
		waitFor(t, "the timer to flush "+line, func() bool { return out.String() == want })
		time.Sleep(50 * time.Millisecond) // idle past the interval: the timer has stopped
	}
}
