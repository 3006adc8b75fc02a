//go:build linux && (amd64 || arm64)

package site

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// statz is statStamp for a NUL-terminated path, with a raw fstatat(2)
// so that checking an .htaccess file on every request allocates nothing.
func statz(pathz []byte, name string) (stamp, error) {
	var st unix.Stat_t
	atFDCWD := unix.AT_FDCWD
	_, _, e := unix.Syscall6(unix.SYS_NEWFSTATAT, uintptr(atFDCWD),
		uintptr(unsafe.Pointer(unsafe.SliceData(pathz))), uintptr(unsafe.Pointer(&st)), 0, 0, 0)
	switch e {
	case 0:
		return stamp{
			exists:  true,
			regular: st.Mode&unix.S_IFMT == unix.S_IFREG,
			size:    st.Size,
			mtime:   st.Mtim.Sec*1e9 + st.Mtim.Nsec,
			ino:     st.Ino,
		}, nil
	case unix.ENOENT, unix.ENOTDIR:
		return stamp{}, nil
	}
	return stamp{}, syscall.Errno(e)
}
