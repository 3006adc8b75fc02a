package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestFileHeadWithBody: on every engine, the head of a static file
// response leaves in the same TCP segment as the start of its body (send
// with MSG_MORE before sendfile, what nginx's tcp_nopush achieves), so a
// 20,000-byte file (more than fasthttp's 8 KB small-file limit, less than
// a loopback segment) arrives as one segment with its head rather than
// two. Counted on the client with TCP_INFO's segs_in: behaviour, not
// timing.
func TestFileHeadWithBody(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gohttpd three times")
	}
	const size = 20000
	for _, engine := range []string{"prefork", "worker", "event"} {
		t.Run(engine, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: engine,
				Directives: []string{"StartServers 1", "KeepAlive On", "KeepAliveTimeout 5"},
				Files:      map[string][]byte{"f.bin": make([]byte, size)}})
			c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(c)
			get := func() {
				t.Helper()
				if _, err := io.WriteString(c, "GET /f.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || n != size || resp.StatusCode != 200 || resp.Close {
					t.Fatalf("GET /f.bin: %d, %d bytes, close=%v, %v", resp.StatusCode, n, resp.Close, err)
				}
			}
			segsIn := func() uint32 {
				rc, err := c.(*net.TCPConn).SyscallConn()
				if err != nil {
					t.Fatal(err)
				}
				var info *unix.TCPInfo
				var gerr error
				if err := rc.Control(func(fd uintptr) {
					info, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
				}); err != nil || gerr != nil {
					t.Fatal(fmt.Errorf("getsockopt TCP_INFO: %w", errors.Join(err, gerr)))
				}
				return info.Segs_in
			}
			for range 3 { // past the connection's quick-ACK start
				get()
			}
			const n = 20
			before := segsIn()
			for range n {
				get()
			}
			got := segsIn() - before
			t.Logf("%d responses arrived in %d segments", n, got)
			if got > n*3/2 {
				t.Errorf("%d responses arrived in %d segments: the head is sent apart from the body", n, got)
			}
		})
	}
}
