package rewrite

import "os"

// OSFS answers file tests from the operating system (os.Stat, os.Lstat).
type OSFS struct{}

// Stat follows symbolic links.
func (OSFS) Stat(name string) FileInfo { return info(os.Stat(name)) }

// Lstat does not follow symbolic links.
func (OSFS) Lstat(name string) FileInfo { return info(os.Lstat(name)) }

func info(fi os.FileInfo, err error) FileInfo {
	if err != nil {
		return FileInfo{}
	}
	return FileInfo{Exists: true, Mode: fi.Mode(), Size: fi.Size()}
}
