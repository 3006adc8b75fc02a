// Package load is the bench's HTTP/1.1 load generator. It drives one
// loopback server over raw net.Conn connections, one goroutine each, with a
// small allocation-free response reader, and records latency in
// HdrHistograms. H2Runner (h2*.go) is its HTTP/2 counterpart: one
// goroutine per connection on golang.org/x/net/http2's Framer, many
// streams in flight on each.
//
// It runs closed-loop (each connection sends its next request, or pipelined
// batch, as soon as the previous response arrived; keep-alive, Connection:
// close, or client-side close after each response) or open-loop at a fixed
// total rate with coordinated-omission correction in wrk2's model: every
// request has an intended send time on a fixed per-connection schedule, and
// its latency is measured from that time, so a stalled server is charged for
// every request that should have been sent while it stalled.
//
// Every run is bounded by a duration and, optionally, a request count, and
// dials loopback addresses only. Errors are counted by kind (refused, reset,
// timeout, closed early, bad status, other).
package load
