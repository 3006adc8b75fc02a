// Package event is the event engine: child processes, each running an epoll
// loop that parks idle keep-alive connections and hands readable ones to a
// worker pool.
package event
