package conf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type proxyLine struct {
	loc, name string
	args      []string
}

func buildProxy(lines ...proxyLine) (*ProxyBuilder, error) {
	var b ProxyBuilder
	for _, l := range lines {
		switch l.name {
		case "<Proxy":
			if err := b.OpenProxy(l.args); err != nil {
				return &b, err
			}
		case "</Proxy>":
			b.CloseProxy()
		default:
			if err := b.Directive(l.loc, l.name, l.args); err != nil {
				return &b, err
			}
		}
	}
	return &b, nil
}

func pl(name string, args ...string) proxyLine { return proxyLine{name: name, args: args} }

func TestProxyDirectiveErrors(t *testing.T) {
	loc := func(path, name string, args ...string) proxyLine {
		return proxyLine{loc: path, name: name, args: args}
	}
	tests := []struct {
		line proxyLine
		want string // Apache's text (gohttpd's own where it refuses)
	}{
		{pl("ProxyPass", "/x"), "ProxyPass|ProxyPassMatch needs a path when not defined in a location"},
		{pl("ProxyPass", "/x", "http://b/", "timeout"), "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'."},
		{loc("/x", "ProxyPass", "/y", "http://b/"), "ProxyPass|ProxyPassMatch can not have a path when defined in a location."},
		{pl("ProxyPassMatch", "~", "^/x", "http://b/"), "ProxyPassMatch invalid syntax ('~' usage)."},
		{pl("ProxyPass", "/x", "http://b/", "foo=1"), "ProxyPass unknown Worker parameter"},
		// Apache 2.4.71 (apache2 -t): timeout= is atoi seconds.
		{pl("ProxyPass", "/x", "http://b/", "timeout=0"), "ProxyPass Timeout must be at least one second"},
		{pl("ProxyPass", "/x", "http://b/", "timeout=x"), "ProxyPass Timeout must be at least one second"},
		{pl("ProxyPass", "/x", "http://b/", "connectiontimeout=0"), "ProxyPass Connectiontimeout must be at least one millisecond."},
		{pl("ProxyPass", "/x", "http://b/", "retry=-1"), "ProxyPass Retry must be a positive value"},
		{pl("ProxyPass", "/x", "http://b/", "keepalive=maybe"), "ProxyPass KeepAlive must be On|Off"},
		{pl("ProxyPass", "/x", "http://b/", "max=-1"), "ProxyPass Max must be a positive number"},
		{pl("ProxyPass", "/x", "http://b/", "ttl=0"), "ProxyPass TTL must be at least one second"},
		{pl("ProxyPass", "/x", "http://b/", "mapping=foo"), "unknown mapping"},
		{pl("ProxyPass", "/x", "http://b/", "acquire=x"), "ProxyPass Acquire timeout has wrong format"},
		{pl("ProxyPass", "/x", "http://b/", "acquire=0"), "ProxyPass Acquire must be at least one millisecond"},
		{pl("ProxyPass", "/x", "http://b/", "route=r1"), "ProxyPass parameter route= is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "balancer://p/", "forcerecovery=maybe"), "ProxyPass forcerecovery must be On|Off"},
		{pl("ProxyPass", "/x", "balancer://p/", "stickysession=JSESSIONID"), "ProxyPass parameter stickysession= is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "http://b/", "interpolate"), "ProxyPass interpolate is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "unix:/run/x.sock|http://b/"), "ProxyPass to a unix: socket is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "http://user@b/"), "ProxyPass http://user@b/: user information in a backend URL is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "http://b:99999/"), "ProxyPass Unable to parse URL: http://b:99999/"},
		{pl("ProxyPass", "/x", "http://b/", "mapping=encoded"), "ProxyPass mapping=encoded is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "http://b/", "nocanon"), "ProxyPass nocanon is not supported by gohttpd"},
		{pl("ProxyPass", "/x", "b:8080"), "ProxyPass URL must be absolute!: b:8080"},
		{pl("ProxyPass", "/x", "/local"), "ProxyPass URL must be absolute!: /local"},
		{pl("ProxyPass", "/x", "ftp://b/"), "ProxyPass ftp://b/: scheme ftp is not supported by gohttpd (http, https, ws, wss)"},
		{pl("ProxyPassMatch", "^/(.*)$", "http://$1/"), "ProxyPass http://$1/: gohttpd takes the backend host from the configuration only, no $N in it"},
		{pl("ProxyPassMatch", "^/(.*$", "http://b/"), "Regular expression could not be compiled."},
		{pl("ProxyPass", "/x", "balancer://p/", "lbmethod=bytraffic"), "ProxyPass unknown lbmethod"},
		{pl("ProxyPass", "/x", "balancer://p/", "foo=bar"), "ProxyPass unknown Balancer parameter"},
		{pl("ProxyPassReverse", "/x"), "ProxyPassReverse needs a path when not defined in a location"},
		{loc("/x", "ProxyPassReverse", "http://b/", "http://c/"), "ProxyPassReverse can not have a path when defined in a location"},
		{pl("ProxyTimeout", "0"), "Proxy Timeout must be at least 1 second."},
		{loc("/l", "ProxyTimeout", "5"), "ProxyTimeout not allowed in <Location> context"},
		{pl("ProxyRequests", "On"), "ProxyRequests On (a forward proxy) is not supported by gohttpd"},
		{pl("ProxyVia", "On"), "ProxyVia On is not supported by gohttpd (only Off)"},
		{pl("BalancerMember", "http://b/"), "BalancerMember must define remote proxy server"},
		{pl("BalancerMember"), "BalancerMember must define balancer name when outside <Proxy > section"},
		{pl("BalancerMember", "balancer://p", "http://b/", "x"), "Invalid BalancerMember parameter. Parameter must be in the form 'key=value'"},
		{pl("BalancerMember", "balancer://p", "http://b/", "loadfactor=0.5"), "BalancerMember LoadFactor must be a number between 1..100"},
		{pl("ProxySet", "balancer://p", "lbmethod=x"), "ProxySet can not find 'balancer://p' Balancer."},
		{pl("ProxySet", "balancer://p", "x"), "Invalid ProxySet parameter. Parameter must be in the form 'key=value'"},
		{pl("<Proxy"), "<Proxy > block must specify a path"},
		{pl("ProxySet", "balancer://q", "lbmethod=x"), "ProxySet: unknown lbmethod lbmethod=x; balancer://q"},
		{pl("ProxyVia", "Foo"), "ProxyVia must be one of: off | on | full | block"},
		{pl("ProxyPreserveHost", "maybe"), "ProxyPreserveHost must be On or Off"},
		{pl("ProxyPass", "/x", "http://b/", "upgrade=websocketwebsocket"), "ProxyPass upgrade protocol length must be < 16 characters"},
		{pl("<Proxy", "http://b/"), "<Proxy http://b/> is not supported by gohttpd: only <Proxy balancer://name> sections are"},
	}
	for _, tt := range tests {
		_, err := buildProxy(pl("BalancerMember", "balancer://q", "http://b/"), tt.line)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %q: got %v, want %q", tt.line.name, tt.line.args, err, tt.want)
		}
	}
}

func TestProxyBuild(t *testing.T) {
	b, err := buildProxy(
		pl("ProxyPass", "/app/static", "!"),
		pl("ProxyPass", "/app/", "http://127.0.0.1:8080/x/", "timeout=5", "connectiontimeout=250ms", "retry=0", "max=8", "ttl=30", "keepalive=On"),
		pl("ProxyPassMatch", `^/img/(.*\.png)$`, "http://127.0.0.1:8081/p/$1"),
		pl("ProxyPass", "/lb/", "balancer://Pool/", "lbmethod=bybusyness"),
		pl("<Proxy", "balancer://pool"),
		pl("BalancerMember", "http://127.0.0.1:9001", "loadfactor=2"),
		pl("BalancerMember", "http://127.0.0.1:9002", "retry=1"),
		pl("ProxySet", "maxattempts=1"),
		pl("</Proxy>"),
		pl("ProxyPassReverse", "/app/", "http://127.0.0.1:8080/x/"),
		pl("ProxyPassReverseCookieDomain", "backend", "front"),
		pl("ProxyPassReverseCookiePath", "/x/", "/app/"),
		pl("ProxyPreserveHost", "On"),
		pl("ProxyAddHeaders", "off"),
		pl("ProxyTimeout", "7"),
		pl("ProxyRequests", "Off"),
		proxyLine{loc: "/ws", name: "ProxyPass", args: []string{"ws://127.0.0.1:8082/echo", "timeout=2"}},
		proxyLine{loc: "/ws", name: "ProxyPassReverse", args: []string{"http://127.0.0.1:8082/echo"}},
		proxyLine{loc: "/u", name: "ProxyPass", args: []string{"http://127.0.0.1:8083/", "upgrade=websocket"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := &ProxyServer{
		Passes: []ProxyPass{
			{Path: "/app/static", Exclude: true},
			{Path: "/app/", URL: "http://127.0.0.1:8080/x/", Worker: ProxyWorker{
				URL: "http://127.0.0.1:8080/x/", Timeout: 5 * time.Second, ConnectionTimeout: 250 * time.Millisecond,
				RetrySet: true, Max: 8, TTL: 30 * time.Second, KeepAlive: true}},
			{Path: `^/img/(.*\.png)$`, Regex: true, URL: "http://127.0.0.1:8081/p/$1", Worker: ProxyWorker{URL: "http://127.0.0.1:8081/p/$1"}},
			{Path: "/lb/", URL: "balancer://Pool/", Balancer: "balancer://pool"},
		},
		Balancers: []ProxyBalancer{{Name: "balancer://pool", LBMethod: LBByBusyness, MaxAttempts: 1, Members: []ProxyWorker{
			{URL: "http://127.0.0.1:9001", LoadFactor: 200},
			{URL: "http://127.0.0.1:9002", Retry: time.Second, RetrySet: true},
		}}},
		Timeout: 7 * time.Second,
		Dir: &ProxyDir{
			Reverse:       []ProxyReverse{{Fake: "/app/", Real: "http://127.0.0.1:8080/x/"}},
			CookieDomains: []ProxyReverse{{Fake: "backend", Real: "front"}},
			CookiePaths:   []ProxyReverse{{Fake: "/x/", Real: "/app/"}},
			PreserveHost:  true, PreserveHostSet: true,
			NoAddHeaders: true, AddHeadersSet: true,
		},
	}
	if !reflect.DeepEqual(srv, want) {
		g, _ := json.MarshalIndent(srv, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("got\n%s\nwant\n%s", g, w)
	}
	ws := b.Dir("/ws")
	if ws == nil || ws.Alias == nil || ws.Alias.Path != "/ws" || ws.Alias.Worker.Upgrade != "websocket" ||
		ws.Alias.Worker.Timeout != 2*time.Second || len(ws.Reverse) != 1 || ws.Reverse[0].Fake != "/ws" {
		t.Fatalf("location /ws: %+v", ws)
	}
	if u := b.Dir("/u"); u.Alias.Worker.Upgrade != "websocket" {
		t.Fatalf("upgrade=websocket: %+v", u.Alias)
	}

	// A frozen snapshot survives a JSON round trip.
	data, err := json.Marshal(srv)
	if err != nil {
		t.Fatal(err)
	}
	var back ProxyServer
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, srv) {
		t.Fatalf("JSON round trip changed the config:\n%s", data)
	}
	data, _ = json.Marshal(ws)
	var wsBack ProxyDir
	if err := json.Unmarshal(data, &wsBack); err != nil || !reflect.DeepEqual(&wsBack, ws) {
		t.Fatalf("JSON round trip of a ProxyDir: %v\n%s", err, data)
	}
}

func TestProxyFinishChecksBalancer(t *testing.T) {
	b, err := buildProxy(pl("ProxyPass", "/", "balancer://none/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Finish(); err == nil || !strings.Contains(err.Error(), "no BalancerMember") {
		t.Fatalf("got %v", err)
	}
}

func TestMergeProxyDir(t *testing.T) {
	base := &ProxyDir{Reverse: []ProxyReverse{{"/a", "http://a/"}}, PreserveHost: true, PreserveHostSet: true}
	child := &ProxyDir{Reverse: []ProxyReverse{{"/b", "http://b/"}}, NoAddHeaders: true, AddHeadersSet: true}
	m := MergeProxyDir(base, child)
	if len(m.Reverse) != 2 || m.Reverse[0].Fake != "/a" || !m.PreserveHost || m.AddHeaders() {
		t.Fatalf("%+v", m)
	}
	if MergeProxyDir(nil, child) != child || MergeProxyDir(base, nil) != base {
		t.Fatal("nil merge")
	}
	if !(*ProxyDir)(nil).AddHeaders() {
		t.Fatal("ProxyAddHeaders is On by default")
	}
}

func FuzzProxyPassArgs(f *testing.F) {
	f.Add("/app/", "http://127.0.0.1:8080/x/", "timeout=5")
	f.Add("^/(.*)$", "http://b/$1", "retry=0")
	f.Add("~", "balancer://p/", "lbmethod=byrequests")
	f.Add("/x", "!", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var pb ProxyBuilder
		args := []string{a, b, c}
		for _, regex := range []string{"ProxyPass", "ProxyPassMatch"} {
			if err := pb.Directive("", regex, args); err != nil {
				continue
			}
			p := pb.srv.Passes[len(pb.srv.Passes)-1]
			if p.Exclude || p.Balancer != "" {
				continue
			}
			// The backend's scheme and host are fixed by configuration.
			scheme, hostport, _ := ProxyHostPort(p.Worker.URL)
			if strings.ContainsAny(hostport, "$@/?#") || scheme == "" {
				t.Fatalf("%q: backend %q", args, p.Worker.URL)
			}
		}
	})
}

func TestProxyPassInProxySection(t *testing.T) {
	_, err := buildProxy(pl("<Proxy", "balancer://p"), pl("ProxyPass", "/x", "http://b/"))
	if err == nil || err.Error() != "ProxyPass|ProxyPassMatch can not have a path when defined in a location." {
		t.Fatalf("got %v", err)
	}
}

// Apache 2.4.71 with "ProxyPass /shared/ http://b/main/" in the main server
// and "ProxyPass /shared/ http://b/vhost/" in a <VirtualHost> (with or
// without ProxyPassInherit Off) sends the vhost's /shared/x to /main/x.
func TestMergeProxyServer(t *testing.T) {
	mb, _ := buildProxy(pl("ProxyPass", "/shared/", "http://b/main/"), pl("ProxyTimeout", "9"),
		pl("BalancerMember", "balancer://p", "http://m1/"), pl("BalancerMember", "balancer://q", "http://m2/"))
	vb, _ := buildProxy(pl("ProxyPass", "/shared/", "http://b/vhost/"), pl("ProxyPass", "/own/", "http://b/own/"),
		pl("BalancerMember", "balancer://q", "http://v2/"))
	main, _ := mb.Finish()
	vhost, _ := vb.Finish()
	m := MergeProxyServer(main, vhost)
	if len(m.Passes) != 3 || m.Passes[0].URL != "http://b/main/" || m.Passes[2].Path != "/own/" {
		t.Fatalf("passes %+v", m.Passes)
	}
	if m.Timeout != 9*time.Second {
		t.Fatalf("timeout %v", m.Timeout)
	}
	// mod_proxy's merge_balancers: a balancer both define keeps the main
	// server's members (Apache 2.4.71, observed).
	if q := m.Balancer("balancer://q"); q == nil || q.Members[0].URL != "http://m2/" || m.Balancer("balancer://p") == nil {
		t.Fatalf("balancers %+v", m.Balancers)
	}
	if MergeProxyServer(nil, vhost) != vhost || MergeProxyServer(main, nil) != main {
		t.Fatal("nil merge")
	}
}
