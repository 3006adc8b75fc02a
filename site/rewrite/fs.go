package rewrite

import "os"

// OSFS answers file tests from the operating system. On Linux it calls
// stat(2) and lstat(2) directly (one allocation for the path instead of
// os.Stat's three).
type OSFS struct{}

// Stat follows symbolic links.
func (OSFS) Stat(name string) FileInfo { return osStat(name, true) }

// Lstat does not follow symbolic links.
func (OSFS) Lstat(name string) FileInfo { return osStat(name, false) }

func info(fi os.FileInfo, err error) FileInfo {
	if err != nil {
		return FileInfo{}
	}
	return FileInfo{Exists: true, Mode: fi.Mode(), Size: fi.Size()}
}
