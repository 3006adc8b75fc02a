//go:build !linux

package rewrite

import "os"

func osStat(name string, follow bool) FileInfo {
	if follow {
		return info(os.Stat(name))
	}
	return info(os.Lstat(name))
}
