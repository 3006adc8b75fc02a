package conf

import (
	"context"
	"strings"
	"testing"
)

// FuzzParseVHostAddr checks that any <VirtualHost> word parses without
// panicking, that errors are Apache's two texts, and that every address
// has a port in range and a host as written.
func FuzzParseVHostAddr(f *testing.F) {
	for _, s := range []string{"*:80", "*", "_default_:*", "127.0.0.1:8080", "[::1]:80", "[fe80::1%lo]", "80", ":80",
		"[::1", "localhost", "dual.test:81", "host:", "[]:80", "[%]:1", "0.0.0.0:65535"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, w string, defPort int) {
		if defPort < 0 || defPort > 65535 {
			return
		}
		addrs, warn, err := ParseVHostAddr(context.Background(), w, defPort, vhostResolver{})
		if err != nil {
			if err != ErrVHostAddrInvalid && err != ErrVHostAddrMissing {
				t.Fatalf("ParseVHostAddr(%q): unexpected error %v", w, err)
			}
			return
		}
		if warn != "" && (len(addrs) != 0 || !strings.HasPrefix(warn, "AH00547: ")) {
			t.Fatalf("ParseVHostAddr(%q) = %v, %q", w, addrs, warn)
		}
		for _, a := range addrs {
			if a.Port < 0 || a.Port > 65535 || !strings.Contains(w, a.Host) || !a.IP.IsValid() {
				t.Fatalf("ParseVHostAddr(%q) = %+v", w, a)
			}
			_ = a.String()
		}
	})
}
