package authz

import (
	"context"
	"net"
	"net/netip"
	"strings"
)

// Resolver is the part of *net.Resolver that DoubleReverse uses.
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DoubleReverse is Apache's double reverse lookup (ap_get_remote_host with
// REMOTE_DOUBLE_REV): the first PTR name of ip, lower-cased and without
// its final dot, kept only when one of its addresses is ip again. The
// site calls it from a HostLookup, once per connection (Apache keeps the
// answer in the connection), with a context bounding the wait.
func DoubleReverse(ctx context.Context, r Resolver, ip netip.Addr) (string, bool) {
	ip = ip.Unmap()
	names, err := r.LookupAddr(ctx, ip.String())
	if err != nil || len(names) == 0 {
		return "", false
	}
	name := strings.ToLower(strings.TrimSuffix(names[0], "."))
	if name == "" {
		return "", false
	}
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return "", false
	}
	for _, a := range addrs {
		if a.Unmap() == ip {
			return name, true
		}
	}
	return "", false
}

// LazyHost is a HostLookup that runs DoubleReverse on first use and
// keeps the answer: one per connection (or per request), used by one
// goroutine at a time. Ctx bounds the lookups (nil: context.Background).
type LazyHost struct {
	Ctx      context.Context
	Resolver Resolver
	IP       netip.Addr

	done bool
	name string
	ok   bool
}

// RemoteHost implements HostLookup.
func (h *LazyHost) RemoteHost() (string, bool) {
	if !h.done {
		h.done = true
		ctx := h.Ctx
		if ctx == nil {
			ctx = context.Background()
		}
		if h.Resolver != nil {
			h.name, h.ok = DoubleReverse(ctx, h.Resolver, h.IP)
		}
	}
	return h.name, h.ok
}

// Interface guards.
var (
	_ Resolver   = (*net.Resolver)(nil)
	_ HostLookup = (*LazyHost)(nil)
)
