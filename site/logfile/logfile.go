package logfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Buffering limits (see the package comment).
const (
	// flushInterval is how often the background goroutine writes the buffer.
	flushInterval = 100 * time.Millisecond
	// flushSize is the buffer length that triggers a write before the next tick.
	flushSize = 64 << 10
	// hardCap bounds the bytes held in memory (buffered plus being written);
	// a Write that would pass it blocks until the disk has taken some.
	hardCap = 4 << 20

	// maxSpare is the largest buffer kept for reuse after a write; a buffer
	// grown bigger while the disk was slow is left to the garbage collector.
	maxSpare = 256 << 10
)

// ErrClosed is returned by Write, Flush, Reopen and Close after Close.
var ErrClosed = errors.New("logfile: file already closed")

// A File is a buffered log file. Its methods are safe for concurrent use.
type File struct {
	path     string
	std      bool // path is "stdout" or "stderr": never closed or reopened
	interval time.Duration
	flushAt  int
	limit    int

	kick   chan struct{} // capacity 1: asks the flusher to write now
	arm    chan struct{} // capacity 1: asks the flusher to write within interval
	stop   chan struct{} // closed by Close: the flusher returns
	exited chan struct{} // closed by the flusher when it returns

	// wmu serializes everything that touches the destination: flushes,
	// Reopen and Close. It is always taken before mu, never while holding mu.
	wmu  sync.Mutex // guards following
	out  io.Writer  // where flushed bytes go
	file *os.File   // out, when it is a file of ours to close; nil otherwise
	werr error      // first background write error not yet returned by Flush or Close

	mu       sync.Mutex // guards following
	space    sync.Cond  // on mu; broadcast when a write to out has finished, and on Close
	buf      []byte     // bytes waiting for the next flush
	spare    []byte     // an empty buffer to swap in at the next flush
	inflight int        // bytes taken out of buf that a flush is still writing
	closed   bool
	blocked  int // writers waiting for space (observed by tests)
}

// Open opens the log file at path for appending, creating it with mode 0644
// if needed (its directory must exist), and starts its flusher. "stdout"
// and "stderr" name the standard streams.
func Open(path string) (*File, error) {
	var (
		out  io.Writer
		file *os.File
	)
	switch path {
	case "stdout":
		out = os.Stdout
	case "stderr":
		out = os.Stderr
	default:
		var err error
		if file, err = openFile(path); err != nil {
			return nil, err
		}
		out = file
	}
	return newFile(path, out, file, flushInterval, flushSize, hardCap), nil
}

func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("logfile: %w", err) // *PathError names the path
	}
	return f, nil
}

// newFile wraps out (closing file, if not nil, on Close) and starts the
// flusher. Tests use it to choose the limits and the destination.
func newFile(path string, out io.Writer, file *os.File, interval time.Duration, flushAt, limit int) *File {
	f := &File{
		path:     path,
		std:      path == "stdout" || path == "stderr",
		interval: interval,
		flushAt:  flushAt,
		limit:    limit,
		kick:     make(chan struct{}, 1),
		arm:      make(chan struct{}, 1),
		stop:     make(chan struct{}),
		exited:   make(chan struct{}),
		out:      out,
		file:     file,
	}
	f.space.L = &f.mu
	go f.run()
	return f
}

// run is the flusher goroutine: it writes the buffer at every tick and
// whenever a Write asks, until Close stops it.
func (f *File) run() {
	defer close(f.exited)
	// The timer runs only while bytes wait: an idle server's hundreds of
	// prefork children, each with its logs, must not wake every interval.
	t := time.NewTimer(f.interval)
	t.Stop()
	defer t.Stop()
	armed := false
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
			armed = false
		case <-f.kick:
		case <-f.arm:
			if !armed {
				t.Reset(f.interval)
				armed = true
			}
			continue
		}
		f.wmu.Lock()
		if err := f.flushLocked(); err != nil && f.werr == nil {
			f.werr = err
		}
		f.wmu.Unlock()
	}
}

