// Package logfile is a buffered, append-only log file shared by many
// goroutines, the way Apache's BufferedLogs keeps log writes off the request
// path.
//
// A Write copies its bytes into an in-memory buffer under a mutex and
// returns; one background goroutine per File writes the buffer to the file
// every 100 ms, or at once when the buffer passes 64 KiB. Each Write lands
// in the file as one contiguous piece, so writers that pass whole lines get
// whole lines. While the disk is slow, data keeps accumulating; once the
// bytes buffered and in flight pass a hard cap of 4 MiB, Write blocks until
// the disk catches up rather than letting memory grow without bound.
//
// "stdout" and "stderr" name the process's standard streams, which Close and
// Reopen leave open. Reopen swaps the file for a new one at the same path,
// for log rotation on a graceful restart.
package logfile
