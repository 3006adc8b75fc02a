package autoindex

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var treeFlag = flag.String("tree", "", "write the test tree's variants under this directory (testdata/apache/capture.sh)")

// treeEntry is one file or directory of the test tree. Sizes are made with
// Truncate (sparse), so the 2 GB file costs nothing.
type treeEntry struct {
	name string
	dir  bool
	size int64
	body string
}

// treeBase is the first mtime; entry i gets treeBase + i*97 minutes, so
// every entry has its own minute and sorting by date is deterministic.
var treeBase = time.Date(2023, 4, 5, 6, 7, 0, 0, time.UTC)

var tree = []treeEntry{
	{name: "sub", dir: true},
	{name: "Dir Two", dir: true},
	{name: "ädir", dir: true},
	{name: "a b.txt", size: 0},
	{name: "x&y.html", size: 1023},
	{name: "<lt>.txt", size: 1024},
	{name: "ünïcode.txt", size: 1536},
	{name: "a:b.txt", size: 5},
	{name: "big.iso", size: 1536 * 1024},
	{name: "huge.bin", size: 2 << 30},
	{name: "file10.txt", size: 10},
	{name: "file9.txt", size: 9},
	{name: "file1.2.tar.gz", size: 973},
	{name: "File2.txt", size: 972},
	{name: "quote\"d.txt", size: 10239},
	{name: "pct%20 #x.txt", size: 10240},
	{name: "song.ogg", size: 99999},
	{name: "photo.JPG", size: 1000000},
	{name: "noext", size: 3},
	{name: "core", size: 4},
	{name: "notes.txt~", size: 1},
	{name: ".hidden", size: 1},
	{name: "secret.txt", size: 2},
	{name: "a-very-long-file-name-that-is-longer-than-the-column.pdf", size: 123456789},
	{name: "README.txt", body: "Read me: <b>not bold</b> & more\nsecond line\n"},
	{name: "HEADER.html", body: "<p>This is the <em>header</em>.</p>\n"},
	{name: "titled.html", body: "<html><head><TITLE>\nMy &amp; <Title\r\nline</title></head></html>\n"},
	{name: "sub/inner.txt", size: 7},
	{name: "ädir/ö.txt", size: 8},
}

// treeVariants are the directories capture.sh's httpd.conf configures.
var treeVariants = []string{"deb", "fancy", "ff", "nopre", "ign", "plain", "readme", "misc", "narrow", "denied", "more1", "more2", "more3", "more4", "incr"}

// writeTree creates the test tree in dir.
func writeTree(tb testing.TB, dir string) {
	tb.Helper()
	for _, e := range tree {
		p := filepath.Join(dir, filepath.FromSlash(e.name))
		if e.dir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(e.body), 0o644); err != nil {
			tb.Fatal(err)
		}
		if e.body == "" && e.size > 0 {
			if err := os.Truncate(p, e.size); err != nil {
				tb.Fatal(err)
			}
		}
	}
	// mtimes last: creating entries changes their directories' mtimes.
	for i, e := range tree {
		mt := treeBase.Add(time.Duration(i) * 97 * time.Minute)
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(e.name)), mt, mt); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestWriteTree writes the tree's variants for capture.sh; it does nothing
// without -tree.
func TestWriteTree(t *testing.T) {
	if *treeFlag == "" {
		t.Skip("no -tree")
	}
	for _, v := range treeVariants {
		writeTree(t, filepath.Join(*treeFlag, v))
	}
}
