package sample

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/listener"
)

// closeFirstServer accepts connections on loopback until the test ends.
// A client sends one byte: 's' asks the server to answer and close first
// (the server's side then holds the TIME_WAIT); anything else, to answer
// and wait for the client to close.
func closeFirstServer(t *testing.T) *net.TCPListener {
	t.Helper()
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(3 * time.Second))
				b := make([]byte, 1)
				if _, err := io.ReadFull(c, b); err != nil {
					return
				}
				c.Write([]byte("bye\n"))
				if b[0] != 's' {
					io.Copy(io.Discard, c) // until the client's FIN
				}
			}()
		}
	}()
	return ln
}

// connect opens n connections to addr; each reads the server's line and
// then waits for the server to close (serverFirst) or closes at once. It
// returns the connections' local addresses.
func connect(t *testing.T, addr string, n int, serverFirst bool) []netip.AddrPort {
	t.Helper()
	var out []netip.AddrPort
	for range n {
		c, err := net.DialTimeout("tcp4", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(2 * time.Second))
		mode := "c"
		if serverFirst {
			mode = "s"
		}
		c.Write([]byte(mode))
		buf := make([]byte, 4)
		io.ReadFull(c, buf)
		if serverFirst {
			io.Copy(io.Discard, c) // until the server's FIN
		}
		out = append(out, c.LocalAddr().(*net.TCPAddr).AddrPort())
		c.Close()
	}
	return out
}

// waitCount polls CountTimeWait until it returns want or 3 s pass.
func waitCount(t *testing.T, port int, clients []netip.AddrPort, want TimeWait) TimeWait {
	t.Helper()
	var got TimeWait
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if got, err = CountTimeWait(port, clients); err != nil {
			t.Fatal(err)
		}
		if got == want {
			break
		}
	}
	return got
}

// TestCountTimeWaitPerCase runs two "cases" of connections against one
// port: the first leaves TIME_WAIT sockets on the server's side, and the
// second's count holds only its own sockets, though the port holds both.
func TestCountTimeWaitPerCase(t *testing.T) {
	ln := closeFirstServer(t)
	addr := ln.Addr().String()
	port := ln.Addr().(*net.TCPAddr).Port

	first := connect(t, addr, 40, true)
	if got := waitCount(t, port, first, TimeWait{Server: 40}); got != (TimeWait{Server: 40}) {
		t.Fatalf("first case (server closes first): %+v, want 40 server-side", got)
	}
	second := connect(t, addr, 15, false) // the client closes first
	got := waitCount(t, port, second, TimeWait{Client: 15})
	if got != (TimeWait{Client: 15}) {
		t.Errorf("second case (client closes first): %+v, want 15 client-side and none of the first case's 40", got)
	}
	// The port itself still holds the first case's sockets: a count by
	// port alone carries them over.
	if all, err := listener.CountLocal(port); err == nil && all[listener.StateTimeWait] < 40 {
		t.Errorf("port %d holds %d server-side TIME_WAIT sockets, want the first case's 40", port, all[listener.StateTimeWait])
	}
}

func TestParseProcAddr(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0100007F:1F90", "127.0.0.1:8080", true},
		{"0400007F:0050", "127.0.0.4:80", true},
		{"00000000000000000000000001000000:0016", "[::1]:22", true},
		{"0000000000000000FFFF00000100007F:1F90", "127.0.0.1:8080", true}, // v4-mapped, unmapped
		{"0100007F", "", false},
		{"01007F:0050", "", false},
		{"0100007F:XYZ", "", false},
	}
	for _, tt := range tests {
		got, err := parseProcAddr([]byte(tt.in))
		if (err == nil) != tt.ok || (tt.ok && got.String() != tt.want) {
			t.Errorf("parseProcAddr(%q) = %v, %v; want %s ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
