package event

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRawSyscalls checks that the raw read(2) and write(2) report as
// unix.Read and unix.Write do: data, EAGAIN on an empty or full
// non-blocking socket, the end of the stream, errors.
func TestRawSyscalls(t *testing.T) {
	a, b := socketPair(t)
	buf := make([]byte, 64)
	steps := []struct {
		name  string
		do    func() (int, error)
		wantN int
		want  error
	}{
		{"read of an empty socket", func() (int, error) { return rawRead(a, buf) }, -1, unix.EAGAIN},
		{"write", func() (int, error) { return rawWrite(b, []byte("hello")) }, 5, nil},
		{"read", func() (int, error) { return rawRead(a, buf) }, 5, nil},
		{"read of a drained socket", func() (int, error) { return rawRead(a, buf) }, -1, unix.EAGAIN},
		{"empty write", func() (int, error) { return rawWrite(b, nil) }, 0, nil},
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
	// A full socket: rawWrite reports EAGAIN.
	big := make([]byte, 64<<10)
	var werr error
	for i := 0; i < 1000 && werr == nil; i++ {
		_, werr = rawWrite(b, big)
	}
	if werr != unix.EAGAIN {
		t.Errorf("write to a full socket: %v, want EAGAIN", werr)
	}
	// End of stream: 0, nil, as unix.Read reports it.
	unix.Shutdown(a, unix.SHUT_WR)
	for {
		n, err := rawRead(b, big)
		if n > 0 {
			continue
		}
		if n != 0 || err != nil {
			t.Errorf("read at the end of the stream = %d, %v; want 0, nil", n, err)
		}
		break
	}
	if _, err := rawRead(-1, buf); err != unix.EBADF {
		t.Errorf("read of a bad descriptor: %v, want EBADF", err)
	}
}
