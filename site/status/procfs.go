package status

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// cpuTimes are a process's CPU times in seconds, as times(2) reports them.
type cpuTimes struct {
	user, system, childrenUser, childrenSystem float64
}

func (c *cpuTimes) add(o cpuTimes) {
	c.user += o.user
	c.system += o.system
	c.childrenUser += o.childrenUser
	c.childrenSystem += o.childrenSystem
}

// parseLoadavg parses the contents of /proc/loadavg
// ("0.52 0.58 0.59 1/312 12345"): its first three fields.
func parseLoadavg(b []byte) ([3]float64, error) {
	var load [3]float64
	f := bytes.Fields(b)
	if len(f) < 3 {
		return load, fmt.Errorf("status: malformed /proc/loadavg %q", truncate(b))
	}
	for i := range load {
		v, err := strconv.ParseFloat(string(f[i]), 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return load, fmt.Errorf("status: malformed /proc/loadavg %q", truncate(b))
		}
		load[i] = v
	}
	return load, nil
}

// clockTicks is USER_HZ, the unit of the times in /proc/PID/stat: 100 on
// every Linux architecture (sysconf(_SC_CLK_TCK)).
const clockTicks = 100

// parseProcStat parses the contents of /proc/PID/stat for utime, stime,
// cutime and cstime (fields 14 to 17, in clock ticks). The command name,
// field 2, is in parentheses and may hold spaces and parentheses itself,
// so the fields are counted from the last ')'.
func parseProcStat(b []byte) (cpuTimes, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return cpuTimes{}, errors.New("no command name")
	}
	// Fields after the name start at field 3 (state): utime is field 14.
	f := bytes.Fields(b[i+1:])
	const first = 14 - 3
	if len(f) < first+4 {
		return cpuTimes{}, fmt.Errorf("%d fields after the command name, want at least %d", len(f), first+4)
	}
	var v [4]float64
	for k := range v {
		n, err := strconv.ParseInt(string(f[first+k]), 10, 64)
		if err != nil {
			return cpuTimes{}, fmt.Errorf("field %d: %w", first+3+k, err)
		}
		v[k] = float64(n) / clockTicks
	}
	return cpuTimes{user: v[0], system: v[1], childrenUser: v[2], childrenSystem: v[3]}, nil
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	const n = 64
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
