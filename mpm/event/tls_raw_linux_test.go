package event

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRawSyscalls checks that the raw read(2), write(2) and epoll look
// report as unix.Read, unix.Write and a zero-timeout EpollWait do: data,
// EAGAIN on an empty or full non-blocking socket, EOF, and the events
// queued now without blocking.
func TestRawSyscalls(t *testing.T) {
	p, err := newPoller(false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	evs := make([]unix.EpollEvent, 8)
	a, b := socketPair(t)
	if err := p.arm(a, evConn, 7, false); err != nil {
		t.Fatal(err)
	}
	// Registering a writable socket reports EPOLLOUT at once.
	if n := epollPoll(p.epfd, evs); n != 1 {
		t.Fatalf("epollPoll after registering = %d events, want 1", n)
	}
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
	// A new edge is queued: a look returns it, a second look finds
	// nothing and does not block.
	rawWrite(b, []byte("x"))
	if n := epollPoll(p.epfd, evs); n != 1 || evs[0].Events&unix.EPOLLIN == 0 || uint32(evs[0].Pad) != 7 {
		t.Errorf("epollPoll = %d events (%#x), want 1 readable", n, evs[0].Events)
	}
	if n := epollPoll(p.epfd, evs); n != 0 {
		t.Errorf("epollPoll with nothing queued = %d, want 0", n)
	}
	if n := epollPoll(p.epfd, nil); n != 0 {
		t.Errorf("epollPoll with no room = %d, want 0", n)
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
