//go:build !linux

package mpm

import (
	"errors"
	"fmt"
	"os"
	"unsafe"
)

// createMemory returns zeroed, 8-byte aligned heap memory: without memfd the
// scoreboard is private to this process (File is nil).
func createMemory(size int) ([]byte, *os.File, error) {
	words := make([]uint64, size/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), size), nil, nil
}

// attachMemory is unsupported without memfd.
func attachMemory(f *os.File) ([]byte, error) {
	return nil, fmt.Errorf("mpm: attach scoreboard %s: %w", f.Name(), errors.ErrUnsupported)
}

// releaseMemory leaves heap memory to the garbage collector.
func releaseMemory([]byte) error { return nil }
