// Package event is the event engine: child processes, each running an epoll
// loop that parks idle keep-alive connections and hands readable ones to a
// worker pool.
//
// The child side is Child (an mpm.ChildServer). One goroutine runs the loop
// (golang.org/x/sys/unix epoll, an eventfd for wake-ups) over the child's
// listeners and every parked connection. A parked connection costs a record
// of about a hundred bytes, indexed by its fd, with no goroutine and no
// buffer; its epoll data carries the fd and a generation, so an event or an
// action meant for an earlier use of the same fd number is discarded.
// Connections are registered level-triggered and one-shot: an event gives the
// connection to exactly one owner, which re-arms it when done.
//
// ThreadsPerChild workers read requests and answer them with fasthttp (the
// site's handler, pooled request contexts, per-worker buffers released to
// the connection only while it is served). A worker reads through a small
// net.Conn over the non-blocking socket and waits in poll(2), up to Timeout,
// when a request is incomplete, as Apache's event MPM reads requests with
// blocking reads in its workers. Pipelined requests are answered in order.
//
// What Apache's event MPM does asynchronously, the loop does here without a
// worker: keep-alive waits (a FIFO per timeout drives the epoll_wait
// timeout), write completion (the rest of a response the client is slow to
// take, including files sent with sendfile(2)), and lingering close.
// Admission follows AsyncRequestWorkerFactor: a child stops accepting while
// its connections exceed ThreadsPerChild + idle workers × the factor.
//
// The master side is NewPolicy: Apache's spare-thread maintenance at
// whole-child granularity.
package event
