//go:build !race

package mpmtest

const raceEnabled = false
