package procstat

import (
	"os"
	"runtime"
	"testing"
)

func TestParse(t *testing.T) {
	const stat = "4242 (go (test) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 12 3 20 0 9 0 100 0 0"
	tests := []struct {
		name    string
		in      string
		want    CPU
		wantErr bool
	}{
		{"name with parens", stat, CPU{User: 2.5, System: 0.75, ChildrenUser: 0.12, ChildrenSystem: 0.03}, false},
		{"truncated", "4242 (x) S 1 2 3", CPU{}, true},
		{"no name", "no name here", CPU{}, true},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 a 0 0 0", CPU{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
				t.Errorf("Parse(%q) = %+v, %v, want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestReadSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is Linux's")
	}
	if _, err := Read(os.Getpid()); err != nil {
		t.Fatalf("Read(self) = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0",
		"1 ())) S", "", ")",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Parse(b) // must not panic
	})
}
