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
// CPU time, which is what the P is for. Anything that may block (poll(2),
// sendfile(2) of a large file from a cold page cache) keeps Syscall; a raw
// sendfile was also measured slower (pinned, 10 clients of a 1 MB file:
// 243 µs of CPU per response against 179 µs; 64 KB: equal).

// rawSend is write(2) on a non-blocking socket, or send(2) with MSG_MORE
// when more is set. (Plain reads and writes of any non-blocking
// descriptor are internal/rawio's Read and Write.)
func rawSend(fd int, p []byte, more bool) (int, error) {
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
