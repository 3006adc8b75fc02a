package rewrite

import (
	"io/fs"

	"golang.org/x/sys/unix"
)

func osStat(name string, follow bool) FileInfo {
	var st unix.Stat_t
	var err error
	if follow {
		err = unix.Stat(name, &st)
	} else {
		err = unix.Lstat(name, &st)
	}
	if err != nil {
		return FileInfo{}
	}
	mode := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFREG:
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	return FileInfo{Exists: true, Mode: mode, Size: st.Size}
}
