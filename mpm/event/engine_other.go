//go:build !linux

package event

import (
	"errors"
	"fmt"

	"github.com/gohttpd/gohttpd/mpm"
)

// errUnsupported is New's error on systems without epoll.
var errUnsupported = fmt.Errorf("event: %w", errors.ErrUnsupported)

// engine is empty where there is no epoll: New fails.
type engine struct{}

func newEngine(Config, mpm.ChildDeps) (*engine, error) { return nil, errUnsupported }

func (*engine) serve(func()) error { return errUnsupported }

func (*engine) stop(mpm.StopMode) {}
