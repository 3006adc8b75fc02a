//go:build !linux

package listener

import "errors"

// ActivationFromEnv is implemented on Linux only.
func ActivationFromEnv(unset bool) (*Activation, error) { return nil, errors.ErrUnsupported }

func matches(passed, Spec) (bool, error) { return false, errors.ErrUnsupported }
