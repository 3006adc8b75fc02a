package listener

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// countMethods are the two ways of counting, tested separately so that the
// fallback cannot hide a broken netlink path (or the reverse).
var countMethods = []struct {
	name  string
	count func(ports []uint16, remote bool) (StateCounts, error)
}{
	{"netlink", countNetlink},
	{"proc", countProc},
}

// countT counts with method m and fails the test on error.
func countT(t *testing.T, count func([]uint16, bool) (StateCounts, error), port int, remote bool) StateCounts {
	t.Helper()
	c, err := count([]uint16{uint16(port)}, remote)
	if err != nil {
		t.Fatalf("count(%d, remote %t) error = %v", port, remote, err)
	}
	return c
}

func TestCountStates(t *testing.T) {
	for _, m := range countMethods {
		t.Run(m.name, func(t *testing.T) {
			l := openT(t, Spec{Host: "127.0.0.1"})
			port := l.Spec().Port
			// A port can still hold TIME_WAIT sockets of an earlier run,
			// so compare with a baseline.
			base := countT(t, m.count, port, false)
			if base[StateListen] != 1 || base[StateEstablished] != 0 {
				t.Fatalf("count(%d) before any connection = %v, want LISTEN 1 and ESTABLISHED 0", port, base)
			}

			client := dialT(t, "tcp", l.Addr().String())
			server := acceptT(t, l, 2*time.Second)
			waitFor(t, 2*time.Second, func() (bool, string) {
				local := countT(t, m.count, port, false)
				remote := countT(t, m.count, port, true)
				return local[StateListen] == 1 && local[StateEstablished] == 1 && remote[StateEstablished] == 1,
					fmt.Sprintf("local %v, remote %v, want LISTEN 1 and ESTABLISHED 1 on both sides", local, remote)
			})

			// The server closes first, so its side ends in TIME_WAIT.
			server.Close()
			client.SetReadDeadline(time.Now().Add(2 * time.Second))
			if n, err := client.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("client Read after server close = %d, %v, want EOF", n, err)
			}
			client.Close()
			waitFor(t, 2*time.Second, func() (bool, string) {
				local := countT(t, m.count, port, false)
				remote := countT(t, m.count, port, true)
				return local[StateTimeWait] == base[StateTimeWait]+1 && local[StateEstablished] == 0 &&
						remote[StateEstablished] == 0,
					fmt.Sprintf("local %v, remote %v, want TIME_WAIT %d locally and no ESTABLISHED",
						local, remote, base[StateTimeWait]+1)
			})
		})
	}
}

func TestCountSynRecvUnderDeferAccept(t *testing.T) {
	for _, m := range countMethods {
		t.Run(m.name, func(t *testing.T) {
			l := openT(t, Spec{Host: "127.0.0.1", DeferAccept: ApacheDeferAccept})
			port := l.Spec().Port
			dialT(t, "tcp", l.Addr().String())
			// The client thinks it is connected; the server keeps a
			// request socket until data arrives.
			waitFor(t, 2*time.Second, func() (bool, string) {
				local := countT(t, m.count, port, false)
				remote := countT(t, m.count, port, true)
				return local[StateSynRecv] == 1 && local[StateListen] == 1 && local[StateEstablished] == 0 &&
						remote[StateEstablished] == 1,
					fmt.Sprintf("local %v, remote %v, want SYN_RECV 1 locally and ESTABLISHED 1 remotely", local, remote)
			})
			if st, err := l.Stats(); err != nil || st.QueueLen != 0 {
				t.Errorf("Stats() = %+v, %v, want an empty accept queue", st, err)
			}
		})
	}
}

func TestCountPublic(t *testing.T) {
	a := openT(t, Spec{Host: "127.0.0.1"})
	b := openT(t, Spec{Host: "127.0.0.1"})
	pa, pb := a.Spec().Port, b.Spec().Port
	tests := []struct {
		name   string
		count  func(...int) (StateCounts, error)
		ports  []int
		listen int
	}{
		{"local one port", CountLocal, []int{pa}, 1},
		{"local two ports", CountLocal, []int{pa, pb}, 2},
		{"local same port twice", CountLocal, []int{pa, pa}, 1},
		{"local all ports", CountLocal, nil, -2}, // at least 2
		{"remote", CountRemote, []int{pa, pb}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.count(tt.ports...)
			if err != nil {
				t.Fatalf("count(%v) error = %v", tt.ports, err)
			}
			if tt.listen >= 0 && c[StateListen] != tt.listen || tt.listen < 0 && c[StateListen] < -tt.listen {
				t.Errorf("count(%v) = %v, want LISTEN %d", tt.ports, c, tt.listen)
			}
		})
	}
	for _, bad := range []int{-1, 65536} {
		if _, err := CountLocal(bad); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("CountLocal(%d) error = %v, want out of range", bad, err)
		}
	}
}

