package mpm

// SetTLS records the TLS version and cipher suite of the connection the
// worker serves (both 0 for plain HTTP), for the status page's SSL
// columns. Engines call it after BeginRequest. It stores only when the
// value changes (a keep-alive connection keeps its TLS parameters), under
// the slot's seqlock so a snapshot pairs them with the request line. It
// does not allocate.
func (w *Worker) SetTLS(version, cipher uint16) {
	v := uint64(version)<<16 | uint64(cipher)
	if w.tls.Load() == v {
		return
	}
	seq := w.lock()
	w.tls.Store(v)
	w.unlock(seq)
}

func unpackTLS(v uint64) (version, cipher uint16) {
	return uint16(v >> 16), uint16(v)
}

// connTLS is the TLS version and cipher suite of a tracked connection
// (0, 0 for plain HTTP).
func connTLS(c slotConn) (version, cipher uint16) {
	if t, ok := c.(*TLSConn); ok {
		return t.Version, t.Cipher
	}
	if t, ok := c.(*tlsReplayed); ok {
		return t.Version, t.Cipher
	}
	return 0, 0
}
