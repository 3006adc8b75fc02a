package proxyproto

import (
	"errors"
	"testing"
)

// What Apache 2.4.71 did with these first bytes on a connection to a
// RemoteIPProxyProtocol On virtual host (site/remoteip/testdata/apache.sh,
// the "PP" lines): client is %a in its access log ("" = closed), and the
// error log line at level error (the part after "[client ...] ").
func TestApacheProxyProtocol(t *testing.T) {
	const req = "GET /pp HTTP/1.0\r\n\r\n"
	v2 := "\r\n\r\n\x00\r\nQUIT\n"
	addr4 := "\xcb\x00\x71\x05\x7f\x00\x00\x01\x0f\xa0\x48\x5a"
	tests := []struct {
		name, in, client, log string
	}{
		{"v1", "PROXY TCP4 203.0.113.5 127.0.0.1 4000 18474\r\n" + req, "203.0.113.5:4000", ""},
		{"v1-tcp6", "PROXY TCP6 2001:db8::5 ::1 4000 18474\r\n" + req, "[2001:db8::5]:4000", ""},
		{"v1-noport", "PROXY TCP4 203.0.113.5 127.0.0.1 4000\r\n" + req, "203.0.113.5:4000", ""},
		{"v1-badfam", "PROXY UDP4 203.0.113.5 127.0.0.1 4000 18474\r\n" + req, "", "AH03499: RemoteIPProxyProtocol: unknown family 'UDP4' in header 'PROXY UDP4 203.0.113.5 127.0.0.1 4000 18474'"},
		{"v1-badaddr", "PROXY TCP4 203.0.113.x 127.0.0.1 4000 18474\r\n" + req, "", "AH03500: RemoteIPProxyProtocol: invalid client-address '203.0.113.x' found in header 'PROXY TCP4 203.0.113.x 127.0.0.1 4000 18474'"},
		{"v1-noaddr", "PROXY TCP4\r\n" + req, "", "AH03497: RemoteIPProxyProtocol: no client-address found in header 'PROXY TCP4'"},
		{"v1-badport", "PROXY TCP4 203.0.113.5 127.0.0.1 x 18474\r\n" + req, "", "AH03501: RemoteIPProxyProtocol: error parsing port 'x' in header 'PROXY TCP4 203.0.113.5 127.0.0.1 x 18474'"},
		// No header: closed, nothing logged at level error.
		{"none", req, "", "RemoteIPProxyProtocol: no PROXY header"},
		{"v2", v2 + "\x21\x11\x00\x0c" + addr4 + req, "203.0.113.5:4000", ""},
		{"v2-tlv", v2 + "\x21\x11\x00\x10" + addr4 + "\x04\x00\x01\x00" + req, "203.0.113.5:4000", ""},
		// LOCAL: Apache used the peer (its access log: 127.0.0.1).
		{"v2-local", v2 + "\x20\x00\x00\x00" + req, "peer", ""},
		{"v2-udp", v2 + "\x21\x12\x00\x0c" + addr4 + req, "", "AH10183: RemoteIPProxyProtocol: unsupported protocol 12"},
		{"v2-cmd2", v2 + "\x22\x11\x00\x0c" + addr4 + req, "", "AH03507: RemoteIPProxyProtocol: unsupported command 22"},
		{"v2-long", v2 + "\x21\x11\x00\xff" + req, "", "AH10186: RemoteIPProxyProtocol protocol header length too long"},
		// Deliberate difference: Apache 2.4.71 closes a connection whose
		// line is exactly "PROXY UNKNOWN\r\n" with "AH03513:
		// RemoteIPProxyProtocol: internal error: have data left over;
		// need=15, rcvd=33" (it reads the next line with it); the
		// specification and Apache's code mean the peer to be kept.
		{"v1-unknown", "PROXY UNKNOWN\r\n" + req, "peer", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Parser
			used, err := p.Feed([]byte(tt.in))
			if tt.client == "" {
				var e *Error
				if !errors.As(err, &e) || e.Error() != tt.log {
					t.Fatalf("err %v\nwant %s", err, tt.log)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rest := tt.in[used:]; rest != req {
				t.Fatalf("rest %q", rest)
			}
			h := p.Header()
			got := h.Source.String()
			if h.Local {
				got = "peer"
			}
			if got != tt.client {
				t.Fatalf("client %s, want %s", got, tt.client)
			}
		})
	}
}
