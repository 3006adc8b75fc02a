// Package bench is gohttpd's comparison bench ("gohttpd bench"): named
// scenarios that each show one behaviour of the concurrency engines
// (keep-alive, TIME_WAIT, idle connections crowding a worker pool, slow
// clients, TCP_DEFER_ACCEPT, backlog overflow, saturation, child churn,
// HTTPS, HTTP/2 streams against connections),
// run against gohttpd's engines started from generated configurations,
// against Apache's three MPMs and nginx started the same way (--compare),
// or against any other server, over loopback only. Thresholds
// (--threshold, package threshold) turn a run into a pass/fail check.
//
// Figures the bench cannot know are reported as unknown, never 0; cases
// that did not reach the condition they exist to show say so; TIME_WAIT is
// counted per case, by 4-tuple.
//
// Its parts are subpackages: load (the load generator), clients (idle,
// slow and connect-only clients), sample (memory, workers, TCP states,
// accept queues and kernel counters over time), target (starting, pinning
// and stopping servers), threshold (the --threshold grammar) and report
// (table, JSON, HTML with SVG charts, progress lines). This package holds
// the scenarios and the command line.
package bench
