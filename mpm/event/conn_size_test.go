package event

import (
	"testing"
	"unsafe"
)

// TestConnSize keeps the connection record in its 96-byte size class
// (the local address cache lives in its padding).
func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(conn{}); n > 96 {
		t.Fatalf("conn is %d bytes, want at most 96", n)
	}
}
