// Package worker is the worker engine: child processes, each with a fixed pool
// of workers that own their connection for its whole keep-alive life. A
// worker handshakes the TLS connections it is handed (mpm.ServeTLS).
package worker
