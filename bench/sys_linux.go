package bench

import "golang.org/x/sys/unix"

// raiseNoFile raises the RLIMIT_NOFILE soft limit to the hard limit, so the
// bench (and the servers it starts, which inherit it) can hold many
// connections.
func raiseNoFile() {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &r); err == nil && r.Cur < r.Max {
		r.Cur = r.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &r)
	}
}
