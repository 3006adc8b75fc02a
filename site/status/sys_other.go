//go:build !linux

package status

import "errors"

// loadAverage is implemented on Linux only.
func loadAverage() ([3]float64, error) { return [3]float64{}, errors.ErrUnsupported }

// processCPUTimes is implemented on Linux only.
func processCPUTimes([]int) (cpuTimes, error) { return cpuTimes{}, errors.ErrUnsupported }
