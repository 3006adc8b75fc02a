package mpm

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestIsTemporary checks the one accept-error list against Apache's
// ap_unixd_accept: the errors it skips are retried, the ones it gives up
// on (ENETDOWN, AH02177) or reports as a shortage (AH02179) are not.
func TestIsTemporary(t *testing.T) {
	opErr := func(e error) error {
		return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", e)}
	}
	tests := []struct {
		err  error
		want bool
	}{
		{syscall.EINTR, true},
		{syscall.EPROTO, true},
		{syscall.ECONNABORTED, true},
		{syscall.ECONNRESET, true},
		{syscall.ETIMEDOUT, true},
		{syscall.EHOSTUNREACH, true},
		{syscall.ENETUNREACH, true},
		{syscall.EAGAIN, true},
		{syscall.ENETDOWN, false},
		{syscall.EMFILE, false},
		{syscall.ENFILE, false},
		{syscall.ENOBUFS, false},
		{syscall.ENOMEM, false},
		{syscall.EPERM, false},
		{syscall.EBADF, false},
		{net.ErrClosed, false},
		{os.ErrDeadlineExceeded, false},
		{ErrAcceptorClosed, false},
	}
	for _, tt := range tests {
		for _, wrap := range []struct {
			name string
			err  error
		}{{"bare", tt.err}, {"op", opErr(tt.err)}, {"wrapped", fmt.Errorf("accept: %w", opErr(tt.err))}} {
			t.Run(fmt.Sprintf("%v/%s", tt.err, wrap.name), func(t *testing.T) {
				if got := IsTemporary(wrap.err); got != tt.want {
					t.Errorf("IsTemporary(%v) = %t, want %t", wrap.err, got, tt.want)
				}
			})
		}
	}
	if IsTemporary(errors.New("accept: something else")) {
		t.Error("IsTemporary(plain error) = true, want false")
	}
}
