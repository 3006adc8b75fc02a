package mpm

import "net"

// PlainHTTPFunc is ChildDeps.PlainHTTP: the engines' report of a client
// that spoke plain HTTP on a TLS listener, after they answered it with
// resp (PlainHTTPResponse; nil when writing it failed). local and
// remote are the connection's addresses. It runs on the engine's worker
// and must not keep resp.
type PlainHTTPFunc func(local, remote net.Addr, resp []byte)
