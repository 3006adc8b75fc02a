//go:build linux

package rawio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func socketPair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// TestReadWrite checks that the raw read(2) and write(2) report as
// unix.Read and unix.Write do: data, EAGAIN on an empty or full
// non-blocking socket, the end of the stream, errors.
func TestReadWrite(t *testing.T) {
	a, b := socketPair(t)
	buf := make([]byte, 64)
	steps := []struct {
		name  string
		do    func() (int, error)
		wantN int
		want  error
	}{
		{"read of an empty socket", func() (int, error) { return Read(a, buf) }, -1, unix.EAGAIN},
		{"write", func() (int, error) { return Write(b, []byte("hello")) }, 5, nil},
		{"read", func() (int, error) { return Read(a, buf) }, 5, nil},
		{"read of a drained socket", func() (int, error) { return Read(a, buf) }, -1, unix.EAGAIN},
		{"empty write", func() (int, error) { return Write(b, nil) }, 0, nil},
	}
	for _, s := range steps {
		n, err := s.do()
		if n != s.wantN || err != s.want {
			t.Errorf("%s = %d, %v; want %d, %v", s.name, n, err, s.wantN, s.want)
		}
	}
	if !bytes.Equal(buf[:5], []byte("hello")) {
		t.Errorf("read %q, want hello", buf[:5])
	}
	// A full socket: Write reports EAGAIN.
	big := make([]byte, 64<<10)
	var werr error
	for i := 0; i < 1000 && werr == nil; i++ {
		_, werr = Write(b, big)
	}
	if werr != unix.EAGAIN {
		t.Errorf("write to a full socket: %v, want EAGAIN", werr)
	}
	// End of stream: 0, nil, as unix.Read reports it.
	unix.Shutdown(a, unix.SHUT_WR)
	for {
		n, err := Read(b, big)
		if n > 0 {
			continue
		}
		if n != 0 || err != nil {
			t.Errorf("read at the end of the stream = %d, %v; want 0, nil", n, err)
		}
		break
	}
	if _, err := Read(-1, buf); err != unix.EBADF {
		t.Errorf("read of a bad descriptor: %v, want EBADF", err)
	}
}

// TestConn: a Conn over a TCP connection waits in the netpoller for data
// and for room, writes all of a write larger than the socket buffers,
// honours the read deadline, and reports io.EOF at the end.
func TestConn(t *testing.T) {
	c, peer := tcpPair(t)
	r := New(c)
	if r == nil {
		t.Fatal("New returned nil for a TCP connection")
	}

	// A write larger than both socket buffers completes once the peer reads.
	big := bytes.Repeat([]byte("x"), 8<<20)
	got := make(chan int, 1)
	go func() {
		n, _ := io.Copy(io.Discard, io.LimitReader(peer, int64(len(big))))
		got <- int(n)
	}()
	if n, err := r.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(big))
	}
	if n := <-got; n != len(big) {
		t.Fatalf("peer read %d bytes, want %d", n, len(big))
	}

	// A read returns what arrived (the deadline case below waits).
	if _, err := peer.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := r.Read(buf); n != 2 || err != nil || string(buf[:2]) != "hi" {
		t.Fatalf("Read = %d, %v (%q); want 2, nil", n, err, buf[:n])
	}

	// The read deadline ends a wait.
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := r.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	c.SetReadDeadline(time.Time{})

	// End of input.
	peer.Close()
	if n, err := r.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read at the end = %d, %v; want 0, io.EOF", n, err)
	}
}
