package mpmtest

import (
	"os"
	"path/filepath"
	"testing"
)

// ReadableTempDir is t.TempDir made traversable by every user, with the
// directory above it that t.TempDir creates with mode 0700. Tests run as
// root, and then gohttpd's children serve as an unprivileged User (nobody
// by default), which must reach the document root, as Apache's.
func ReadableTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
