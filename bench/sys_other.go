//go:build !linux

package bench

// raiseNoFile leaves the limit alone outside Linux.
func raiseNoFile() {}
