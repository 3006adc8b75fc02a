package conf

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestWireHTTP2: Protocols and H2* at the top level and in a
// <VirtualHost> reach the snapshot (the vhost's merged over the main
// server's) and survive the JSON the children get.
func TestWireHTTP2(t *testing.T) {
	cfg, _, err := loadText(t, `Listen 127.0.0.1:8080
Protocols h2 h2c http/1.1
H2MaxSessionStreams 20
H2WindowSize 131072
<VirtualHost 127.0.0.1:8080>
ServerName a.example
Protocols http/1.1
H2StreamMaxMemSize 32768
</VirtualHost>
<VirtualHost 127.0.0.1:8080>
ServerName b.example
H2Direct off
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Config{cfg, &back} {
		main := c.H2For(-1)
		if !main.H2 || !main.H2C || !main.DirectClear || !main.UpgradeClear || main.MaxSessionStreams != 20 || main.WindowSize != 131072 {
			t.Errorf("main = %+v", main)
		}
		a := c.H2For(0)
		if a.H2 || a.H2C || a.MaxSessionStreams != 20 || a.StreamBuf != 32768 {
			t.Errorf("vhost a = %+v", a)
		}
		bv := c.H2For(1)
		if !bv.H2C || bv.DirectClear || !bv.UpgradeClear {
			t.Errorf("vhost b = %+v", bv)
		}
	}
}

// TestWireHTTP2Errors: the builder's errors and warnings carry file and
// line; directory sections refuse the directives.
func TestWireHTTP2Errors(t *testing.T) {
	for _, tt := range []struct{ name, text, want string }{
		{"streams 0", "Listen 80\nH2MaxSessionStreams 0\n", ":2: H2MaxSessionStreams: value must be > 0"},
		{"early hints", "Listen 80\nH2EarlyHints on\n", ":2: H2EarlyHints: H2EarlyHints On: 103 Early Hints"},
		{"websockets", "Listen 80\nH2WebSockets on\n", "H2WebSockets: HTTP/2 WebSockets are not supported"},
		{"no args", "Listen 80\nProtocols\n", "Protocols requires at least one argument"},
		{"in Location", "Listen 80\n<Location /a>\nH2Upgrade off\n</Location>\n", ":3: H2Upgrade"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadText(t, tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	cfg, _, err := loadText(t, "Listen 80\nH2MinWorkers 4\nH2Push on\n")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Join(cfg.Notices, "\n"); !strings.Contains(n, ":2: H2MinWorkers: not honoured") || !strings.Contains(n, ":3: H2Push on") {
		t.Errorf("notices = %q", n)
	}
}
