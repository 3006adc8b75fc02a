package site

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"syscall"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/errorlog"
)

// stamp identifies a version of a file: missing, or its size,
// modification time and inode.
type stamp struct {
	exists  bool
	regular bool
	size    int64
	mtime   int64 // ns since the epoch
	ino     uint64
}

func stampOf(fi fs.FileInfo) stamp {
	s := stamp{exists: true, regular: fi.Mode().IsRegular(), size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino = st.Ino
	}
	return s
}

// statStamp stats name; a missing file (or a missing directory on the
// way) is the zero stamp, other errors are returned.
func statStamp(name string) (stamp, error) {
	fi, err := os.Stat(name)
	switch {
	case err == nil:
		return stampOf(fi), nil
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return stamp{}, nil
	}
	return stamp{}, err
}

// errNotRegular is APR_EBADF, what Apache's ap_pcfg_openfile returns for
// an access file that is not a regular file.
var errNotRegular error = syscall.EBADF

// htDep is an .htaccess file a resolution depends on, as it was seen.
type htDep struct {
	file  string
	pathz []byte // file with a NUL, for statz
	stamp stamp
}

func newHTDep(file string, st stamp) htDep {
	return htDep{file: file, pathz: append([]byte(file), 0), stamp: st}
}

// valid reports whether the file is still as it was seen (one stat,
// without allocating where statz can).
func (d *htDep) valid() bool {
	s, err := statz(d.pathz, d.file)
	return err == nil && s == d.stamp
}

// htEntry is one parsed .htaccess file.
type htEntry struct {
	stamp    stamp
	override conf.Override
	cfg      *conf.DirConfig
	err      error // syntax: 500
}

// htaccessCache holds parsed .htaccess files by path; an entry is used
// while the file's stamp and the overrides it was parsed with are
// unchanged.
type htaccessCache struct {
	mu      sync.Mutex
	entries map[string]*htEntry
	// warn logs the warnings of a file when it is read.
	warn func(string)
}

func newHTAccessCache() *htaccessCache {
	return &htaccessCache{entries: make(map[string]*htEntry)}
}

func sameOverride(a, b conf.Override) bool {
	return a.Mask == b.Mask && a.Opts == b.Opts && a.OptsSet == b.OptsSet &&
		a.ListSet == b.ListSet && slices.Equal(a.List, b.List)
}

// get returns the parsed file (nil when it does not exist), or the error
// opening or reading it (403).
func (c *htaccessCache) get(file string, o conf.Override, serverRoot string) (*htEntry, stamp, error) {
	st, err := statStamp(file)
	if err != nil {
		return nil, st, err
	}
	if !st.exists {
		return nil, st, nil
	}
	if !st.regular {
		// ap_pcfg_openfile refuses anything but a regular file (AH00554)
		// with EBADF, which ap_parse_htaccess reports as AH00529.
		return nil, st, errNotRegular
	}
	c.mu.Lock()
	e := c.entries[file]
	c.mu.Unlock()
	if e != nil && e.stamp == st && sameOverride(e.override, o) {
		return e, st, nil
	}
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, stamp{}, nil
		}
		return nil, st, err
	}
	fi, err := f.Stat()
	var data []byte
	if err == nil {
		st = stampOf(fi)
		data = make([]byte, 0, fi.Size())
		buf := make([]byte, 32<<10)
		for {
			n, rerr := f.Read(buf)
			data = append(data, buf[:n]...)
			if rerr != nil {
				if !errors.Is(rerr, io.EOF) {
					err = rerr
				}
				break
			}
		}
	}
	f.Close()
	if err != nil {
		return nil, st, err
	}
	e = &htEntry{stamp: st, override: o}
	e.cfg, e.err = conf.ParseHTAccess(file, data, o, serverRoot)
	if e.cfg != nil && c.warn != nil {
		for _, w := range e.cfg.Warnings {
			c.warn(w)
		}
	}
	c.mu.Lock()
	if len(c.entries) >= maxResolved {
		clear(c.entries)
	}
	c.entries[file] = e
	c.mu.Unlock()
	return e, st, nil
}

// htaccess reads the access files of directory dir (ending in "/") with
// the overrides of cfg, as ap_parse_htaccess: the first of AccessFileName
// that exists is merged onto cfg. failed is set with r.status when the
// file cannot be read (403, AH00529) or has an error (500).
func (v *vserver) htaccess(r *resolved, dir string, cfg *conf.DirConfig) (out *conf.DirConfig, failed bool) {
	for _, name := range v.accessNames {
		file := dir + name
		e, st, err := v.ht.get(file, cfg.Override, v.serverRoot)
		r.deps = append(r.deps, newHTDep(file, st))
		switch {
		case err != nil:
			if err == errNotRegular {
				r.preLog = "AH00554: Access to file " + file + " denied by server: not a regular file"
			}
			r.status = fasthttp.StatusForbidden
			r.logLevel = errorlog.LevelCrit
			r.logErr = err
			r.logMsg = "AH00529: " + file + " pcfg_openfile: unable to check htaccess file, " +
				"ensure it is readable and that '" + dir + "' is executable"
			return cfg, true
		case e == nil:
			continue
		case e.err != nil:
			r.status = fasthttp.StatusInternalServerError
			r.logLevel = errorlog.LevelAlert
			r.logMsg = file + ": " + e.err.Error()
			return cfg, true
		}
		return v.merge(cfg, e.cfg), false
	}
	return cfg, false
}
