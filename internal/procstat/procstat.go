// Package procstat reads a process's CPU times from /proc/PID/stat: the
// one parser of that file, for the status page (site/status) and the
// bench's samplers (bench/sample).
package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// ClockTicks is USER_HZ, the unit of the times in /proc/PID/stat: 100 on
// every Linux architecture (sysconf(_SC_CLK_TCK)).
const ClockTicks = 100

// CPU are a process's CPU times in seconds: its own (utime, stime) and
// those of the children it reaped (cutime, cstime).
type CPU struct {
	User, System, ChildrenUser, ChildrenSystem float64
}

// Parse parses the contents of /proc/PID/stat for utime, stime, cutime
// and cstime (fields 14 to 17, in clock ticks). The command name, field 2,
// is in parentheses and may hold spaces and parentheses itself, so the
// fields are counted from the last ')'.
func Parse(b []byte) (CPU, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return CPU{}, errors.New("no command name")
	}
	// Fields after the name start at field 3 (state): utime is field 14.
	f := bytes.Fields(b[i+1:])
	const first = 14 - 3
	if len(f) < first+4 {
		return CPU{}, fmt.Errorf("%d fields after the command name, want at least %d", len(f), first+4)
	}
	var v [4]float64
	for k := range v {
		n, err := strconv.ParseInt(string(f[first+k]), 10, 64)
		if err != nil {
			return CPU{}, fmt.Errorf("field %d: %w", first+3+k, err)
		}
		v[k] = float64(n) / ClockTicks
	}
	return CPU{User: v[0], System: v[1], ChildrenUser: v[2], ChildrenSystem: v[3]}, nil
}

// Read reads and parses /proc/PID/stat. A process that has gone away
// gives an error satisfying errors.Is(err, os.ErrNotExist).
func Read(pid int) (CPU, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return CPU{}, err
	}
	c, err := Parse(b)
	if err != nil {
		return CPU{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return c, nil
}
