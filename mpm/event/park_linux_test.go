package event

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// syncBuffer is a bytes.Buffer safe for the engine's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestParkFailureLogged: when epoll_ctl refuses to park a connection
// (ENOSPC: past max_user_watches), the connection is closed after its
// response, and the failure is logged, not silent.
func TestParkFailureLogged(t *testing.T) { eachMode(t, testParkFailureLogged) }

func testParkFailureLogged(t *testing.T, oneShot bool) {
	var logs syncBuffer
	testLog.Store(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { testLog.Store(nil) })
	// Only connections are refused: the listeners and the eventfd are
	// registered without EPOLLET or EPOLLONESHOT.
	epollCtl = func(epfd, op, fd int, ev *unix.EpollEvent) error {
		if op == unix.EPOLL_CTL_ADD && ev.Events&(unix.EPOLLET|unix.EPOLLONESHOT) != 0 {
			return unix.ENOSPC
		}
		return unix.EpollCtl(epfd, op, fd, ev)
	}
	t.Cleanup(func() { epollCtl = unix.EpollCtl })
	e := start(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, OneShot: oneShot})

	// The connection is closed at its first park: after its response, or
	// before, if the worker found the request not there yet and parked
	// the new connection. Either way the client sees the end of the
	// stream, with at most one response.
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	out, err := io.ReadAll(c)
	if n := strings.Count(string(out), "HTTP/1.1 200"); n > 1 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("the connection that could not be parked: %q, %v", out, err)
	}
	waitFor(t, 5*time.Second, "the failure in the log", func() bool {
		return strings.Contains(logs.String(), "cannot park a connection") && strings.Contains(logs.String(), "no space left")
	})
	waitFor(t, 5*time.Second, "the connection to be gone", func() bool { return e.proc().Connections() == 0 })
}
