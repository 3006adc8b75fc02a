package target

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	"github.com/gohttpd/gohttpd/bench/sample"
	"golang.org/x/sys/unix"
)

// groupAttr puts a server in its own process group and kills it if the
// bench dies.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func signalTerm(p *os.Process) { p.Signal(unix.SIGTERM) }

// killGroup kills the process group led by pid.
func killGroup(pid int) { unix.Kill(-pid, unix.SIGKILL) }

func cpuSet(cpus []int) (*unix.CPUSet, error) {
	var set unix.CPUSet
	set.Zero()
	for _, c := range cpus {
		if c < 0 || c >= runtime.NumCPU()*64 {
			return nil, fmt.Errorf("target: CPU %d out of range", c)
		}
		set.Set(c)
	}
	return &set, nil
}

// startPinned starts cmd from an OS thread pinned to cpus, so the process
// and everything it forks inherit the pinning from birth; the thread's own
// affinity is restored afterwards.
func startPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	set, err := cpuSet(cpus)
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return os.NewSyscallError("sched_getaffinity", err)
	}
	if err := unix.SchedSetaffinity(0, set); err != nil {
		return os.NewSyscallError("sched_setaffinity", err)
	}
	err = cmd.Start()
	if rerr := unix.SchedSetaffinity(0, &old); rerr != nil && err == nil {
		err = os.NewSyscallError("sched_setaffinity", rerr)
	}
	return err
}

// PinTree pins every thread of pid and of its descendants to cpus.
func PinTree(pid int, cpus []int) error {
	set, err := cpuSet(cpus)
	if err != nil {
		return err
	}
	for _, p := range sample.Tree(pid) {
		if err := pinTasks(p, set); err != nil {
			return err
		}
	}
	return nil
}

// PinSelf pins every thread of this process to cpus and sets GOMAXPROCS to
// their number.
func PinSelf(cpus []int) error {
	set, err := cpuSet(cpus)
	if err != nil {
		return err
	}
	if err := pinTasks(os.Getpid(), set); err != nil {
		return err
	}
	runtime.GOMAXPROCS(len(cpus))
	return nil
}

// pinTasks sets the affinity of each thread of pid (threads that exit
// meanwhile are skipped).
func pinTasks(pid int, set *unix.CPUSet) error {
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*")
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(filepath.Base(t))
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("target: pin thread %d of pid %d: %w", tid, pid, os.NewSyscallError("sched_setaffinity", err))
		}
	}
	return nil
}

// OnlineCPUs returns the CPUs this process may run on.
func OnlineCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil
	}
	var out []int
	for c := 0; c < len(set)*64 && len(out) < set.Count(); c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}
