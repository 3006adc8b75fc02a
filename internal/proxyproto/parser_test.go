package proxyproto

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"

	pp "github.com/pires/go-proxyproto"
)

// v2hdr builds a v2 header by hand: ver/cmd byte, family byte, body.
func v2hdr(vc, fam byte, body ...[]byte) []byte {
	b := append([]byte(nil), v2sig[:]...)
	var n int
	for _, x := range body {
		n += len(x)
	}
	b = append(b, vc, fam, byte(n>>8), byte(n))
	for _, x := range body {
		b = append(b, x...)
	}
	return b
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// pires builds a header with github.com/pires/go-proxyproto's writer, the
// library DESIGN.md names: our parser must read what it writes.
func pires(t testing.TB, ver byte, src, dst string) []byte {
	t.Helper()
	h := pp.HeaderProxyFromAddrs(ver, net.TCPAddrFromAddrPort(ap(src)), net.TCPAddrFromAddrPort(ap(dst)))
	b, err := h.Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var v4body = []byte{192, 0, 2, 1, 198, 51, 100, 7, 0x30, 0x39, 0, 80}

func TestFeed(t *testing.T) {
	v6body := append(append(append([]byte(nil), netip.MustParseAddr("2001:db8::1").AsSlice()...), netip.MustParseAddr("2001:db8::2").AsSlice()...), 0x04, 0xd2, 0x01, 0xbb)
	tlv := []byte{0x20, 0x00, 0x01, 0x05} // PP2_TYPE_SSL, len 1
	tests := []struct {
		name   string
		in     []byte
		want   Header // Len filled from len(in)-len(tail) when zero
		tail   string
		code   string // error code; "-" for errNotProxy
		needed bool   // ErrNeedMore
	}{
		{name: "v1 tcp4", in: []byte("PROXY TCP4 192.0.2.1 198.51.100.7 12345 80\r\nGET / HTTP/1.1\r\n"),
			want: Header{Version: 1, Source: ap("192.0.2.1:12345"), Dest: ap("198.51.100.7:80")}, tail: "GET / HTTP/1.1\r\n"},
		{name: "v1 tcp6", in: []byte("PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\n"),
			want: Header{Version: 1, Source: ap("[2001:db8::1]:1234"), Dest: ap("[2001:db8::2]:443")}},
		{name: "v1 unknown", in: []byte("PROXY UNKNOWN\r\nX"), want: Header{Version: 1, Local: true}, tail: "X"},
		{name: "v1 unknown with addresses", in: []byte("PROXY UNKNOWN ffff:: ffff:: 1 2\r\n"), want: Header{Version: 1, Local: true}},
		{name: "v1 runs of spaces", in: []byte("PROXY  TCP4  1.2.3.4   5.6.7.8 1 2\r\n"), want: Header{Version: 1, Source: ap("1.2.3.4:1"), Dest: ap("5.6.7.8:2")}},
		{name: "v1 no dest port (Apache accepts)", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), want: Header{Version: 1, Source: ap("1.2.3.4:1"), Dest: ap("5.6.7.8:0")}},
		{name: "v1 bad dest (Apache ignores)", in: []byte("PROXY TCP4 1.2.3.4 x 1 2\r\n"), want: Header{Version: 1, Source: ap("1.2.3.4:1")}},
		{name: "v1 port as %hu", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 65537x 2\r\n"), want: Header{Version: 1, Source: ap("1.2.3.4:1"), Dest: ap("5.6.7.8:2")}},
		{name: "v1 unknown family", in: []byte("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), code: "AH03499"},
		{name: "v1 no family", in: []byte("PROXY \r\n"), code: "AH03497"},
		{name: "v1 no client", in: []byte("PROXY TCP4\r\n"), code: "AH03497"},
		{name: "v1 no dest", in: []byte("PROXY TCP4 1.2.3.4\r\n"), code: "AH03497"},
		{name: "v1 no port", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8\r\n"), code: "AH03497"},
		{name: "v1 bad port", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 x 2\r\n"), code: "AH03501"},
		{name: "v1 bad chars", in: []byte("PROXY TCP4 1.2.3.x 5.6.7.8 1 2\r\n"), code: "AH03500"},
		{name: "v1 mapped in TCP6", in: []byte("PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n"), code: "AH03500"},
		{name: "v1 v6 in TCP4", in: []byte("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"), code: "AH03502"},
		{name: "v1 CR without LF", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX\n"), code: "AH10185"},
		{name: "v1 too long", in: append([]byte("PROXY TCP4 "), bytes.Repeat([]byte("1"), 120)...), code: "AH10185"},
		{name: "v1 incomplete", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"), needed: true},
		{name: "http", in: []byte("GET / HTTP/1.1\r\n"), code: "-"},
		{name: "lowercase proxy", in: []byte("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), code: "-"},
		{name: "v2 tcp4", in: append(v2hdr(0x21, 0x11, v4body), "GET"...), want: Header{Version: 2, Source: ap("192.0.2.1:12345"), Dest: ap("198.51.100.7:80")}, tail: "GET"},
		{name: "v2 tcp6", in: v2hdr(0x21, 0x21, v6body), want: Header{Version: 2, Source: ap("[2001:db8::1]:1234"), Dest: ap("[2001:db8::2]:443")}},
		{name: "v2 tcp4 tlv", in: v2hdr(0x21, 0x11, v4body, tlv), want: Header{Version: 2, Source: ap("192.0.2.1:12345"), Dest: ap("198.51.100.7:80"), TLV: tlv}},
		{name: "v2 local", in: v2hdr(0x20, 0x00), want: Header{Version: 2, Local: true}},
		{name: "v2 local with addresses", in: v2hdr(0x20, 0x11, v4body, tlv), want: Header{Version: 2, Local: true, TLV: tlv}},
		{name: "v2 udp", in: v2hdr(0x21, 0x12, v4body), code: "AH10183"},
		{name: "v2 unix", in: v2hdr(0x21, 0x31, make([]byte, 216)), code: "AH10183"},
		{name: "v2 unspec proxy", in: v2hdr(0x21, 0x00), code: "AH10183"},
		{name: "v2 command 2", in: v2hdr(0x22, 0x11, v4body), code: "AH03507"},
		{name: "v2 short tcp4", in: v2hdr(0x21, 0x11, v4body[:11]), code: "AH03504"},
		{name: "v2 short tcp6", in: v2hdr(0x21, 0x21, v6body[:35]), code: "AH03505"},
		{name: "v2 longest", in: v2hdr(0x21, 0x11, v4body, make([]byte, 216-12)), want: Header{Version: 2, Source: ap("192.0.2.1:12345"), Dest: ap("198.51.100.7:80"), TLV: make([]byte, 216-12)}},
		{name: "v2 too long", in: v2hdr(0x21, 0x11, v4body, make([]byte, 216-11)), code: "AH10186"},
		{name: "v2 version 1", in: v2hdr(0x11, 0x11, v4body), code: "-"},
		{name: "v2 incomplete", in: v2hdr(0x21, 0x11, v4body)[:27], needed: true},
		{name: "pires v1", in: pires(t, 1, "203.0.113.9:40000", "127.0.0.1:8080"), want: Header{Version: 1, Source: ap("203.0.113.9:40000"), Dest: ap("127.0.0.1:8080")}},
		{name: "pires v2", in: pires(t, 2, "[2001:db8::7]:40000", "[::1]:8080"), want: Header{Version: 2, Source: ap("[2001:db8::7]:40000"), Dest: ap("[::1]:8080")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One shot, then every split in two, then byte by byte.
			splits := [][]int{{len(tt.in)}}
			for i := 1; i < len(tt.in); i++ {
				splits = append(splits, []int{i, len(tt.in)})
			}
			bytewise := make([]int, len(tt.in))
			for i := range bytewise {
				bytewise[i] = i + 1
			}
			splits = append(splits, bytewise)
			for _, cut := range splits {
				var p Parser
				used, err, prev := 0, error(ErrNeedMore), 0
				for _, c := range cut {
					var u int
					u, err = p.Feed(tt.in[prev:c])
					used += u
					if err != ErrNeedMore {
						used += 0
						break
					}
					prev = c
				}
				check(t, &p, tt.in, used, err, tt.want, tt.tail, tt.code, tt.needed, cut)
			}
		})
	}
}

func check(t *testing.T, p *Parser, in []byte, used int, err error, want Header, tail, code string, needed bool, cut []int) {
	t.Helper()
	switch {
	case needed:
		if err != ErrNeedMore {
			t.Fatalf("cut %v: err %v, want ErrNeedMore", cut, err)
		}
		return
	case code != "":
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("cut %v: err %v, want %s", cut, err, code)
		}
		if (code == "-" && e != errNotProxy) || (code != "-" && e.Code != code) {
			t.Fatalf("cut %v: err %v, want %s", cut, err, code)
		}
		return
	case err != nil:
		t.Fatalf("cut %v: err %v", cut, err)
	}
	// The bytes past the header are those not used in the last Feed.
	if got := string(in[used:]); got != tail {
		t.Fatalf("cut %v: tail %q, want %q", cut, got, tail)
	}
	h := p.Header()
	if want.Len == 0 {
		want.Len = len(in) - len(tail)
	}
	if h.Version != want.Version || h.Local != want.Local || h.Source != want.Source || h.Dest != want.Dest ||
		!bytes.Equal(h.TLV, want.TLV) || h.Len != want.Len {
		t.Fatalf("cut %v: header %+v, want %+v", cut, h, want)
	}
}

func TestWant(t *testing.T) {
	in := v2hdr(0x21, 0x11, v4body, []byte{1, 0, 0})
	var p Parser
	got := 0
	for p.Want() > 0 {
		n := min(p.Want(), 5)
		_, err := p.Feed(in[got : got+n])
		got += n
		if err != nil && err != ErrNeedMore {
			t.Fatal(err)
		}
	}
	if got != len(in) {
		t.Fatalf("Want led to reading %d bytes of %d", got, len(in))
	}
	p.Reset()
	if p.Want() != 16 {
		t.Fatalf("after Reset Want = %d", p.Want())
	}
}

func TestClient(t *testing.T) {
	peer := ap("10.0.0.1:5555")
	if c := (&Header{Local: true}).Client(peer); c != peer {
		t.Fatal(c)
	}
	if c := (&Header{Source: ap("192.0.2.1:1")}).Client(peer); c != ap("192.0.2.1:1") {
		t.Fatal(c)
	}
}

func TestScanHU(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint16
		ok   bool
	}{{"80", 80, true}, {" 80", 80, true}, {"+80", 80, true}, {"-1", 65535, true}, {"65536", 0, true}, {"12ab", 12, true}, {"", 0, false}, {"x", 0, false}, {"-", 0, false}} {
		if got, ok := scanHU(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("scanHU(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzFeed: Feed never panics, any split gives the one-shot answer, used
// never exceeds the input, and where go-proxyproto also reads a PROXY TCP
// header it finds the same addresses.
func FuzzFeed(f *testing.F) {
	f.Add([]byte("PROXY TCP4 192.0.2.1 198.51.100.7 12345 80\r\nGET /"), uint8(7))
	f.Add([]byte("PROXY TCP6 2001:db8::1 2001:db8::2 1234 443\r\n"), uint8(3))
	f.Add([]byte("PROXY UNKNOWN\r\n"), uint8(1))
	f.Add(v2hdr(0x21, 0x11, v4body, []byte{0x20, 0, 1, 5}), uint8(13))
	f.Add(v2hdr(0x20, 0x00), uint8(2))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		var one Parser
		u1, e1 := one.Feed(in)
		if u1 > len(in) || u1 < 0 {
			t.Fatalf("used %d of %d", u1, len(in))
		}
		var inc Parser
		s := int(step%32) + 1
		used, e2 := 0, error(ErrNeedMore)
		for off := 0; off < len(in) && e2 == ErrNeedMore; off += s {
			var u int
			u, e2 = inc.Feed(in[off:min(off+s, len(in))])
			used += u
		}
		if len(in) == 0 {
			e2 = e1
		}
		if (e1 == nil) != (e2 == nil) || (e1 == ErrNeedMore) != (e2 == ErrNeedMore) {
			t.Fatalf("one-shot %v, step %d %v", e1, s, e2)
		}
		var c1, c2 *Error
		if errors.As(e1, &c1) != errors.As(e2, &c2) || (c1 != nil && c1.Code != c2.Code) {
			t.Fatalf("one-shot %v, step %d %v", e1, s, e2)
		}
		if e1 != nil {
			return
		}
		if used != u1 || one.Header().Source != inc.Header().Source || one.Header().Len != u1 {
			t.Fatalf("one-shot %d %+v, step %d: %d %+v", u1, one.Header(), s, used, inc.Header())
		}
		h := one.Header()
		ph, err := pp.Read(bufio.NewReader(bytes.NewReader(in)))
		if err != nil || h.Local || ph.Command != pp.PROXY {
			return // Apache's rules are looser than the library's in places (%hu ports, missing dest port)
		}
		if src, _, ok := ph.TCPAddrs(); ok && src.AddrPort() != h.Source && netip.AddrPortFrom(src.AddrPort().Addr().Unmap(), src.AddrPort().Port()) != h.Source {
			t.Fatalf("go-proxyproto read source %v, we %v", src, h.Source)
		}
	})
}

func TestV2LengthField(t *testing.T) {
	// Binary sanity for the table's builder.
	b := v2hdr(0x21, 0x11, v4body)
	if binary.BigEndian.Uint16(b[14:16]) != 12 || len(b) != 28 {
		t.Fatal(b)
	}
}
