// Package bench is gohttpd's comparison bench ("gohttpd bench"): named
// scenarios that each show one behaviour of the concurrency engines
// (keep-alive, TIME_WAIT, idle connections crowding a worker pool, slow
// clients, TCP_DEFER_ACCEPT, backlog overflow, saturation, child churn),
// run against gohttpd's engines started from generated configurations, or
// against any other server, over loopback only.
//
// Its parts are subpackages: load (the load generator), clients (idle,
// slow and connect-only clients), sample (memory, workers, TCP states,
// accept queues and kernel counters over time), target (starting, pinning
// and stopping servers) and report (table, JSON, HTML with SVG charts,
// progress lines). This package holds the scenarios and the command line.
package bench
