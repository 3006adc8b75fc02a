package status

import (
	"errors"
	"fmt"
	"os"
	"strconv"
)

// loadAverage reads the 1, 5 and 15 minute load averages from
// /proc/loadavg (what getloadavg(3), and so Apache's ap_get_loadavg,
// return).
func loadAverage() ([3]float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return [3]float64{}, fmt.Errorf("status: %w", err)
	}
	return parseLoadavg(b)
}

// processCPUTimes sums the CPU times of the processes pids from
// /proc/PID/stat. A process that has gone away is skipped; the error
// reports the first other failure, after summing what could be read.
func processCPUTimes(pids []int) (cpuTimes, error) {
	var (
		sum      cpuTimes
		firstErr error
	)
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) && firstErr == nil {
				firstErr = fmt.Errorf("status: %w", err)
			}
			continue
		}
		t, err := parseProcStat(b)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("status: /proc/%d/stat: %w", pid, err)
			}
			continue
		}
		sum.add(t)
	}
	return sum, firstErr
}