// TestPortBytecode checks that the kernel accepts the filter and applies it
// itself: every socket it sends must match.
func TestPortBytecode(t *testing.T) {
	ls := []*Listener{openT(t, Spec{Host: "127.0.0.1"}), openT(t, Spec{Host: "127.0.0.1"}), openT(t, Spec{Host: "127.0.0.1"})}
	ports := []uint16{uint16(ls[0].Spec().Port), uint16(ls[1].Spec().Port), uint16(ls[2].Spec().Port)}
	for _, l := range ls {
		dialT(t, "tcp", l.Addr().String())
	}
	tests := []struct {
		name   string
		ports  []uint16
		remote bool
		want   int // sockets sent by the kernel
	}{
		{"one local port", ports[:1], false, 2},       // LISTEN + queued ESTABLISHED
		{"three local ports", ports, false, 6},        // 3 × 2
		{"last local port", ports[2:], false, 2},      // a later pair must match too
		{"two remote ports", ports[1:], true, 2},      // the two clients
		{"unused port", []uint16{0}, false, 0},        // nothing is bound to port 0
		{"many ports", manyPorts(ports[0]), false, 2}, // still within the bytecode limit
		{"too many ports", tooManyPorts(), false, -1}, // no bytecode: filtered here
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc := portBytecode(tt.ports, tt.remote)
			if tt.want < 0 {
				if bc != nil {
					t.Fatalf("portBytecode(%d ports) = %d bytes, want nil", len(tt.ports), len(bc))
				}
				return
			}
			match := portMatcher(tt.ports)
			n := 0
			waitFor(t, 2*time.Second, func() (bool, string) {
				n = 0
				var stray []diagMsg
				err := diagDump(bc, func(m diagMsg) {
					p := m.sport
					if tt.remote {
						p = m.dport
					}
					if !match(p) {
						stray = append(stray, m)
					}
					// TIME_WAIT sockets other tests on the machine left
					// with the same port numbers match the filter too;
					// they are not this test's.
					if TCPState(m.state) != StateTimeWait {
						n++
					}
				})
				return err == nil && len(stray) == 0 && n == tt.want,
					fmt.Sprintf("diagDump(%d ports) = %d sockets, stray %v, error %v, want %d", len(tt.ports), n, stray, err, tt.want)
			})
		})
	}
}

func manyPorts(p uint16) []uint16 {
	ps := make([]uint16, 0, maxFilterPorts)
	for i := range maxFilterPorts - 1 {
		ps = append(ps, uint16(1+i)) // low ports: nothing listens there in tests
	}
	return append(ps, p)
}

func tooManyPorts() []uint16 { return make([]uint16, maxFilterPorts+1) }

