package sample

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxTree bounds the processes Tree returns.
const maxTree = 10000

// Tree returns pid and all its descendants (from /proc/PID/task/*/children),
// pid first; an exited pid gives an empty list.
func Tree(pid int) []int {
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
		return nil
	}
	out := []int{pid}
	for i := 0; i < len(out) && len(out) < maxTree; i++ {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(out[i]) + "/task/*/children")
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for p := range strings.FieldsSeq(string(b)) {
				if n, err := strconv.Atoi(p); err == nil {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// Memory sums RSS and PSS over pids from /proc/PID/smaps_rollup; pids that
// exited meanwhile are skipped.
func Memory(pids []int) (Mem, error) {
	var total Mem
	var firstErr error
	read := 0
	for _, p := range pids {
		f, err := os.Open("/proc/" + strconv.Itoa(p) + "/smaps_rollup")
		if err != nil {
			if firstErr == nil && !os.IsNotExist(err) {
				firstErr = err
			}
			continue
		}
		m, err := parseRollup(f)
		f.Close()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		total.RSS += m.RSS
		total.PSS += m.PSS
		read++
	}
	if read == 0 && firstErr != nil {
		return Mem{}, firstErr
	}
	return total, nil
}

// ProcCPU returns a process's CPU seconds (user and system), 0 if gone.
func ProcCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	self, _, err := parseStatCPU(b)
	if err != nil {
		return 0
	}
	return self
}

// TreeCPU returns the CPU seconds of pid's live tree plus those of the
// children it already reaped.
func TreeCPU(pid int) float64 {
	var t float64
	for i, p := range Tree(pid) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if err != nil {
			continue
		}
		self, children, err := parseStatCPU(b)
		if err != nil {
			continue
		}
		t += self
		if i == 0 {
			t += children
		}
	}
	return t
}

// SelfCPU returns this process's CPU seconds.
func SelfCPU() float64 { return ProcCPU(os.Getpid()) }
