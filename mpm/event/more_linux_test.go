package event

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"
)

// TestFileHeadCoalesced checks that the head of a file response leaves in
// the same segment as the body (MSG_MORE on the head, then sendfile), as
// nginx's tcp_nopush does: a 20,000-byte file fits in one loopback segment
// with its head, so each response should arrive as one segment rather than
// two. Counted on the client with TCP_INFO's segs_in (behaviour, not
// timing), for a body given as an *os.File and one from fasthttp.FS.
func TestFileHeadCoalesced(t *testing.T) {
	const size = 20000 // > fasthttp's 8 KB small-file limit, < loopback MSS
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	fsHandler := (&fasthttp.FS{Root: dir}).NewRequestHandler()
	handler := func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) == "/fs/f.bin" {
			ctx.Request.SetRequestURI("/f.bin")
			fsHandler(ctx)
			return
		}
		f, err := os.Open(path)
		if err != nil {
			ctx.Error(err.Error(), 500)
			return
		}
		ctx.SetBodyStream(f, size)
	}
	e := startServer(t, Config{KeepAliveTimeout: 5 * time.Second}, &fasthttp.Server{Handler: handler})
	for _, p := range []string{"/file", "/fs/f.bin"} {
		t.Run(p, func(t *testing.T) {
			c := dial(t, e.addr)
			segsIn := func() uint32 {
				rc, err := c.Conn.(*net.TCPConn).SyscallConn()
				if err != nil {
					t.Fatal(err)
				}
				var info *unix.TCPInfo
				var gerr error
				if err := rc.Control(func(fd uintptr) {
					info, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
				}); err != nil || gerr != nil {
					t.Fatalf("getsockopt TCP_INFO: %v %v", err, gerr)
				}
				return info.Segs_in
			}
			for range 3 { // past the connection's quick-ACK start
				if _, body := c.get(t, p); len(body) != size {
					t.Fatalf("GET %s: %d bytes, want %d", p, len(body), size)
				}
			}
			const n = 20
			before := segsIn()
			for range n {
				if _, body := c.get(t, p); len(body) != size {
					t.Fatalf("GET %s: %d bytes, want %d", p, len(body), size)
				}
			}
			got := segsIn() - before
			t.Logf("%d responses arrived in %d segments", n, got)
			if got > n*3/2 {
				t.Errorf("%d responses arrived in %d segments: the head is sent apart from the body", n, got)
			}
		})
	}
}