func TestKernelCounters(t *testing.T) {
	got, err := KernelCounters()
	if err != nil {
		t.Fatalf("KernelCounters() error = %v", err)
	}
	f, err := os.Open("/proc/net/netstat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	again, err := parseNetstat(f)
	if err != nil {
		t.Fatalf("parseNetstat(/proc/net/netstat) error = %v", err)
	}
	// Counters only grow.
	if again.ListenOverflows < got.ListenOverflows || again.ListenDrops < got.ListenDrops ||
		again.SyncookiesSent < got.SyncookiesSent {
		t.Errorf("counters went backwards: %+v then %+v", got, again)
	}
	if got.ListenDrops < got.ListenOverflows {
		t.Errorf("KernelCounters() = %+v, want ListenDrops >= ListenOverflows", got)
	}
}

func TestParseDiagReply(t *testing.T) {
	const seq = 7
	msg := func(typ uint16, s uint32, payload []byte) []byte {
		n := unix.NLMSG_HDRLEN + len(payload)
		b := make([]byte, (n+3)&^3)
		binary.NativeEndian.PutUint32(b[0:], uint32(n))
		binary.NativeEndian.PutUint16(b[4:], typ)
		binary.NativeEndian.PutUint32(b[8:], s)
		copy(b[unix.NLMSG_HDRLEN:], payload)
		return b
	}
	sock := func(state uint8, sport, dport uint16) []byte {
		p := make([]byte, sizeofInetDiagMsg+8) // with a trailing attribute
		p[0], p[1] = unix.AF_INET, state
		binary.BigEndian.PutUint16(p[4:], sport)
		binary.BigEndian.PutUint16(p[6:], dport)
		return p
	}
	errno := func(e int32) []byte {
		p := make([]byte, 4+unix.NLMSG_HDRLEN)
		binary.NativeEndian.PutUint32(p, uint32(e))
		return p
	}
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

	tests := []struct {
		name     string
		in       []byte
		want     []diagMsg
		wantDone bool
		wantErr  string
	}{
		{
			name: "two sockets then done",
			in:   cat(msg(unix.SOCK_DIAG_BY_FAMILY, seq, sock(10, 80, 0)), msg(unix.SOCK_DIAG_BY_FAMILY, seq, sock(1, 80, 5000)), msg(unix.NLMSG_DONE, seq, errno(0))),
			want: []diagMsg{
				{family: unix.AF_INET, state: 10, sport: 80},
				{family: unix.AF_INET, state: 1, sport: 80, dport: 5000},
			},
			wantDone: true,
		},
		{
			name: "other sequence ignored",
			in:   cat(msg(unix.SOCK_DIAG_BY_FAMILY, seq+1, sock(10, 80, 0)), msg(unix.NLMSG_DONE, seq+1, errno(0))),
		},
		{
			name: "more to come",
			in:   msg(unix.SOCK_DIAG_BY_FAMILY, seq, sock(6, 443, 1234)),
			want: []diagMsg{{family: unix.AF_INET, state: 6, sport: 443, dport: 1234}},
		},
		{name: "kernel error", in: msg(unix.NLMSG_ERROR, seq, errno(-int32(unix.EINVAL))), wantDone: true, wantErr: "invalid argument"},
		{name: "dump error in done", in: msg(unix.NLMSG_DONE, seq, errno(-int32(unix.EINTR))), wantDone: true, wantErr: "interrupted"},
		{name: "ack", in: cat(msg(unix.NLMSG_ERROR, seq, errno(0)), msg(unix.NLMSG_DONE, seq, nil)), wantDone: true},
		{name: "short inet_diag_msg", in: msg(unix.SOCK_DIAG_BY_FAMILY, seq, make([]byte, 10)), wantErr: "malformed inet_diag_msg"},
		{name: "length beyond buffer", in: msg(unix.SOCK_DIAG_BY_FAMILY, seq, sock(1, 1, 1))[:40], wantErr: "malformed netlink message"},
		{name: "short error", in: msg(unix.NLMSG_ERROR, seq, []byte{1}), wantDone: true, wantErr: "malformed netlink error"},
		{name: "runt", in: []byte{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []diagMsg
			done, err := parseDiagReply(tt.in, seq, func(m diagMsg) { got = append(got, m) })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseDiagReply() error = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Errorf("parseDiagReply() error = %v", err)
			}
			if done != tt.wantDone {
				t.Errorf("parseDiagReply() done = %t, want %t", done, tt.wantDone)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("parseDiagReply() sockets = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseDiagReply(f *testing.F) {
	hdr := func(l uint32, typ uint16, seq uint32) []byte {
		b := make([]byte, unix.NLMSG_HDRLEN)
		binary.NativeEndian.PutUint32(b[0:], l)
		binary.NativeEndian.PutUint16(b[4:], typ)
		binary.NativeEndian.PutUint32(b[8:], seq)
		return b
	}
	f.Add(append(hdr(unix.NLMSG_HDRLEN+sizeofInetDiagMsg, unix.SOCK_DIAG_BY_FAMILY, 1), make([]byte, sizeofInetDiagMsg)...))
	f.Add(append(hdr(20, unix.NLMSG_DONE, 1), 0, 0, 0, 0))
	f.Add(append(hdr(20, unix.NLMSG_ERROR, 1), 0xea, 0xff, 0xff, 0xff))
	f.Add(hdr(0, 0, 1))
	f.Add(hdr(0xffffffff, unix.SOCK_DIAG_BY_FAMILY, 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		n := 0
		_, _ = parseDiagReply(in, 1, func(diagMsg) { n++ })
		if max := len(in) / (unix.NLMSG_HDRLEN + sizeofInetDiagMsg); n > max {
			t.Errorf("parseDiagReply(%d bytes) reported %d sockets, at most %d fit", len(in), n, max)
		}
	})
}

func BenchmarkCountLocal(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	for _, m := range countMethods {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.count([]uint16{port}, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
