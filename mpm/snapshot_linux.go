package mpm

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// snapshotFile puts b in a sealed, read-only memfd positioned at offset 0,
// for a child to read as its configuration snapshot.
func snapshotFile(b []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate("gohttpd-config", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("mpm: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "gohttpd-config")
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("mpm: write configuration snapshot: %w", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS,
		unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, fmt.Errorf("mpm: fcntl F_ADD_SEALS: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("mpm: lseek: %w", err)
	}
	return f, nil
}
