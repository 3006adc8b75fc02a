// Package listener opens gohttpd's listening sockets with golang.org/x/sys/unix:
// SO_REUSEADDR, ListenBacklog, TCP_DEFER_ACCEPT (AcceptFilter), SO_REUSEPORT
// and IPv4/IPv6/dual-stack addresses. It hands sockets to child processes as
// inheritable descriptors without flipping them to blocking mode, rebuilds
// them from a descriptor in the child, and reports per-listener accept-queue
// statistics. It imports no other gohttpd package.
package listener
