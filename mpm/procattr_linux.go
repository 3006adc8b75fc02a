package mpm

import "syscall"

// childProcAttr makes a child die with its master: Pdeathsig follows the
// spawner's locked thread, which lives as long as the master runs.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
