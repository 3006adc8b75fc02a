//go:build race

package mpmtest

// raceEnabled: the tests run with -race, so the binary is built with it.
const raceEnabled = true
