package target

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExternalRefusesNonLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:1/", true},
		{"http://127.1.2.3:1/x", true},
		{"http://[::1]:1/", true},
		{"http://localhost:1/", true},
		{"http://10.0.0.1:80/", false},
		{"http://192.168.1.10/", false},
		{"http://8.8.8.8/", false},
		{"http://example.com/", false},
		{"https://127.0.0.1/", false},
		{"ftp://127.0.0.1/", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := External(tt.url, 0, "")
			if (err == nil) != tt.ok {
				t.Fatalf("External(%q) = %v, want ok=%v", tt.url, err, tt.ok)
			}
			if err != nil && !tt.ok && strings.HasPrefix(tt.url, "http://") && !strings.Contains(err.Error(), "loopback") {
				t.Errorf("External(%q) = %v, want an error naming loopback", tt.url, err)
			}
			if s != nil && (s.Name != "external" || !strings.HasSuffix(s.Prefix, "/") || s.Owned()) {
				t.Errorf("External(%q) = %+v", tt.url, s)
			}
		})
	}
}

func TestWriteDocroot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "htdocs")
	if err := WriteDocroot(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range Files {
		st, err := os.Stat(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "index.html" && st.Size() != int64(f.Size) {
			t.Errorf("%s is %d bytes, want %d", f.Name, st.Size(), f.Size)
		}
	}
}
