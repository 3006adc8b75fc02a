package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Error texts checked with apache2 -t (Apache 2.4.71) on a config that
// loads mod_http2: each line appended to a working httpd.conf.
func TestHTTP2DirectiveErrors(t *testing.T) {
	for _, tc := range []struct {
		line, err string
	}{
		{"H2WindowSize 10", "value must be >= 1024"},
		{"H2WindowSize 2000000000000", "value must be >= 1024"}, // (int) truncation
		{"H2MaxSessionStreams 0", "value must be > 0"},
		{"H2MaxSessionStreams abc", "value must be > 0"},
		{"H2Direct maybe", "value must be On or Off"},
		{"H2Push maybe", "value must be On or Off"},
		{"H2Upgrade x", "value must be On or Off"},
		{"ProtocolsHonorOrder maybe", "ProtocolsHonorOrder must be 'on' or 'off'"},
		{"H2StreamMaxMemSize 5", "value must be >= 1024"},
		{"H2MinWorkers 0", "value must be > 0"},
		{"H2Padding 9", "number of bits must be <= 8"},
		{"Protocols", "Protocols requires at least one argument, Controls which protocols are allowed"},
		{"H2MaxWorkerIdleSeconds x", "Invalid idle limit value"},
		{"H2StreamTimeout x", "Invalid timeout value"},
		{"H2PushDiarySize 3", "value must a power of 2"},
		{"H2WebSockets on", "HTTP/2 WebSockets are not supported in this server version"}, // Apache: accepted (built with WebSockets)
		{"H2EarlyHints on", "H2EarlyHints On: 103 Early Hints responses are not supported"},
		{"H2ProxyRequests on", "H2ProxyRequests On: forward proxy requests over HTTP/2 are not supported"},
		{"Protocols foo", ""},
		{"H2WindowSize 1024", ""},
		{"H2Push off", ""},
		{"H2StreamTimeout 30", ""},
	} {
		f := strings.Fields(tc.line)
		var b HTTP2Builder
		err := b.Directive(f[0], f[1:])
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s: %q, want %q", tc.line, got, tc.err)
		}
	}
}

func TestHTTP2BuildMergeEffective(t *testing.T) {
	var srv HTTP2Builder
	for _, l := range []string{"Protocols h2 h2c http/1.1", "H2MaxSessionStreams 50", "H2Push on", "H2MinWorkers 4", "H2StreamTimeout 30", "h2direct off"} {
		f := strings.Fields(l)
		if err := srv.Directive(f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	var vh HTTP2Builder
	for _, l := range []string{"Protocols http/1.1 h2", "H2WindowSize 131072", "H2SerializeHeaders on"} {
		f := strings.Fields(l)
		if err := vh.Directive(f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	s := srv.Finish()
	if len(s.Warnings()) != 2 || !strings.HasPrefix(s.Warnings()[0], "H2Push on:") {
		t.Errorf("warnings %q", s.Warnings())
	}
	e := s.Effective()
	want := HTTP2Effective{H2: true, H2C: true, HonorOrder: true, ModernTLSOnly: true, DirectClear: false, UpgradeClear: true,
		ALPN: []string{"h2", "http/1.1"}, MaxSessionStreams: 50, WindowSize: 65535, StreamBuf: 65536, StreamTimeout: 30 * time.Second}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("server effective\n%+v\nwant\n%+v", e, want)
	}
	m := MergeHTTP2(s, vh.Finish())
	e = m.Effective()
	if e.H2C || !e.H2 || !reflect.DeepEqual(e.ALPN, []string{"http/1.1", "h2"}) || e.MaxSessionStreams != 50 || e.WindowSize != 131072 {
		t.Errorf("merged effective %+v", e)
	}
	if got := e.NextProtos([]string{"h2", "http/1.1"}); !reflect.DeepEqual(got, []string{"http/1.1", "h2"}) {
		t.Errorf("honor order: %q", got)
	}
	e.HonorOrder = false
	if got := e.NextProtos([]string{"h2", "http/1.1"}); !reflect.DeepEqual(got, []string{"h2", "http/1.1"}) {
		t.Errorf("client order: %q", got)
	}
	if len(m.Warnings()) != 3 {
		t.Errorf("merged warnings %q", m.Warnings())
	}
	if d := (*HTTP2Config)(nil).Effective(); d.H2 || d.H2C || !reflect.DeepEqual(d.ALPN, []string{"http/1.1"}) {
		t.Errorf("default %+v", d)
	}
	// JSON round trip (the snapshot goes to children as JSON).
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back HTTP2Config
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, m) {
		t.Errorf("round trip\n%+v\n%+v\n%s", &back, m, js)
	}
}

func FuzzHTTP2Directive(f *testing.F) {
	for _, s := range []string{"H2WindowSize 65535", "Protocols h2 http/1.1", "H2PushResource add /a critical", "H2StreamTimeout 5ms", "H2Padding -1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fs := strings.Fields(line)
		if len(fs) == 0 {
			return
		}
		var b HTTP2Builder
		if b.Directive(fs[0], fs[1:]) != nil {
			return
		}
		c := b.Finish()
		_ = c.Effective()
		js, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back HTTP2Config
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
	})
}
