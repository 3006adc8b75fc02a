//go:build !linux

package target

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func signalTerm(p *os.Process) { p.Signal(syscall.SIGTERM) }

func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }

// startPinned starts cmd; pinning is Linux-only.
func startPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) > 0 {
		return errors.ErrUnsupported
	}
	return cmd.Start()
}

// PinTree is Linux-only.
func PinTree(pid int, cpus []int) error { return errors.ErrUnsupported }

// PinSelf is Linux-only.
func PinSelf(cpus []int) error { return errors.ErrUnsupported }

// OnlineCPUs is Linux-only: it returns nil here.
func OnlineCPUs() []int { return nil }
