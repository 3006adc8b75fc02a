package prefork

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); c.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// TestRawIO: rawIO reads and writes as net.Conn does: whole writes larger
// than the socket's buffers (waiting in the poller), the read deadline as
// a timeout net.Error, io.EOF at the end, an *net.OpError after Close.
func TestRawIO(t *testing.T) {
	s, c := tcpPair(t)
	rio := newRawIO(s)
	if rio == nil {
		t.Fatal("newRawIO = nil")
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB: more than the buffers hold
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(c, int64(len(big))))
		got <- b
	}()
	if n, err := rio.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(big))
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, big) {
			t.Fatalf("peer read %d bytes, not what was written", len(b))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("peer did not receive the write")
	}

	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := rio.Read(buf); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read = %q, %v; want hello", buf[:n], err)
	}
	if n, err := rio.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) = %d, %v", n, err)
	}

	s.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := rio.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past the deadline = %v, want a timeout", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "read" {
		t.Fatalf("Read past the deadline = %#v, want a *net.OpError for read", err)
	}
	s.SetReadDeadline(time.Time{})

	c.Close()
	if _, err := rio.Read(buf); err != io.EOF {
		t.Fatalf("Read after the peer closed = %v, want io.EOF", err)
	}
	s.Close()
	if _, err := rio.Write([]byte("x")); !errors.As(err, &op) || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close = %v, want a *net.OpError with net.ErrClosed", err)
	}
}
