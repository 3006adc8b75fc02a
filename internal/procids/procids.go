// Package procids reads the user and group ids of a process's threads
// from /proc, for tests that check what a process runs as. It is its own
// package so that mpm's tests and mpmtest (which imports mpm) can share it.
package procids

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// IDs are one thread's Uid, Gid and Groups lines of its /proc status,
// fields joined by one blank: Uid and Gid list the real, effective, saved
// and file-system ids ("65534 65534 65534 65534").
type IDs struct {
	Uid, Gid, Groups string
}

// ThreadIDs returns the IDs of every thread of pid, by thread id; nil
// when pid is gone.
func ThreadIDs(pid int) map[string]IDs {
	dirs, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	out := make(map[string]IDs)
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "status"))
		if err != nil {
			continue // the thread went away
		}
		var ids IDs
		for _, line := range strings.Split(string(b), "\n") {
			k, v, _ := strings.Cut(line, ":")
			v = strings.Join(strings.Fields(v), " ")
			switch k {
			case "Uid":
				ids.Uid = v
			case "Gid":
				ids.Gid = v
			case "Groups":
				ids.Groups = v
			}
		}
		out[filepath.Base(d)] = ids
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
