// Package rawio reads and writes non-blocking sockets with raw system
// calls (syscall.RawSyscall), for the hot paths of the engines and the
// reverse proxy.
//
// Why: Go's own socket I/O enters every read(2) and write(2) through
// entersyscall. When such a call lasts a sysmon tick (20 µs: a loopback
// write that runs the receiver's TCP stack can), sysmon hands the P to
// another thread (a futex wake-up and a thread switch) and keeps polling
// every 20 µs; and entersyscall wakes a sleeping sysmon. On a child pinned
// to one CPU, or a prefork child with one P, that was a fifth of the CPU
// per request in round 2's profiles. read(2) and write(2) on a
// non-blocking socket never block, so they need no entersyscall: a raw
// system call keeps the P and leaves sysmon asleep.
//
// Read and Write are the bare calls on a descriptor (the caller waits for
// readiness itself, as the event engine's loop does). Conn waits in Go's
// netpoller, with the connection's deadlines, when the socket is not
// ready; its callbacks are made once, so a call allocates nothing.
package rawio
