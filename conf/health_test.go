package conf

import (
	"strings"
	"testing"
	"time"
)

func TestParseGracefulStopDrainDelay(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want time.Duration
		err  string
	}{
		{"0", 0, ""},
		{"5", 5 * time.Second, ""},
		{"5s", 5 * time.Second, ""},
		{"1500ms", 1500 * time.Millisecond, ""},
		{"1m", time.Minute, ""},
		{"3600", time.Hour, ""},
		{"3601", 0, "exceeds the maximum of 1h0m0s"},
		{"-1", 0, `not "-1"`},
		{"-1s", 0, `not "-1s"`},
		{"soon", 0, `GracefulStopDrainDelay must be a number of seconds or a duration such as 5s or 1500ms, not "soon"`},
		{"", 0, "not \"\""},
	} {
		got, err := ParseGracefulStopDrainDelay(tc.arg)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.arg, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %v, %v; want %v", tc.arg, got, err, tc.want)
		}
	}
}

func FuzzParseGracefulStopDrainDelay(f *testing.F) {
	for _, s := range []string{"5", "5s", "-1", "1h1s", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseGracefulStopDrainDelay(s)
		if err == nil && (d < 0 || d > MaxGracefulStopDrainDelay) {
			t.Errorf("%q accepted as %v", s, d)
		}
	})
}
