//go:build !linux

package listener

import (
	"errors"
	"os"
)

// Open is implemented on Linux only.
func Open(spec Spec) (*Listener, error) { return nil, errors.ErrUnsupported }

// FromFile is implemented on Linux only.
func FromFile(f *os.File, spec Spec) (*Listener, error) { return nil, errors.ErrUnsupported }

// File is implemented on Linux only.
func (l *Listener) File() (*os.File, error) { return nil, errors.ErrUnsupported }

// Stats is implemented on Linux only.
func (l *Listener) Stats() (Stats, error) { return Stats{}, errors.ErrUnsupported }

// Somaxconn is implemented on Linux only.
func Somaxconn() (int, error) { return 0, errors.ErrUnsupported }

// CountLocal is implemented on Linux only.
func CountLocal(ports ...int) (StateCounts, error) { return StateCounts{}, errors.ErrUnsupported }

// CountRemote is implemented on Linux only.
func CountRemote(ports ...int) (StateCounts, error) { return StateCounts{}, errors.ErrUnsupported }

// KernelCounters is implemented on Linux only.
func KernelCounters() (Counters, error) { return Counters{}, errors.ErrUnsupported }

func ListenQueue(port int) (queue, backlog int, err error) { return 0, 0, errors.ErrUnsupported }
