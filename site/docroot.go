package site

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
)

// docRoot is the document root as an fs.FS: an os.Root (symbolic links
// may not leave it, as in fasthttp.FS) or the embedded default site. The
// static handler uses it for what fasthttp.FS does not expose: directory
// index resolution and multi-range reads.
type docRoot struct {
	fsys fs.FS
	root *os.Root // nil for the embedded site
}

// rel turns a normalised request path ("/a/b/", "/") into an fs.FS name
// ("a/b", ".").
func rel(p []byte) string {
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		return "."
	}
	return string(p)
}

func (d docRoot) stat(p []byte) (fs.FileInfo, error) {
	return fs.Stat(d.fsys, rel(p))
}

func (d docRoot) open(p []byte) (fs.File, error) {
	return d.fsys.Open(rel(p))
}

// contentETags computes a strong ETag for every file of fsys from a
// SHA-256 of its contents. Embedded files have no modification time, so a
// content hash is the only honest validator; it never changes for the life
// of the binary.
func contentETags(fsys fs.FS) (map[string]string, error) {
	etags := make(map[string]string)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		etags[name] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	return etags, err
}
