package main

import (
	"fmt"
	"io"
)

// runBench runs "gohttpd bench".
func runBench(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "gohttpd bench: not built yet")
	return 1
}
