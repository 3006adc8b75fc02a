package listener

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseNetstat(t *testing.T) {
	// testdata/netstat-6.18 is /proc/net/netstat of a 6.18 kernel with the
	// five counters edited to distinct values.
	real, err := os.ReadFile(filepath.Join("testdata", "netstat-6.18"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		want    Counters
		wantErr string
	}{
		{
			name: "kernel 6.18 file",
			in:   string(real),
			want: Counters{ListenOverflows: 17, ListenDrops: 19, SyncookiesSent: 3, SyncookiesRecv: 2, SyncookiesFailed: 1},
		},
		{
			name: "minimal, other sections ignored",
			in: "IpExt: InNoRoutes InOctets\nIpExt: 0 -5\n" +
				"TcpExt: ListenDrops SyncookiesSent ListenOverflows\nTcpExt: 7 18446744073709551615 5\n",
			want: Counters{ListenOverflows: 5, ListenDrops: 7, SyncookiesSent: 1<<64 - 1},
		},
		{
			name: "older kernel without syncookie counters",
			in:   "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1 2\n",
			want: Counters{ListenOverflows: 1, ListenDrops: 2},
		},
		{name: "empty", in: "", wantErr: "no TcpExt"},
		{name: "no TcpExt", in: "IpExt: A B\nIpExt: 1 2\n", wantErr: "no TcpExt"},
		{name: "count mismatch", in: "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n", wantErr: "2 names and 1 values"},
		{name: "not a number", in: "TcpExt: ListenOverflows\nTcpExt: x\n", wantErr: "ListenOverflows"},
		{name: "names without values", in: "TcpExt: ListenOverflows\n", wantErr: "without values"},
		{name: "section mismatch", in: "TcpExt: ListenOverflows\nIpExt: 1\n", wantErr: "followed by"},
		{name: "line without section", in: "garbage\n", wantErr: "without section"},
		{name: "two TcpExt", in: "TcpExt: A\nTcpExt: 1\nTcpExt: A\nTcpExt: 1\n", wantErr: "two TcpExt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNetstat(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseNetstat() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseNetstat() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("parseNetstat() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseNetstat(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "netstat-6.18")); err == nil {
		f.Add(string(b))
	}
	f.Add("TcpExt: ListenOverflows ListenDrops\nTcpExt: 1 2\n")
	f.Add("TcpExt: ListenOverflows\nTcpExt: x\n")
	f.Add("TcpExt:\nTcpExt:\n")
	f.Add(":\n:\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := parseNetstat(strings.NewReader(in))
		if err == nil && !strings.Contains(in, "TcpExt") {
			t.Errorf("parseNetstat(%q) = %+v, want an error without a TcpExt section", in, c)
		}
		c2, err2 := parseNetstat(strings.NewReader(in))
		if c2 != c || (err == nil) != (err2 == nil) {
			t.Errorf("parseNetstat(%q) not deterministic: %+v, %v then %+v, %v", in, c, err, c2, err2)
		}
	})
}

// procCount is one expectation on a /proc/net/tcp sample.
type procCount struct {
	port   uint16
	remote bool
	state  TCPState
	want   int
}

func TestParseProcNetTCP(t *testing.T) {
	// The samples were captured on a 6.18 kernel with a dual-stack [::]:18080
	// and a 127.0.0.1:18081 listener, one connection to each, and one closed
	// connection to 18081 in TIME_WAIT (closed by the server first).
	tests := []struct {
		name    string
		file    string
		in      string
		lines   int
		counts  []procCount
		wantErr string
	}{
		{
			name:  "tcp",
			file:  "tcp-6.18",
			lines: 5,
			counts: []procCount{
				{port: 18081, state: StateListen, want: 1},
				{port: 18081, state: StateEstablished, want: 1},
				{port: 18081, state: StateTimeWait, want: 1},
				{port: 18081, remote: true, state: StateEstablished, want: 1},
				{port: 18081, remote: true, state: StateListen, want: 0},
			},
		},
		{
			name:  "tcp6",
			file:  "tcp6-6.18",
			lines: 3,
			counts: []procCount{
				{port: 18080, state: StateListen, want: 1},
				{port: 18080, state: StateEstablished, want: 1},
				{port: 18080, remote: true, state: StateEstablished, want: 1},
			},
		},
		{name: "header only", in: "  sl  local_address rem_address   st\n", lines: 0},
		{name: "no header", in: "0: 0100007F:0050 00000000:0000 0A\n\n", lines: 1,
			counts: []procCount{{port: 80, state: StateListen, want: 1}}},
		{name: "short line", in: "0: 0100007F:0050\n", wantErr: "short line"},
		{name: "no port", in: "0: 0100007F 00000000:0000 0A\n", wantErr: "without port"},
		{name: "bad port", in: "0: 0100007F:XYZ 00000000:0000 0A\n", wantErr: "port in"},
		{name: "bad state", in: "0: 0100007F:0050 00000000:0000 QQ\n", wantErr: "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.file != "" {
				b, err := os.ReadFile(filepath.Join("testdata", tt.file))
				if err != nil {
					t.Fatal(err)
				}
				in = string(b)
			}
			type key struct {
				port   uint16
				remote bool
				state  TCPState
			}
			got := map[key]int{}
			lines := 0
			err := parseProcNetTCP(strings.NewReader(in), func(st uint8, lport, rport uint16) {
				lines++
				got[key{lport, false, TCPState(st)}]++
				got[key{rport, true, TCPState(st)}]++
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseProcNetTCP() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseProcNetTCP() error = %v", err)
			}
			if lines != tt.lines {
				t.Errorf("parseProcNetTCP() saw %d sockets, want %d", lines, tt.lines)
			}
			for _, c := range tt.counts {
				if n := got[key{c.port, c.remote, c.state}]; n != c.want {
					t.Errorf("parseProcNetTCP(): port %d (remote %t) in %v = %d, want %d", c.port, c.remote, c.state, n, c.want)
				}
			}
		})
	}
}

