// Package mpm holds what the three concurrency engines (multi-processing
// modules, after Apache's MPMs) share: the engine contract, the shared-memory
// scoreboard and the master-side supervisor that spawns, reaps and re-executes
// children.
package mpm
