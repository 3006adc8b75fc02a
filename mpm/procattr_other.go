//go:build !linux

package mpm

import "syscall"

// childProcAttr: without Pdeathsig, children rely on their parent-pid
// check alone.
func childProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
