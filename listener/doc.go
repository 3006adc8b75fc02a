// Package listener opens gohttpd's listening sockets with golang.org/x/sys/unix:
// SO_REUSEADDR, ListenBacklog, TCP_DEFER_ACCEPT (AcceptFilter), SO_REUSEPORT
// and IPv4/IPv6/dual-stack addresses. It hands sockets to child processes as
// inheritable descriptors without flipping them to blocking mode, rebuilds
// them from a descriptor in the child, and reports per-listener accept-queue
// statistics. For the status page and the bench it also counts TCP sockets
// by state for given ports (NETLINK_SOCK_DIAG, falling back to /proc/net/tcp)
// and reads the kernel's listen-overflow and SYN-cookie counters. It imports
// no other gohttpd package.
package listener
