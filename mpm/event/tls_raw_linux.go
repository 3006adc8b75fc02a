package event

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Raw socket reads and writes for TLS connections.
//
// The ciphertext of a TLS connection is read and written with read(2)
// and write(2) on its non-blocking socket, which never block. Through
// unix.Read and unix.Write (syscall.Syscall) the runtime marks the P as
// in a system call, and sysmon, finding it there for a tick (20 µs: a
// loopback write(2) on a busy core takes that long) with goroutines
// waiting, hands the P to another thread (handoffp, a futex wake-up and
// a thread switch) and keeps polling every 20 µs. With the child on one
// core that is the per-request cost that showed in profiles of
// keep-alive TLS load (runtime.sysmon, runtime.usleep, futex). A raw
// system call keeps the P: right for a call that cannot block.

// rawRead is read(2) on the non-blocking socket fd, without the
// runtime's system-call bookkeeping.
func rawRead(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// rawWrite is write(2) on the non-blocking socket fd, without the
// runtime's system-call bookkeeping.
func rawWrite(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
