//go:build linux

package mpm

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// memfdName is the memfd's name, shown as /memfd:gohttpd-scoreboard in
// /proc/PID/fd and /proc/PID/maps.
const memfdName = "gohttpd-scoreboard"

// requiredSeals are the seals Attach insists on: with them no process can
// shrink the file under another's mapping (SIGBUS) or grow it.
const requiredSeals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW

// createMemory creates a sealed memfd of size bytes and maps it shared.
func createMemory(size int) (mem []byte, f *os.File, err error) {
	fd, err := unix.MemfdCreate(memfdName, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, nil, fmt.Errorf("mpm: create scoreboard: %w", os.NewSyscallError("memfd_create", err))
	}
	f = os.NewFile(uintptr(fd), "memfd:"+memfdName)
	if err = unix.Ftruncate(fd, int64(size)); err != nil {
		err = fmt.Errorf("mpm: create scoreboard of %d bytes: %w", size, os.NewSyscallError("ftruncate", err))
	} else if _, err = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, requiredSeals|unix.F_SEAL_SEAL); err != nil {
		err = fmt.Errorf("mpm: create scoreboard: %w", os.NewSyscallError("fcntl F_ADD_SEALS", err))
	} else if mem, err = unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		err = fmt.Errorf("mpm: create scoreboard of %d bytes: %w", size, os.NewSyscallError("mmap", err))
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return mem, f, nil
}

// attachMemory checks that f is a sealed file of a plausible size and maps
// all of it shared.
func attachMemory(f *os.File) ([]byte, error) {
	name := f.Name()
	fd := int(f.Fd())
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("mpm: attach scoreboard %s: %w", name, os.NewSyscallError("fstat", err))
	}
	if st.Size < headerSize || st.Size > maxBoardSize {
		return nil, fmt.Errorf("mpm: attach scoreboard %s: size %d out of range %d..%d: %w",
			name, st.Size, headerSize, maxBoardSize, ErrInvalidScoreboard)
	}
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil {
		// EINVAL: not a memfd (or tmpfs) file, so it cannot be sealed.
		return nil, fmt.Errorf("mpm: attach scoreboard %s: %w: %w",
			name, os.NewSyscallError("fcntl F_GET_SEALS", err), ErrInvalidScoreboard)
	}
	if seals&requiredSeals != requiredSeals {
		return nil, fmt.Errorf("mpm: attach scoreboard %s: file is not sealed against shrinking and growing (seals %#x): %w",
			name, seals, ErrInvalidScoreboard)
	}
	mem, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mpm: attach scoreboard %s: %w", name, os.NewSyscallError("mmap", err))
	}
	return mem, nil
}

// releaseMemory unmaps a board.
func releaseMemory(mem []byte) error {
	if err := unix.Munmap(mem); err != nil {
		return fmt.Errorf("mpm: close scoreboard: %w", os.NewSyscallError("munmap", err))
	}
	return nil
}
