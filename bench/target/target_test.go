package target

import (
	"errors"
	"io/fs"
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
		{"https://127.0.0.1/", true}, // only the https scenario runs on it
		{"https://10.0.0.1/", false},
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

func TestWriteDocrootNeverOverwrites(t *testing.T) {
	tests := []struct {
		name     string
		existing map[string]string // file → content before
		wantErr  string            // "" = success
	}{
		{"empty dir", nil, ""},
		{"user index.html", map[string]string{"index.html": "<h1>mine</h1>"}, "index.html"},
		{"user 1k.bin", map[string]string{"1k.bin": "x"}, "1k.bin"},
		{"bench's own file again", map[string]string{"empty.txt": ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for f, c := range tt.existing {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteDocroot(dir)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("WriteDocroot = %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), filepath.Join(dir, tt.wantErr)) {
				t.Fatalf("WriteDocroot = %v, want an fs.ErrExist error naming %s", err, tt.wantErr)
			}
			for f, c := range tt.existing {
				if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != c {
					t.Errorf("%s was overwritten: %q", f, b)
				}
			}
			// Nothing else was written either.
			if ents, _ := os.ReadDir(dir); len(ents) != len(tt.existing) {
				t.Errorf("dir holds %d files, want %d", len(ents), len(tt.existing))
			}
		})
	}
	// Twice into the same directory is fine: nothing is overwritten.
	dir := t.TempDir()
	if err := WriteDocroot(dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteDocroot(dir); err != nil {
		t.Fatalf("second WriteDocroot = %v", err)
	}
}
