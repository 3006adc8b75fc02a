// Package target starts and stops the servers a bench measures: gohttpd
// itself, once per engine, from a generated configuration in a temporary
// ServerRoot with a generated document root (empty, 1 KB, 64 KB and 1 MB
// files) on a free loopback port; Apache httpd (each MPM) and nginx from
// generated configurations that keep every file in a temporary directory
// (StartForeign); each in its own process group so that Stop reaches
// every child. Or any other server given by URL and pid. It also pins
// processes to CPUs (sched_setaffinity on every thread).
package target
