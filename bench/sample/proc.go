package sample

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// Mem is a process tree's memory in bytes.
type Mem struct {
	RSS int64 `json:"rss"`
	PSS int64 `json:"pss"`
}

// parseRollup reads the Rss and Pss lines (in kB) of a smaps_rollup file.
func parseRollup(r io.Reader) (Mem, error) {
	var m Mem
	var haveRSS, havePSS bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		var dst *int64
		switch {
		case bytes.HasPrefix(line, []byte("Rss:")):
			dst, haveRSS = &m.RSS, true
		case bytes.HasPrefix(line, []byte("Pss:")):
			dst, havePSS = &m.PSS, true
		default:
			continue
		}
		f := bytes.Fields(line)
		if len(f) != 3 || string(f[2]) != "kB" {
			return Mem{}, fmt.Errorf("sample: smaps_rollup line %q", line)
		}
		kb, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil || kb < 0 {
			return Mem{}, fmt.Errorf("sample: smaps_rollup line %q", line)
		}
		*dst = kb << 10
	}
	if err := sc.Err(); err != nil {
		return Mem{}, fmt.Errorf("sample: smaps_rollup: %w", err)
	}
	if !haveRSS || !havePSS {
		return Mem{}, fmt.Errorf("sample: smaps_rollup without Rss and Pss")
	}
	return m, nil
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// parseStatCPU returns utime+stime and cutime+cstime, in seconds, from the
// contents of /proc/PID/stat. The command name (field 2) may hold spaces
// and parentheses, so fields are counted after its last ')'.
func parseStatCPU(b []byte) (self, children float64, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("sample: /proc stat without a command name")
	}
	f := bytes.Fields(b[i+1:])
	// After ')': state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
	if len(f) < 15 {
		return 0, 0, fmt.Errorf("sample: /proc stat has %d fields after the name", len(f))
	}
	var v [4]int64
	for k := range v {
		n, err := strconv.ParseInt(string(f[11+k]), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("sample: /proc stat field %d: %w", 14+k, err)
		}
		v[k] = n
	}
	return float64(v[0]+v[1]) / clockTicks, float64(v[2]+v[3]) / clockTicks, nil
}
