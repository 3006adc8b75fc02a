package threshold

import (
	"errors"
	"fmt"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // String() of the result; "" = a syntax error
	}{
		{"event.keepalive.1k.rps>=1.0*nginx", "event.keepalive.1k.rps>=1*nginx.keepalive.1k.rps"},
		{"event.keepalive.1k.rps >= 0.9 * apache-event", "event.keepalive.1k.rps>=0.9*apache-event.keepalive.1k.rps"},
		{"event.keepalive.1k.p99<5", "event.keepalive.1k.p99<5"},
		{"event.keepalive.1k.p99.9<=12.5", "event.keepalive.1k.p99.9<=12.5"},
		{"worker.close.server-close.TIME_WAIT server>100", "worker.close.server-close.TIME_WAIT server>100"},
		{"event.saturation.closed 128c.errors==0", "event.saturation.closed 128c.errors==0"},
		{"event.keepalive.1k.errors!=1", "event.keepalive.1k.errors!=1"},
		{"event.keepalive.1k.rps>2*worker.keepalive.64k.rps", "event.keepalive.1k.rps>2*worker.keepalive.64k.rps"},
		{"event.keepalive.1k.rps>nginx", "event.keepalive.1k.rps>1*nginx.keepalive.1k.rps"},
		{"event.keepalive.1k.rps>-1e3", "event.keepalive.1k.rps>-1000"},
		{"event.keepalive.1k.rps", ""},
		{"event.keepalive.rps>=1", ""},
		{"event..1k.rps>=1", ""},
		{"event.keepalive.1k.rps=>1", ""},
		{"event.keepalive.1k.rps>=", ""},
		{"event.keepalive.1k.rps>=NaN", ""},
		{"event.keepalive.1k.rps>=Inf", ""},
		{"event.keepalive.1k.rps>=x*nginx", ""},
		{"event.keepalive.1k.rps>=2*", ""},
		{"event.keepalive.1k.rps>=2*nginx.keepalive", ""},
		{">=1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.want == "" {
				if err == nil || !errors.Is(err, ErrSyntax) {
					t.Fatalf("Parse(%q) = %v, %v; want a syntax error", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	figures := map[string]float64{
		"event.keepalive.1k.rps":  1000,
		"nginx.keepalive.1k.rps":  1100,
		"event.keepalive.1k.p99":  2,
		"event.keepalive.1k.busy": -1, // unknown
	}
	look := func(s Subject) (float64, error) {
		v, ok := figures[s.String()]
		switch {
		case !ok:
			return 0, fmt.Errorf("no such figure")
		case v < 0:
			return 0, fmt.Errorf("unknown (n/a)")
		}
		return v, nil
	}
	tests := []struct {
		in   string
		pass bool
	}{
		{"event.keepalive.1k.rps>=0.9*nginx", true},
		{"event.keepalive.1k.rps>=1.0*nginx", false},
		{"event.keepalive.1k.rps<nginx", true},
		{"event.keepalive.1k.p99<5", true},
		{"event.keepalive.1k.p99<=2", true},
		{"event.keepalive.1k.p99>2", false},
		{"event.keepalive.1k.p99==2", true},
		{"event.keepalive.1k.p99!=2", false},
		{"event.keepalive.1k.busy>=0", false},       // unknown fails
		{"event.keepalive.64k.rps>=0", false},       // missing fails
		{"event.keepalive.1k.rps>=1*apache", false}, // missing right side fails
	}
	for _, tt := range tests {
		th, err := Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		r := th.Check(tt.in, look)
		if r.Pass != tt.pass {
			t.Errorf("Check(%s) = %+v, want pass=%v", tt.in, r, tt.pass)
		}
		if r.Message == "" || (r.Pass && r.Message[:4] != "PASS") || (!r.Pass && r.Message[:4] != "FAIL") {
			t.Errorf("Check(%s) message %q", tt.in, r.Message)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts it prints in a form
// it reads back to the same threshold.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"event.keepalive.1k.rps>=1.0*nginx", "a.b.c.d<5", "a.b.c.p99.9!=x.y.z.w",
		"event.close.client-close.TIME_WAIT server<=0", "a.b.c.d>=1e308*b", ">", "a.b.c.d>=*", "...>1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) = %v, not a syntax error", s, err)
			}
			return
		}
		back, err := Parse(th.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, but its String %q does not parse: %v", s, th, th.String(), err)
		}
		if back.String() != th.String() {
			t.Fatalf("round trip of %q: %q then %q", s, th.String(), back.String())
		}
	})
}
