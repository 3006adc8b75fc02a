package event

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// socketPair returns the two ends of a loopback TCP connection as
// non-blocking descriptors with small buffers, closed at the end of the
// test.
func socketPair(t *testing.T) (a, b int) {
	t.Helper()
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ln)
	lo := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := unix.Bind(ln, lo); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(ln, 1); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		t.Fatal(err)
	}
	b, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetsockoptInt(b, unix.SOL_SOCKET, unix.SO_RCVBUF, 4096)
	if err := unix.Connect(b, sa); err != nil {
		t.Fatal(err)
	}
	a, _, err = unix.Accept4(ln, unix.SOCK_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetsockoptInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	unix.SetNonblock(a, true)
	unix.SetNonblock(b, true)
	t.Cleanup(func() {
		unix.Close(a)
		unix.Close(b)
	})
	return a, b
}

func TestPoller(t *testing.T) {
	for _, netpoll := range []bool{false, true} {
		t.Run(fmt.Sprintf("netpoll=%v", netpoll), func(t *testing.T) { testPoller(t, netpoll) })
	}
}

func testPoller(t *testing.T, netpoll bool) {
	p, err := newPoller(netpoll)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if netpoll && p.f == nil {
		t.Fatal("the epoll set is not in Go's netpoller")
	}
	evs := make([]unix.EpollEvent, 8)
	a, b := socketPair(t)

	t.Run("event data carries fd and generation", func(t *testing.T) {
		if err := p.arm(a, evConn, 0xdeadbeef, false); err != nil {
			t.Fatal(err)
		}
		// Registering a writable socket reports it at once.
		if n, _ := p.wait(evs, 1000); n != 1 || evs[0].Events&unix.EPOLLOUT == 0 {
			t.Fatalf("wait after registering = %d events (%#x), want 1 writable", n, evs[0].Events)
		}
		unix.Write(b, []byte("x"))
		n, err := p.wait(evs, 1000)
		if err != nil || n != 1 {
			t.Fatalf("wait = %d, %v; want 1 event", n, err)
		}
		if int(evs[0].Fd) != a || uint32(evs[0].Pad) != 0xdeadbeef {
			t.Errorf("event data = fd %d gen %#x, want fd %d gen 0xdeadbeef", evs[0].Fd, uint32(evs[0].Pad), a)
		}
		if evs[0].Events&unix.EPOLLIN == 0 {
			t.Errorf("events = %#x, want EPOLLIN", evs[0].Events)
		}
	})
	t.Run("an edge is reported once; re-arming reports what is queued", func(t *testing.T) {
		// The byte is still unread, yet no event: edge-triggered.
		if n, _ := p.wait(evs, 50); n != 0 {
			t.Fatalf("wait after an edge = %d events, want 0", n)
		}
		// New bytes raise a new edge although the old one is unread.
		unix.Write(b, []byte("y"))
		if n, _ := p.wait(evs, 1000); n != 1 || evs[0].Events&unix.EPOLLIN == 0 {
			t.Fatalf("wait after more bytes = %d events, want 1 readable", n)
		}
		// Re-arming with bytes queued reports them at once.
		if err := p.arm(a, evConn, 7, true); err != nil {
			t.Fatal(err)
		}
		if n, _ := p.wait(evs, 1000); n != 1 || uint32(evs[0].Pad) != 7 || evs[0].Events&unix.EPOLLIN == 0 {
			t.Fatalf("wait after re-arming = %d events (gen %d), want 1 readable with gen 7", n, uint32(evs[0].Pad))
		}
		if err := p.del(a); err != nil {
			t.Errorf("del = %v", err)
		}
	})
	t.Run("one-shot disarms until re-armed", func(t *testing.T) {
		if err := p.arm(a, evReadOnce, 3, false); err != nil {
			t.Fatal(err)
		}
		unix.Write(b, []byte("z"))
		if n, _ := p.wait(evs, 1000); n != 1 || uint32(evs[0].Pad) != 3 {
			t.Fatalf("wait = %d events, want 1 with gen 3", n)
		}
		// Bytes unread and more arriving, yet no event: disarmed.
		unix.Write(b, []byte("z"))
		if n, _ := p.wait(evs, 50); n != 0 {
			t.Fatalf("wait after a one-shot event = %d events, want 0", n)
		}
		// Re-arming with data queued fires at once (level-triggered).
		if err := p.arm(a, evReadOnce, 4, true); err != nil {
			t.Fatal(err)
		}
		if n, _ := p.wait(evs, 1000); n != 1 || uint32(evs[0].Pad) != 4 {
			t.Fatalf("wait after re-arming = %d events, want 1 with gen 4", n)
		}
		if err := p.del(a); err != nil {
			t.Errorf("del = %v", err)
		}
	})
	t.Run("wake-ups coalesce", func(t *testing.T) {
		for range 100 {
			p.wake()
		}
		n, _ := p.wait(evs, 1000)
		if n != 1 || int(evs[0].Fd) != p.efd {
			t.Fatalf("wait after 100 wakes = %d events, want the eventfd once", n)
		}
		p.drainWake()
		if n, _ := p.wait(evs, 20); n != 0 {
			t.Fatalf("wait after drainWake = %d events, want 0", n)
		}
		p.wake()
		if n, _ := p.wait(evs, 1000); n != 1 {
			t.Fatalf("wait after a new wake = %d events, want 1", n)
		}
		p.drainWake()
	})
}

