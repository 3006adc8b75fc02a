//go:build !linux

package event

import "github.com/gohttpd/gohttpd/mpm"

// engine is empty where there is no epoll: New fails.
type engine struct{}

func newEngine(Config, mpm.ChildDeps) (*engine, error) { return nil, errUnsupported }

func (*engine) serve(func()) error { return errUnsupported }

func (*engine) stop(bool)  {}
func (*engine) closeIdle() {}
