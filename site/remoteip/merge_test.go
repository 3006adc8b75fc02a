package remoteip

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// testdata/apache-merge.sh: main server RemoteIPHeader X-Forwarded-For,
// RemoteIPInternalProxy 127.0.0.0/8, RemoteIPProxiesHeader X-Forwarded-By;
// vhost 18478 adds RemoteIPTrustedProxy 127.0.0.1, vhost 18479 nothing.
// Apache 2.4.71 logged (%a|%{X-Forwarded-For}i|%{X-Forwarded-By}i):
//
//	18478 XFF "203.0.113.5, 10.0.0.1"  -> 127.0.0.1|203.0.113.5, 10.0.0.1|-  (AH01569)
//	18479 XFF "203.0.113.5, 10.0.0.1"  -> 10.0.0.1|203.0.113.5|-
//	18479 XFF "203.0.113.5", By "evil" -> 203.0.113.5|-|evil (not cleared)
func TestApacheMerge(t *testing.T) {
	build := func(lines ...string) *conf.RemoteIPServer {
		var b conf.RemoteIPBuilder
		for _, l := range lines {
			f := strings.Fields(l)
			if err := b.Directive(f[0], f[1:]); err != nil {
				t.Fatal(err)
			}
		}
		return b.Finish()
	}
	main := build("RemoteIPHeader X-Forwarded-For", "RemoteIPInternalProxy 127.0.0.0/8", "RemoteIPProxiesHeader X-Forwarded-By")
	v18478 := New(jsonRoundTrip(t, conf.MergeRemoteIP(main, build("RemoteIPTrustedProxy 127.0.0.1"))))
	v18479 := New(jsonRoundTrip(t, conf.MergeRemoteIP(main, nil)))
	peer := netip.MustParseAddr("127.0.0.1")
	if r := v18478.Walk("203.0.113.5, 10.0.0.1", peer); r.Changed || !strings.HasPrefix(r.Debug, "AH01569") {
		t.Fatalf("18478: %+v", r)
	}
	if r := v18479.Walk("203.0.113.5, 10.0.0.1", peer); !r.Changed || r.Client.String() != "10.0.0.1" || r.Remaining != "203.0.113.5" || r.ProxyIPs != "" {
		t.Fatalf("18479: %+v", r)
	}
	if r := v18479.Walk("203.0.113.5", peer); !r.Changed || !r.Remove || r.ProxyIPs != "" {
		t.Fatalf("18479: %+v (no proxies passed: X-Forwarded-By stays as sent)", r)
	}
}