func FuzzParseProcNetTCP(f *testing.F) {
	for _, name := range []string{"tcp-6.18", "tcp6-6.18"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("0: 0100007F:0050 00000000:0000 0A\n")
	f.Add("0: :: :: 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		n := 0
		err := parseProcNetTCP(strings.NewReader(in), func(uint8, uint16, uint16) { n++ })
		if lines := strings.Count(in, "\n") + 1; n > lines {
			t.Errorf("parseProcNetTCP(%q) reported %d sockets from %d lines (error %v)", in, n, lines, err)
		}
	})
}

func TestTCPStateString(t *testing.T) {
	tests := []struct {
		s    TCPState
		want string
	}{
		{0, "TCPState(0)"},
		{StateEstablished, "ESTABLISHED"},
		{StateSynSent, "SYN_SENT"},
		{StateSynRecv, "SYN_RECV"},
		{StateFinWait1, "FIN_WAIT1"},
		{StateFinWait2, "FIN_WAIT2"},
		{StateTimeWait, "TIME_WAIT"},
		{StateClose, "CLOSE"},
		{StateCloseWait, "CLOSE_WAIT"},
		{StateLastAck, "LAST_ACK"},
		{StateListen, "LISTEN"},
		{StateClosing, "CLOSING"},
		{12, "TCPState(12)"},
		{255, "TCPState(255)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Errorf("TCPState(%d).String() = %q, want %q", uint8(tt.s), got, tt.want)
			}
		})
	}
	// The kernel's numbering, include/net/tcp_states.h.
	if StateEstablished != 1 || StateListen != 10 || StateClosing != 11 {
		t.Errorf("kernel numbering: ESTABLISHED=%d LISTEN=%d CLOSING=%d, want 1, 10, 11",
			StateEstablished, StateListen, StateClosing)
	}
}

func TestStateCountsAdd(t *testing.T) {
	tests := []struct {
		name  string
		state uint8
		index TCPState
	}{
		{"established", 1, StateEstablished},
		{"closing", 11, StateClosing},
		{"new syn recv counts as SYN_RECV", 12, StateSynRecv},
		{"unknown goes to 0", 13, 0},
		{"zero goes to 0", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c StateCounts
			c.add(tt.state)
			var want StateCounts
			want[tt.index] = 1
			if c != want {
				t.Errorf("add(%d) = %v, want %v", tt.state, c, want)
			}
		})
	}
}
