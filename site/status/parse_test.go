package status

import (
	"strings"
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want query
	}{
		{"", query{}},
		{"auto", query{auto: true}},
		{"json", query{json: true}},
		{"notable", query{notable: true}},
		{"refresh", query{refresh: 10}},
		{"refresh=", query{refresh: 10}},
		{"refresh=7", query{refresh: 7}},
		{"refresh=+7s", query{refresh: 7}},
		{"refresh= 12", query{refresh: 12}},
		{"refresh=0", query{refresh: 10}},
		{"refresh=-1", query{refresh: 10}},
		{"refresh=99999999999999999999", query{refresh: maxRefresh}},
		{"refresh7", query{refresh: 10}},
		{"x=autox&refresh=2&notable", query{refresh: 2, notable: true, auto: true}},
		{"refresh=3&refresh=4", query{refresh: 3}},
		{"AUTO", query{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseQuery([]byte(tt.in)); got != tt.want {
				t.Errorf("parseQuery(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "auto", "refresh=5", "refresh=-5&json", "refresh=\t+42x", "notable&refresh"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		q := parseQuery(raw)
		has := strings.Contains(string(raw), "refresh")
		if has && (q.refresh < 1 || q.refresh > maxRefresh) {
			t.Errorf("parseQuery(%q).refresh = %d, want 1..%d", raw, q.refresh, maxRefresh)
		}
		if !has && q.refresh != 0 {
			t.Errorf("parseQuery(%q).refresh = %d, want 0", raw, q.refresh)
		}
		if q.auto != strings.Contains(string(raw), "auto") {
			t.Errorf("parseQuery(%q).auto = %v", raw, q.auto)
		}
	})
}

func TestShowTime(t *testing.T) {
	tests := []struct {
		secs uint32
		want string
	}{
		{0, ""},
		{1, " 1 second"},
		{59, " 59 seconds"},
		{60, " 1 minute"},
		{1234, " 20 minutes 34 seconds"},
		{3600, " 1 hour"},
		{90061, " 1 day 1 hour 1 minute 1 second"},
		{2*86400 + 7200, " 2 days 2 hours"},
	}
	for _, tt := range tests {
		if got := showTime(tt.secs); got != tt.want {
			t.Errorf("showTime(%d) = %q, want %q", tt.secs, got, tt.want)
		}
	}
}

func TestApacheTimeLayout(t *testing.T) {
	in := time.Date(2024, time.October, 22, 10, 0, 5, 0, time.UTC)
	if got, want := in.Format(apacheTimeLayout), "Tuesday, 22-Oct-2024 10:00:05 UTC"; got != want {
		t.Errorf("Format(apacheTimeLayout) = %q, want %q", got, want)
	}
}

func TestTCPKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ESTABLISHED", "TCPEstablished"},
		{"SYN_RECV", "TCPSynRecv"},
		{"FIN_WAIT1", "TCPFinWait1"},
		{"TIME_WAIT", "TCPTimeWait"},
		{"CLOSE", "TCPClose"},
	}
	for _, tt := range tests {
		if got := tcpKey(tt.in); got != tt.want {
			t.Errorf("tcpKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"cFormatG(0)", cFormatG(0), "0"},
		{"cFormatG(0.5)", cFormatG(0.5), "0.5"},
		{"cFormatG(1e6)", cFormatG(1e6), "1e+06"},
		{"cFormatG(123456.7)", cFormatG(123456.7), "123457"},
		{"cFormatG(0.00001)", cFormatG(0.00001), "1e-05"},
		{"formatByte(0)", formatByte(0), "0 B"},
		{"formatByte(5119)", formatByte(5119), "5119 B"},
		{"formatByte(5120)", formatByte(5120), "5.0 kB"},
		{"formatByte(524288)", formatByte(524288), "0.5 MB"},
		{"formatByte(1<<29)", formatByte(1 << 29), "0.5 GB"},
		{"formatKByte(1023)", formatKByte(1023), "1023 kB"},
		{"formatKByte(1536)", formatKByte(1536), "1.5 MB"},
		{"formatKByte(1<<20)", formatKByte(1 << 20), "1.0 GB"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestEscapeLogItem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET / HTTP/1.1", "GET / HTTP/1.1"},
		{`a"b\c`, `a\"b\\c`},
		{"a\tb\nc\rd\be\vf", `a\tb\nc\rd\be\vf`},
		{"\x00\x1f\x7f\xff", `\x00\x1f\x7f\xff`},
		{"<script>", "<script>"},
	}
	for _, tt := range tests {
		if got := escapeLogItem(tt.in); got != tt.want {
			t.Errorf("escapeLogItem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzEscapeLogItem(f *testing.F) {
	for _, s := range []string{"GET / HTTP/1.1", `"\`, "\x00\xff<>&", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := esc(escapeLogItem(s))
		for i := range len(got) {
			if c := got[i]; c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '"' {
				t.Fatalf("esc(escapeLogItem(%q)) = %q has byte %#x", s, got, c)
			}
		}
	})
}

func TestParseLoadavg(t *testing.T) {
	tests := []struct {
		in      string
		want    [3]float64
		wantErr bool
	}{
		{"0.52 0.58 0.59 1/312 12345\n", [3]float64{0.52, 0.58, 0.59}, false},
		{"12.00 3.50 0.00", [3]float64{12, 3.5, 0}, false},
		{"", [3]float64{}, true},
		{"0.1 0.2", [3]float64{}, true},
		{"a b c", [3]float64{}, true},
		{"-1 0 0", [3]float64{}, true},
	}
	for _, tt := range tests {
		got, err := parseLoadavg([]byte(tt.in))
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("parseLoadavg(%q) = %v, %v, want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseLoadavg(f *testing.F) {
	for _, s := range []string{"0.52 0.58 0.59 1/312 12345\n", "", "1 2", "NaN Inf 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		load, err := parseLoadavg(b)
		if err != nil {
			return
		}
		for _, v := range load {
			if !(v >= 0) {
				t.Errorf("parseLoadavg(%q) = %v, want values >= 0", b, load)
			}
		}
	})
}
