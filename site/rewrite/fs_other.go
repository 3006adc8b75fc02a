//go:build !linux

package rewrite

import "os"

func osStat(name string, follow bool) FileInfo {
	if follow {
		return info(os.Stat(name))
	}
	return info(os.Lstat(name))
}

func info(fi os.FileInfo, err error) FileInfo {
	if err != nil {
		return FileInfo{}
	}
	return FileInfo{Exists: true, Mode: fi.Mode(), Size: fi.Size()}
}
