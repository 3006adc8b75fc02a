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
// Connections are registered once, edge-triggered for both directions, and
// ownership is settled in user space by the connection's state under the
// engine's one mutex (engine.mu); EpollTrigger OneShot registers them
// level-triggered and one-shot instead, re-armed at every park (see
// poller_linux.go).
//
// ThreadsPerChild workers read requests and answer them with the shared
// HTTP/1 request loop, internal/h1serve (fasthttp's parser, the site's
// handler, pooled request contexts, per-worker buffers released to the
// connection only while it is served). A worker reads through a small
// net.Conn over the non-blocking socket (the shim) and waits in poll(2), up
// to Timeout, when a request is incomplete, as Apache's event MPM reads
// requests with blocking reads in its workers. Pipelined requests are
// answered in order. A hijacked connection (fasthttp's RequestCtx.Hijack)
// leaves the engine: its handler gets a duplicate of the descriptor.
//
// A listener with a *tls.Config (mpm.ChildDeps.TLS) serves TLS with
// crypto/tls (tls_linux.go): the handshake runs in a worker, from the
// ClientHello's first byte to its end or the handshake timeout; between
// requests a TLS connection is parked like a plain one, with no goroutine,
// keeping only its tls.Conn (about 6.7 KB of heap, measured by
// TestTLSIdleConnMemory); TLS responses are encrypted by the worker, with
// no sendfile, and only their last 256 KiB of ciphertext can go to write
// completion.
//
// What Apache's event MPM does asynchronously, the loop does here without a
// worker: keep-alive waits (a FIFO per timeout drives the epoll_wait
// timeout), write completion (the rest of a response the client is slow to
// take, including files sent with sendfile(2)), and lingering close.
// Admission follows AsyncRequestWorkerFactor: a child stops accepting while
// its connections exceed ThreadsPerChild + idle workers × the factor.
//
// Files, by concern (as nginx splits src/event):
//
//	engine_linux.go  the engine, Serve, the loop's iteration, stop and finish
//	state_linux.go   the connection state machine: its table and transitions
//	conn.go          the connection record
//	poller_linux.go  epoll and the wake-up eventfd
//	queue.go         the timeout FIFOs; timers_linux.go: expiry, the wait
//	accept_linux.go  accepting, admission, the listeners
//	worker_linux.go  the workers: the request loop's hooks, hijacking
//	shim_linux.go    the workers' net.Conn over the non-blocking socket
//	tls_linux.go     TLS: handshake, parking, the conn under tls.Conn
//	write*.go        write completion
//	linger_linux.go  lingering close
//	config.go        Config; maintenance.go: the master side (NewPolicy)
//
// The master side is NewPolicy: Apache's spare-thread maintenance at
// whole-child granularity.
package event
