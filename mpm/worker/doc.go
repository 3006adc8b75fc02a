// Package worker is the worker engine: child processes, each with a fixed pool
// of workers that own their connection for its whole keep-alive life.
package worker
