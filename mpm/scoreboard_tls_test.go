package mpm

import (
	"crypto/tls"
	"testing"
	"time"
)

// TestWorkerSetTLS: the TLS word round-trips through Snapshot, plain HTTP
// clears it, and recording it does not allocate.
func TestWorkerSetTLS(t *testing.T) {
	b, err := NewScoreboard(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w := b.Worker(0, 0)
	tests := []struct{ version, cipher uint16 }{
		{tls.VersionTLS13, tls.TLS_AES_256_GCM_SHA384},
		{tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
		{0, 0},
	}
	for _, tt := range tests {
		w.SetTLS(tt.version, tt.cipher)
		if ws := w.Snapshot(); ws.TLSVersion != tt.version || ws.TLSCipher != tt.cipher {
			t.Errorf("after SetTLS(%#x, %#x): snapshot %#x %#x", tt.version, tt.cipher, ws.TLSVersion, ws.TLSCipher)
		}
	}
	now := time.Now()
	if n := testing.AllocsPerRun(100, func() {
		w.BeginRequest(now, "192.0.2.1", "h:443", "GET / HTTP/1.1")
		w.SetTLS(tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	}); n != 0 {
		t.Errorf("BeginRequest+SetTLS allocates %v times", n)
	}
}
