package proxyproto

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

// pipeTCP returns a connected loopback pair (server side, client side).
func pipeTCP(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cl, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sv.Close(); cl.Close() })
	return sv, cl
}

func TestAccept(t *testing.T) {
	on := Options{Required: true, Timeout: 2 * time.Second}
	tests := []struct {
		name     string
		opts     Options
		send     string
		remote   string // "" = the peer
		code     string
		readBack string
	}{
		{name: "v1", opts: on, send: "PROXY TCP4 192.0.2.1 127.0.0.1 4000 80\r\nGET / HTTP/1.0\r\n\r\n", remote: "192.0.2.1:4000", readBack: "GET / HTTP/1.0\r\n\r\n"},
		{name: "v2", opts: on, send: string(v2hdr(0x21, 0x11, v4body)) + "GET / HTTP/1.0\r\n\r\n", remote: "192.0.2.1:12345", readBack: "GET / HTTP/1.0\r\n\r\n"},
		{name: "unknown keeps peer", opts: on, send: "PROXY UNKNOWN\r\nGET / HTTP/1.0\r\n\r\n", readBack: "GET / HTTP/1.0\r\n\r\n"},
		{name: "off", opts: Options{}, send: "GET / HTTP/1.0\r\n\r\n", readBack: "GET / HTTP/1.0\r\n\r\n"},
		{name: "excepted peer sends none", opts: Options{Required: true, Exceptions: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, send: "GET / HTTP/1.0\r\n\r\n", readBack: "GET / HTTP/1.0\r\n\r\n"},
		// Apache (site/remoteip/testdata/apache-exceptions.sh): an excepted
		// peer's header is HTTP, answered 400 with the request line
		// "PROXY TCP4 203.0.113.5"; so is a header where the directive is Off.
		{name: "excepted peer sends a header", opts: Options{Required: true, Exceptions: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, send: "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18475\r\n", readBack: "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18475\r\n"},
		{name: "RequiredAt off here", opts: Options{RequiredAt: func(netip.AddrPort) bool { return false }}, send: "PROXY UNKNOWN\r\n", readBack: "PROXY UNKNOWN\r\n"},
		{name: "missing header", opts: on, send: "GET / HTTP/1.0\r\n\r\n", code: "-"},
		{name: "bad header", opts: on, send: "PROXY TCP4 1.2.3.4\r\n", code: "AH03497"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv, cl := pipeTCP(t)
			if _, err := cl.Write([]byte(tt.send)); err != nil {
				t.Fatal(err)
			}
			c, err := Accept(sv, tt.opts)
			if tt.code != "" {
				var e *Error
				if !errors.As(err, &e) || (tt.code == "-") != (e == errNotProxy) || (tt.code != "-" && e.Code != tt.code) {
					t.Fatalf("err %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := sv.RemoteAddr().String()
			if tt.remote != "" {
				want = tt.remote
			}
			if got := c.RemoteAddr().String(); got != want {
				t.Fatalf("RemoteAddr %s, want %s", got, want)
			}
			if got := PeerAddr(c).String(); got != sv.RemoteAddr().String() {
				t.Fatalf("PeerAddr %s", got)
			}
			cl.(*net.TCPConn).CloseWrite()
			if err := c.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c)
			if err != nil || string(got) != tt.readBack {
				t.Fatalf("read %q, %v; want %q", got, err, tt.readBack)
			}
		})
	}
}

func TestAcceptDeadline(t *testing.T) {
	sv, cl := pipeTCP(t)
	if _, err := cl.Write([]byte("PROXY TCP4 ")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Accept(sv, Options{Required: true, Timeout: 50 * time.Millisecond})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err %v, want a deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestAcceptEOF(t *testing.T) {
	sv, cl := pipeTCP(t)
	cl.Write([]byte("PROXY TCP4 "))
	cl.Close()
	_, err := Accept(sv, Options{Required: true, Timeout: 2 * time.Second})
	if !errors.Is(err, io.EOF) {
		t.Fatalf("err %v, want EOF", err)
	}
}

func TestExpect(t *testing.T) {
	local := netip.MustParseAddrPort("127.0.0.1:80")
	o := Options{Required: true, Exceptions: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}}
	for _, tt := range []struct {
		ip   string
		want bool
	}{{"10.1.2.3", false}, {"::ffff:10.1.2.3", false}, {"11.0.0.1", true}, {"2001:db8::1", false}, {"2001:db9::1", true}} {
		if got := o.Expect(local, netip.AddrPortFrom(netip.MustParseAddr(tt.ip), 1)); got != tt.want {
			t.Errorf("Expect(%s) = %v", tt.ip, got)
		}
	}
	if (&Options{}).Expect(local, netip.MustParseAddrPort("1.2.3.4:1")) {
		t.Error("Expect with Required false")
	}
	at := Options{RequiredAt: func(l netip.AddrPort) bool { return l.Port() == 80 }}
	if !at.Expect(local, netip.MustParseAddrPort("1.2.3.4:1")) || at.Expect(netip.MustParseAddrPort("127.0.0.1:81"), netip.MustParseAddrPort("1.2.3.4:1")) {
		t.Error("RequiredAt ignored")
	}
	if n := testing.AllocsPerRun(100, func() { o.Expect(local, netip.MustParseAddrPort("11.0.0.1:1")) }); n != 0 {
		t.Errorf("Expect allocates %v", n)
	}
}
