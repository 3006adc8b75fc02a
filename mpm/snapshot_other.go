//go:build !linux

package mpm

import (
	"fmt"
	"os"
)

// snapshotFile puts b in an unlinked temporary file positioned at offset 0.
func snapshotFile(b []byte) (*os.File, error) {
	f, err := os.CreateTemp("", "gohttpd-config")
	if err != nil {
		return nil, fmt.Errorf("mpm: %w", err)
	}
	os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("mpm: write configuration snapshot: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("mpm: %w", err)
	}
	return f, nil
}
