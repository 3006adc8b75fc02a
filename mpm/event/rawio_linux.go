package event

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// System calls on non-blocking descriptors that the hot path makes without
// telling the scheduler (syscall.RawSyscall rather than Syscall).
//
// A goroutine in Syscall leaves its P in _Psyscall; sysmon takes such a P
// back after one of its ticks (20 µs) when no other P is idle, which with
// GOMAXPROCS 1 (a child pinned to one CPU) is always. A write(2) of a
// response on loopback runs the receiver's TCP input in the same call and
// often passes 20 µs on a busy CPU: the P is handed to another thread that
// has nothing better to do, and sysmon, having found something to take,
// keeps waking every 20 µs. Measured on a pinned child serving 1 KB
// keep-alive requests: sysmon took 8-13% of the child's CPU time (perf),
// plus the thread switches it caused. Reads and writes on a non-blocking
// socket and epoll_wait with a zero timeout never block: they only take
// CPU time, which is what the P is for. poll(2), which waits, keeps
// Syscall.
//
// sendfile(2) is raw as well, in chunks of sendfileChunk: a 64 KB response
// took 30-50 µs in one call, so sysmon took the P at every response and
// the runtime's hand-offs (sysmon, futex, schedule) cost a pinned child
// about a fifth of its CPU time (perf). A chunk bounds how long the P
// is held unknown to the scheduler (a stop-the-world waits for it). A file
// not in the page cache makes sendfile wait for the disk while holding the
// P, as it blocks an nginx worker process (without aio threads); other Ps
// run on.

// rawRead is read(2) on a non-blocking descriptor.
func rawRead(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, errno := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}

// rawWrite is write(2) on a non-blocking descriptor, or send(2) with
// MSG_MORE when more is set.
func rawWrite(fd int, p []byte, more bool) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	var n uintptr
	var errno syscall.Errno
	if more {
		n, _, errno = syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(ptr), uintptr(len(p)), unix.MSG_MORE, 0, 0)
	} else {
		n, _, errno = syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	}
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// rawEpollPoll is epoll_wait(2) with a zero timeout.
func rawEpollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n, _, errno := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// sendfileChunk bounds the bytes of one sendfile(2) call.
const sendfileChunk = 256 << 10

// rawSendfile is sendfile(2) of at most count bytes (the caller bounds it by
// sendfileChunk) to a non-blocking socket.
func rawSendfile(out, in int, off *int64, count int) (int, error) {
	n, _, errno := syscall.RawSyscall6(unix.SYS_SENDFILE, uintptr(out), uintptr(in), uintptr(unsafe.Pointer(off)), uintptr(count), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
