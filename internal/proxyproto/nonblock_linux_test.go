package proxyproto

import (
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestNonBlockingFeed drives the Parser as the event loop would: the
// header arrives in pieces on a non-blocking socket, each readable event
// reads at most Want() bytes until EAGAIN and feeds them, and nothing
// waits while the header is incomplete (ErrNeedMore after each piece).
func TestNonBlockingFeed(t *testing.T) {
	sv, cl := pipeTCP(t)
	raw, err := sv.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	in := append(v2hdr(0x21, 0x11, v4body, []byte{0x04, 0, 1, 9}), "GET / HTTP/1.1\r\n\r\n"...)
	pieces := [][]byte{in[:5], in[5:14], in[14:20], in[20:]}
	var p Parser
	var scratch [MaxV2]byte
	var final error = ErrNeedMore
	for i, piece := range pieces {
		if _, err := cl.Write(piece); err != nil {
			t.Fatal(err)
		}
		// One readable event: read until EAGAIN (or the header is done).
		deadline := time.Now().Add(5 * time.Second)
		got := false
		for final == ErrNeedMore && time.Now().Before(deadline) {
			var n int
			var rerr error
			raw.Read(func(fd uintptr) bool {
				n, rerr = unix.Read(int(fd), scratch[:p.Want()])
				return true // never wait inside: the loop decides
			})
			if errors.Is(rerr, unix.EAGAIN) {
				if got {
					break // parked until the next piece
				}
				// The piece is still in flight: wait for readability, as
				// epoll_wait would, bounded.
				raw.Control(func(fd uintptr) {
					unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 5000)
				})
				continue
			}
			if rerr != nil || n == 0 {
				t.Fatalf("read: %d %v", n, rerr)
			}
			got = true
			_, final = p.Feed(scratch[:n])
		}
		if i < len(pieces)-1 && final != ErrNeedMore {
			t.Fatalf("piece %d: %v, want ErrNeedMore", i, final)
		}
	}
	if final != nil {
		t.Fatal(final)
	}
	h := p.Header()
	if h.Source.String() != "192.0.2.1:12345" || len(h.TLV) != 4 {
		t.Fatalf("%+v", h)
	}
	// Want never asked past the header: the request is still in the socket.
	cl.(*net.TCPConn).CloseWrite()
	sv.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, _ := sv.Read(buf)
	if string(buf[:n]) != "GET / HTTP/1.1\r\n\r\n" {
		t.Fatalf("socket holds %q", buf[:n])
	}
}
