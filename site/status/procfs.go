package status

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/gohttpd/gohttpd/internal/procstat"
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

// parseProcStat parses the contents of /proc/PID/stat (procstat.Parse).
func parseProcStat(b []byte) (cpuTimes, error) {
	c, err := procstat.Parse(b)
	if err != nil {
		return cpuTimes{}, err
	}
	return cpuTimes{user: c.User, system: c.System, childrenUser: c.ChildrenUser, childrenSystem: c.ChildrenSystem}, nil
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	const n = 64
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
