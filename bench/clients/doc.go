// Package clients holds the bench's special clients, each a group of
// loopback connections that misbehave in one way: idle keep-alive holders
// (one request, then silence; spread over several 127.0.0.x source
// addresses and, past what one process may hold, over helper processes
// re-executed from the gohttpd binary), slow-header senders (slowloris),
// connect-only clients that complete the handshake and send nothing, and
// slow readers of a large file.
//
// A Group counts what its connections saw (connected, answered, closed by
// the server, failed) with atomics readable while it runs; Close ends every
// connection and joins every goroutine.
package clients
