package sample

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/gohttpd/gohttpd/internal/procstat"
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

// parseStatCPU returns utime+stime and cutime+cstime, in seconds, from the
// contents of /proc/PID/stat (procstat.Parse).
func parseStatCPU(b []byte) (self, children float64, err error) {
	c, err := procstat.Parse(b)
	if err != nil {
		return 0, 0, fmt.Errorf("sample: /proc stat: %w", err)
	}
	return c.User + c.System, c.ChildrenUser + c.ChildrenSystem, nil
}
