package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/gohttpd/gohttpd/mpm"
)

// serverState is the status file a master keeps next to its PidFile
// (PidFile + ".status"), so that the -k commands learn what a signal did:
// -k start waits until a child serves or children crash, -k graceful and
// -k restart wait until the master handled the reload and print why it
// rejected the new configuration. The master rewrites it (write, then
// rename) whenever its state changes and removes it when it exits.
type serverState struct {
	PID        int    `json:"pid"`
	Generation uint64 `json:"generation"`
	// Reloads counts the restart signals the master handled;
	// ReloadError says why the last one was rejected.
	Reloads     uint64 `json:"reloads"`
	ReloadError string `json:"reload_error,omitempty"`
	// Ready: a child has served since the master started.
	Ready bool `json:"ready"`
	// Failing: children are crashing and respawns are throttled.
	Failing string `json:"failing,omitempty"`
}

// statePath is the status file that goes with pidFile.
func statePath(pidFile string) string { return pidFile + ".status" }

// writeState records st for pid in path, atomically.
func writeState(path string, pid int, st mpm.MasterState) error {
	b, err := json.Marshal(serverState{
		PID: pid, Generation: st.Generation, Reloads: st.Reloads, ReloadError: st.ReloadError,
		Ready: st.Ready, Failing: st.Failing,
	})
	if err != nil {
		return fmt.Errorf("status file: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("status file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("status file: %w", err)
	}
	return nil
}

// readState reads the status file at path; it must belong to pid.
func readState(path string, pid int) (serverState, error) {
	var st serverState
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("status file %s: %w", path, err)
	}
	if st.PID != pid {
		return st, fmt.Errorf("status file %s: written by pid %d, not %d: %w", path, st.PID, pid, os.ErrNotExist)
	}
	return st, nil
}

// removeState removes path if it belongs to this process.
func removeState(path string) {
	if _, err := readState(path, os.Getpid()); err == nil {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "gohttpd: %v\n", err)
		}
	}
}
