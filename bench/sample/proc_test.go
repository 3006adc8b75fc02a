package sample

import (
	"strings"
	"testing"
)

func TestParseRollup(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Mem
		ok   bool
	}{
		{"kernel 6", "55d0c0000000-7ffd8d9fe000 ---p 00000000 00:00 0                          [rollup]\nRss:                7524 kB\nPss:                3105 kB\nPss_Dirty:          2016 kB\n",
			Mem{RSS: 7524 << 10, PSS: 3105 << 10}, true},
		{"no pss", "Rss: 10 kB\n", Mem{}, false},
		{"bad unit", "Rss: 10 MB\nPss: 1 kB\n", Mem{}, false},
		{"negative", "Rss: -1 kB\nPss: 1 kB\n", Mem{}, false},
		{"empty", "", Mem{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRollup(strings.NewReader(tt.in))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseRollup(%q) = %+v, %v; want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name           string
		in             string
		self, children float64
		ok             bool
	}{
		{"plain", "1234 (gohttpd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 8 0 100 0 0",
			3, 0.1, true},
		{"name with spaces and parens", "99 (a (b) c) R 1 99 99 0 -1 0 0 0 0 0 1 2 3 4 20 0", 0.03, 0.07, true},
		{"truncated", "99 (x) R 1 2", 0, 0, false},
		{"no name", "99 x R", 0, 0, false},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 a 0 0 0 20 0", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			self, children, err := parseStatCPU([]byte(tt.in))
			if (err == nil) != tt.ok || !near(self, tt.self) || !near(children, tt.children) {
				t.Errorf("parseStatCPU(%q) = %g, %g, %v; want %g, %g, ok=%v", tt.in, self, children, err, tt.self, tt.children, tt.ok)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestParseStatus(t *testing.T) {
	body := "bench\nServerMPM: event\nBusyWorkers: 3\nIdleWorkers: 72\nConnsTotal: 12\nConnsAsyncKeepAlive: 9\nScoreboard: __RW_K..\nTCPEstablished: 4\n"
	w := ParseStatus([]byte(body))
	want := map[string]int{"_": 3, "R": 1, "W": 1, "K": 1}
	if w.Busy != 3 || w.Idle != 72 || w.Conns != 12 || w.KeepAlive != 9 || w.Source != "status" {
		t.Errorf("ParseStatus(%q) = %+v, want busy 3, idle 72, conns 12, keep-alive 9", body, w)
	}
	for k, v := range want {
		if w.States[k] != v {
			t.Errorf("ParseStatus(%q).States[%q] = %d, want %d", body, k, w.States[k], v)
		}
	}
	if w := ParseStatus([]byte("garbage")); w.Busy != -1 || w.Idle != -1 {
		t.Errorf("ParseStatus(garbage) = %+v, want -1 counts", w)
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("BusyWorkers: 3\nIdleWorkers: 1\nScoreboard: _W.K\n"))
	f.Add([]byte("Scoreboard: \xff\xfe\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w := ParseStatus(b)
		n := 0
		for _, v := range w.States {
			n += v
		}
		if n > len(b) {
			t.Fatalf("ParseStatus counted %d workers in %d bytes", n, len(b))
		}
	})
}

func FuzzParseRollup(f *testing.F) {
	f.Add([]byte("Rss: 1 kB\nPss: 2 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseRollup(strings.NewReader(string(b)))
		if err == nil && (m.RSS < 0 || m.PSS < 0) {
			t.Fatalf("parseRollup = %+v, negative", m)
		}
	})
}
