// Package sample watches a server and its clients while a bench scenario
// runs, about four times a second: the server's memory (RSS and PSS summed
// over its whole process tree, from /proc/PID/smaps_rollup), its workers by
// state (from gohttpd's shared scoreboard when it can be attached through
// /proc, otherwise from /server-status?auto), the server port's sockets by
// TCP state on the server side and on the client side (sock_diag), the
// listener's accept-queue length and backlog, the kernel's ListenOverflows,
// ListenDrops and SyncookiesSent counters (as deltas from the start), and
// the CPU time of each side.
package sample
