package authn

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseHtpasswd(t *testing.T) {
	in := "# comment\n" +
		"\n" +
		"alice:$apr1$x$y\n" +
		"  bob:{SHA}abc=  \r\n" +
		"carol::hash3:comment field\n" +
		"alice:second-line-loses\n" +
		"dave:con\\\n" +
		"tinued\n" +
		"noPassword\n" +
		"   # indented comment\n" +
		"last:nolf"
	got := ParseHtpasswd([]byte(in))
	want := map[string]string{
		"alice": "$apr1$x$y", "bob": "{SHA}abc=", "carol": "hash3", "dave": "continued",
		"noPassword": "", "last": "nolf",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	long := "a:" + strings.Repeat("x", maxPasswordLine) + "\nb:after\n"
	if got := ParseHtpasswd([]byte("z:first\n" + long)); !reflect.DeepEqual(got, map[string]string{"z": "first"}) {
		t.Errorf("a too long line must stop the file (ENOSPC): %q", got)
	}
}

func TestParseGroupFile(t *testing.T) {
	in := "admins: alice bob\n" +
		"# staff: mallory\n" +
		"staff :bob \"carol x\"  'dan'\n" +
		"admins: eve alice\n" +
		"empty:\n"
	got := ParseGroupFile([]byte(in))
	want := map[string][]string{
		"alice": {"admins"}, "bob": {"admins", "staff"}, "carol x": {"staff"}, "dan": {"staff"}, "eve": {"admins"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestFilesReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(path, []byte("alice:one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := NewFiles()
	now := time.Unix(1000, 0)
	f.now = func() time.Time { return now }
	check := func(user, want string, wantFound bool) {
		t.Helper()
		h, found, err := f.Password(path, user)
		if err != nil || h != want || found != wantFound {
			t.Errorf("Password(%s) = %q %v %v, want %q %v", user, h, found, err, want, wantFound)
		}
	}
	check("alice", "one", true)
	check("bob", "", false)
	if err := os.WriteFile(path, []byte("alice:two\nbob:b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("alice", "one", true) // within StatInterval: not looked at
	now = now.Add(StatInterval)
	check("alice", "two", true)
	check("bob", "b", true)
	// Same size and a rename over it: the inode changes.
	tmp := filepath.Join(dir, "new")
	os.WriteFile(tmp, []byte("alice:333\nbob:c\n"), 0o644)
	os.Chtimes(tmp, time.Time{}, mustStat(t, path).ModTime())
	os.Rename(tmp, path)
	now = now.Add(StatInterval)
	check("alice", "333", true)
	os.Remove(path)
	now = now.Add(StatInterval)
	if _, _, err := f.Password(path, "alice"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removed file: err = %v", err)
	}
	gpath := filepath.Join(dir, "groups")
	os.WriteFile(gpath, []byte("g1: alice\ng2: alice bob\n"), 0o644)
	if g, err := f.Groups(gpath, "alice"); err != nil || !reflect.DeepEqual(g, []string{"g1", "g2"}) {
		t.Errorf("Groups = %q, %v", g, err)
	}
}

func mustStat(t *testing.T, p string) os.FileInfo {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func BenchmarkFilesPassword(b *testing.B) {
	path := filepath.Join(b.TempDir(), "htpasswd")
	os.WriteFile(path, []byte("alice:$apr1$x$y\n"), 0o644)
	f := NewFiles()
	b.ReportAllocs()
	for b.Loop() {
		f.Password(path, "alice")
	}
}

// TestFilesConcurrent reads while the file changes and the clock moves
// (run with -race).
func TestFilesConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "htpasswd")
	os.WriteFile(path, []byte("alice:0\n"), 0o644)
	f := NewFiles()
	var clock atomic.Int64
	f.now = func() time.Time { return time.Unix(0, clock.Load()) }
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if _, found, err := f.Password(path, "alice"); err != nil || !found {
					t.Errorf("Password: %v %v", found, err)
					return
				}
			}
		})
	}
	for i := range 20 {
		// htpasswd writes a temporary file and copies it; a rename keeps
		// readers from seeing a half-written file here.
		tmp := path + ".tmp"
		os.WriteFile(tmp, []byte("alice:"+strings.Repeat("x", i)+"\n"), 0o644)
		os.Rename(tmp, path)
		clock.Add(int64(StatInterval))
	}
	wg.Wait()
}