func TestWriteJob(t *testing.T) {
	dir := t.TempDir()
	fileData := bytes.Repeat([]byte("0123456789"), 10000)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, fileData, 0o644); err != nil {
		t.Fatal(err)
	}
	openFile := func(t *testing.T, off int64) (int, int64) {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		return fd, off
	}
	big := bytes.Repeat([]byte("abcdefgh"), 20000)
	tests := []struct {
		name string
		segs func(t *testing.T) ([]segment, []byte)
	}{
		{"bytes", func(t *testing.T) ([]segment, []byte) {
			return []segment{{b: []byte("head "), file: -1}, {b: big, file: -1}, {b: []byte(" tail"), file: -1}},
				append(append([]byte("head "), big...), " tail"...)
		}},
		{"bytes and file range", func(t *testing.T) ([]segment, []byte) {
			fd, off := openFile(t, 100)
			return []segment{{b: []byte("HTTP/1.1 200 OK\r\n\r\n"), file: -1}, {file: fd, off: off, n: 50000}},
				append([]byte("HTTP/1.1 200 OK\r\n\r\n"), fileData[100:50100]...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := socketPair(t)
			segs, want := tt.segs(t)
			j := &writeJob{segs: segs}
			var got []byte
			buf := make([]byte, 3000)
			flushes := 0
			for {
				done, _, err := j.flush(a, 1<<20)
				if err != nil {
					t.Fatalf("flush: %v", err)
				}
				flushes++
				// The peer reads a little, as a slow client does.
				n, _ := unix.Read(b, buf)
				if n > 0 {
					got = append(got, buf[:n]...)
				}
				if done {
					break
				}
				if flushes > 1e6 {
					t.Fatal("flush never finishes")
				}
			}
			for {
				n, _ := unix.Read(b, buf)
				if n <= 0 {
					break
				}
				got = append(got, buf[:n]...)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("peer got %d bytes, want %d (equal prefix %v)", len(got), len(want), bytes.HasPrefix(want, got))
			}
			if flushes < 2 {
				t.Errorf("flush finished in %d call(s): the test did not exercise EAGAIN", flushes)
			}
			j.release(nil)
		})
	}
}

// TestShimDefer: with the peer not reading, the last response's output
// (bytes, and a file sent with sendfile) goes to a write-completion job
// instead of blocking, and the job then delivers everything in order.
func TestShimDefer(t *testing.T) {
	dir := t.TempDir()
	fileData := bytes.Repeat([]byte("file-bytes!"), 50000)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, fileData, 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := socketPair(t)
	w := &worker{e: &engine{timeout: int64(1e9)}}
	w.sh.w = w
	sh := &w.sh
	sh.reset(&conn{fd: int32(a)})
	sh.mayPark = false
	sh.mayDefer = true
	body := bytes.Repeat([]byte("B"), 100000)
	sh.body = body
	head := []byte("HTTP/1.1 200 OK\r\n\r\n")
	if n, err := sh.Write(head); n != len(head) || err != nil {
		t.Fatalf("Write(head) = %d, %v", n, err)
	}
	if n, err := sh.Write(body); n != len(body) || err != nil {
		t.Fatalf("Write(body) = %d, %v", n, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: int64(len(fileData))}
	if n, err := sh.ReadFrom(lr); n != int64(len(fileData)) || err != nil || lr.N != 0 {
		t.Fatalf("ReadFrom(file) = %d, %v (N left %d); want all %d", n, err, lr.N, len(fileData))
	}
	j := sh.takeJob()
	if j == nil {
		t.Fatal("no write-completion job although the peer reads nothing")
	}
	if !j.holdsCtx {
		t.Errorf("the job copied the body instead of referring to it")
	}
	if sh.written != int64(len(head)+len(body)+len(fileData)) {
		t.Errorf("written = %d, want %d", sh.written, len(head)+len(body)+len(fileData))
	}
	want := append(append(append([]byte(nil), head...), body...), fileData...)
	var got []byte
	buf := make([]byte, 64<<10)
	for range 100000 {
		done, _, err := j.flush(a, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		for {
			n, _ := unix.Read(b, buf)
			if n <= 0 {
				break
			}
			got = append(got, buf[:n]...)
		}
		if done && len(got) == len(want) {
			break
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("peer got %d bytes, want %d", len(got), len(want))
	}
	j.release(nil)
}
