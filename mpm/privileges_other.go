//go:build !linux

package mpm

import (
	"errors"
	"fmt"
	"os"
)

// DropPrivileges switches users on Linux only: elsewhere a child started
// as root refuses to serve, and any other keeps its identity.
func DropPrivileges(c Credentials) error {
	if os.Geteuid() != 0 {
		return nil
	}
	return fmt.Errorf("mpm: switching to User %s: %w", c.User, errors.ErrUnsupported)
}
