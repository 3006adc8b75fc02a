package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gohttpd/gohttpd/bench"
)

// runBench runs "gohttpd bench": the bench starts this same binary once per
// engine (and re-executes it for helper client processes). SIGINT and
// SIGTERM stop the running scenario; the bench then stops everything it
// started and writes what it measured.
func runBench(args []string, stdout, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd bench: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return bench.Main(ctx, args, stdout, stderr, exe)
}
