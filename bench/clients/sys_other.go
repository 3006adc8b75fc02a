//go:build !linux

package clients

import (
	"errors"
	"syscall"
)

// socketControl runs extra; source-port deferral is Linux-only.
func socketControl(bound bool, extra func(fd uintptr) error) func(string, string, syscall.RawConn) error {
	if extra == nil {
		return nil
	}
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) { serr = extra(fd) }); err != nil {
			return err
		}
		return serr
	}
}

// setRcvBuf is not supported here.
func setRcvBuf(n int) func(fd uintptr) error {
	return func(uintptr) error { return errors.ErrUnsupported }
}

// helperAttr is nil: helper processes are a Linux feature of the bench.
func helperAttr() *syscall.SysProcAttr { return nil }

// killGroup is not supported here.
func killGroup(pid int) {}

// noFileLimit is the traditional default.
func noFileLimit() int { return 1024 }
