// Package sdnotify tells systemd about the master's state (sd_notify(3)):
// READY=1 once the first generation serves, RELOADING=1 with
// MONOTONIC_USEC= at a restart (what Type=notify-reload needs from
// systemd 253 on), STOPPING=1 when a stop begins, and STATUS= lines like
// Apache's mod_systemd ("Total requests: N; Idle/Busy workers I/B;...").
//
// It is sd_notify's datagram protocol written out (about 40 lines) rather
// than github.com/coreos/go-systemd/v22/daemon: the protocol is one
// sendto(2) on a unix datagram socket, and MONOTONIC_USEC needs
// CLOCK_MONOTONIC, which go-systemd leaves to the caller anyway.
//
// Integration (cmd/gohttpd, master only — children must not notify; the
// master must unset NOTIFY_SOCKET before it starts children, or pass them
// an environment without it):
//
//	n := sdnotify.FromEnv(true) // nil when not run by systemd: every method is then a no-op
//	// after the first generation reports ready (mpm.MasterState.Ready):
//	n.Ready()
//	// on SIGUSR1/SIGHUP (and -k graceful/restart), before building the new generation:
//	n.Reloading(); ...; n.Ready() // once the new generation is ready
//	// on SIGTERM/SIGINT/SIGWINCH:
//	n.Stopping()
//	// every second or so (Apache's monitor hook), from the scoreboard:
//	n.Status(sdnotify.StatusLine(total, idle, busy, uptime, bytes))
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Notifier sends state lines to systemd's notification socket. A nil
// *Notifier is valid and sends nothing.
type Notifier struct {
	addr *net.UnixAddr
}

// FromEnv returns a Notifier for $NOTIFY_SOCKET, or nil when it is unset.
// With unset, the variable is removed from the environment so that
// re-executed children do not inherit it. An address starting with '@' is
// a Linux abstract socket.
func FromEnv(unset bool) *Notifier {
	name := os.Getenv("NOTIFY_SOCKET")
	if unset {
		os.Unsetenv("NOTIFY_SOCKET")
	}
	return New(name)
}

// New returns a Notifier for a socket path, or nil for "".
func New(socket string) *Notifier {
	if socket == "" {
		return nil
	}
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}
}

// Notify sends state, newline-separated assignments such as "READY=1", in
// one datagram.
func (n *Notifier) Notify(state string) error {
	if n == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Ready reports that the service is up (READY=1), with the master's pid as
// MAINPID, as mod_systemd does.
func (n *Notifier) Ready() error {
	return n.Notify(fmt.Sprintf("READY=1\nSTATUS=Processing requests...\nMAINPID=%d", os.Getpid()))
}

// Reloading reports that a restart began (RELOADING=1 and MONOTONIC_USEC,
// the CLOCK_MONOTONIC time systemd ≥ 253 requires with Type=notify-reload).
// Send Ready once the new generation serves.
func (n *Notifier) Reloading() error {
	usec, err := MonotonicUsec()
	if err != nil {
		return err
	}
	return n.Notify(fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", usec))
}

// Stopping reports that the service is stopping (STOPPING=1).
func (n *Notifier) Stopping() error { return n.Notify("STOPPING=1") }

// Status sends a free-form STATUS= line (newlines are replaced by spaces).
func (n *Notifier) Status(s string) error {
	return n.Notify("STATUS=" + strings.ReplaceAll(s, "\n", " "))
}

// MonotonicUsec returns CLOCK_MONOTONIC in microseconds.
func MonotonicUsec() (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, errors.Join(errors.New("sdnotify: clock_gettime"), err)
	}
	return ts.Nano() / 1e3, nil
}

// StatusLine formats mod_systemd's status: "Total requests: N; Idle/Busy
// workers I/B;Requests/sec: R; Bytes served/sec: SB/sec" (Apache's exact
// punctuation, apr_strfsize's sizes).
func StatusLine(total uint64, idle, busy int, uptime time.Duration, bytes uint64) string {
	secs := uptime.Seconds()
	if secs < 1 {
		secs = 1
	}
	return fmt.Sprintf("Total requests: %d; Idle/Busy workers %d/%d;Requests/sec: %.3g; Bytes served/sec: %sB/sec",
		total, idle, busy, float64(total)/secs, strfsize(float64(bytes)/secs))
}

// strfsize is apr_strfsize (apr_strings.c): at most 4 characters, "%3d "
// below 973 bytes, else "%d.%d" or "%3d" with a unit letter K, M, G, ...
func strfsize(fsize float64) string {
	const units = "KMGTPE"
	if fsize < 0 {
		return "  - "
	}
	size := uint64(fsize)
	if size < 973 {
		return fmt.Sprintf("%3d ", size)
	}
	for o := 0; ; o++ {
		remain := size & 1023
		size >>= 10
		if size >= 973 && o < len(units)-1 {
			continue
		}
		if size < 9 || (size == 9 && remain < 973) {
			if remain = ((remain * 5) + 256) / 512; remain >= 10 {
				size, remain = size+1, 0
			}
			return fmt.Sprintf("%d.%d%c", size, remain, units[o])
		}
		if remain >= 512 {
			size++
		}
		return fmt.Sprintf("%3d%c", size, units[o])
	}
}

// Tracker turns the master's state reports (mpm.MasterState's Ready,
// Reloads and ReloadError) into READY=1 notifications: when the first
// generation is ready, and after each restart signal handled, accepted or
// rejected (systemd waits for READY=1 after RELOADING=1 either way). Call
// Update from mpm.Master.OnState.
type Tracker struct {
	N       *Notifier
	sent    bool
	reloads uint64
}

// Update reports a state change.
func (t *Tracker) Update(ready bool, reloads uint64, reloadErr string) error {
	if !ready || (t.sent && reloads == t.reloads) {
		return nil
	}
	t.sent, t.reloads = true, reloads
	if reloadErr != "" {
		return t.N.Notify("READY=1\nSTATUS=Restart rejected, still serving: " + strings.ReplaceAll(reloadErr, "\n", " "))
	}
	return t.N.Ready()
}