// Write appends p to the buffer as one piece and returns len(p). It does
// not wait for the disk unless the buffered and in-flight bytes would pass
// the hard cap; it then blocks until a write to the file has finished (a
// single p larger than the cap waits until everything before it is written).
// Errors from writing the file are returned by the next Flush or Close;
// the bytes of a failed write are dropped, as Apache drops log lines it
// cannot write.
func (f *File) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for !f.closed && len(f.buf)+f.inflight > 0 && len(f.buf)+f.inflight+len(p) > f.limit {
		f.kickLocked()
		f.blocked++
		f.space.Wait()
		f.blocked--
	}
	if f.closed {
		return 0, ErrClosed
	}
	if f.buf == nil {
		f.buf = make([]byte, 0, max(f.flushAt+f.flushAt/4, len(p)))
	}
	if len(f.buf) == 0 {
		f.armLocked()
	}
	f.buf = append(f.buf, p...)
	if len(f.buf) >= f.flushAt {
		f.kickLocked()
	}
	return len(p), nil
}

// armLocked asks the flusher to write within its interval; f.mu must be
// held. Write calls it when the buffer goes from empty to not empty.
func (f *File) armLocked() {
	select {
	case f.arm <- struct{}{}:
	default:
	}
}

// kickLocked wakes the flusher without waiting; f.mu must be held (only to
// keep the callers simple: the channel needs no lock).
func (f *File) kickLocked() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// Flush writes everything written before the call to the file (to the
// kernel: it does not fsync). It returns the first error from a background
// write since the last Flush, or the error of this write.
func (f *File) Flush() error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.isClosed() {
		return ErrClosed
	}
	err := f.flushLocked()
	return f.takeErrLocked(err)
}

// Reopen flushes the buffer to the current file, then opens path again (a
// new file if the old one was renamed away) and closes the old one. If the
// path cannot be opened, the old file stays in use and the error is
// returned. For stdout and stderr Reopen only flushes.
func (f *File) Reopen() error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.isClosed() {
		return ErrClosed
	}
	if f.std || f.file == nil {
		return f.takeErrLocked(f.flushLocked())
	}
	nf, err := openFile(f.path)
	if err != nil {
		return err
	}
	ferr := f.takeErrLocked(f.flushLocked())
	old := f.file
	f.file, f.out = nf, nf
	if err := old.Close(); err != nil {
		return errors.Join(ferr, fmt.Errorf("logfile: %w", err))
	}
	return ferr
}

// Close stops further writes, flushes the buffer, stops the flusher and
// closes the file (never stdout or stderr). Writers blocked on the hard cap
// return ErrClosed. A second Close returns ErrClosed.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return ErrClosed
	}
	f.closed = true
	f.space.Broadcast()
	f.mu.Unlock()

	close(f.stop)
	<-f.exited

	f.wmu.Lock()
	defer f.wmu.Unlock()
	err := f.takeErrLocked(f.flushLocked())
	if f.file != nil {
		if cerr := f.file.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("logfile: %w", cerr))
		}
	}
	return err
}

func (f *File) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// flushLocked writes the buffer to out; f.wmu must be held. Writers keep
// appending to a fresh buffer while the disk write runs.
func (f *File) flushLocked() error {
	f.mu.Lock()
	data := f.buf
	if len(data) == 0 {
		f.mu.Unlock()
		return nil
	}
	f.buf, f.spare = f.spare, nil
	f.inflight = len(data)
	f.mu.Unlock()

	_, err := f.out.Write(data)

	f.mu.Lock()
	f.inflight = 0
	if cap(data) <= maxSpare {
		f.spare = data[:0]
	}
	f.space.Broadcast()
	f.mu.Unlock()
	if err != nil {
		return fmt.Errorf("logfile: %w", err) // *PathError names the path
	}
	return nil
}

// takeErrLocked returns the stored background error joined with err and
// clears it; f.wmu must be held.
func (f *File) takeErrLocked(err error) error {
	if f.werr == nil {
		return err
	}
	werr := f.werr
	f.werr = nil
	if err == nil {
		return werr
	}
	return errors.Join(werr, err)
}
