package alias

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Apache 2.4.71's answers (Debian build, mpm_event, mod_alias, mod_dir,
// mod_mime, mod_authz_core, no mod_autoindex), recorded by
// testdata/apache/observe.py from the two instances of testdata/apache/README
// (httpd.conf on 127.0.0.1:18480, httpd2.conf with a <VirtualHost> on
// 127.0.0.1:18482) into testdata/apache/observed/*.txt. The test builds the
// same configuration files with conf's builders (harness_test.go), serves
// them with a fasthttp.Server on a loopback listener, sends the same
// requests with the same Host header, and compares status, Location,
// Content-Type and body. Deliberate differences are listed in gohttpdDiffers.

type observed struct {
	method, target string
	want           response
}

func readObserved(t *testing.T, name string) []observed {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "apache", "observed", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimPrefix(string(raw), "=== ")
	var out []observed
	for _, block := range strings.Split(text, "\n=== ") {
		head, body, _ := strings.Cut(block, "\n\n")
		lines := strings.Split(head, "\n")
		method, target, _ := strings.Cut(lines[0], " ")
		var o observed
		o.method, o.target = method, target
		for _, l := range lines[1:] {
			k, v, _ := strings.Cut(l, ": ")
			v = strings.TrimSuffix(v, " ")
			switch k {
			case "status":
				o.want.status, _ = strconv.Atoi(v)
			case "location", "location:":
				o.want.location = v
			case "content-type":
				o.want.contentType = v
			}
		}
		if strings.HasSuffix(body, "\n\\ no newline\n") {
			body = strings.TrimSuffix(body, "\n\\ no newline\n")
		} else if strings.HasSuffix(body, "\n\\ no newline") {
			body = strings.TrimSuffix(body, "\n\\ no newline")
		}
		o.want.body = body
		out = append(out, o)
	}
	return out
}

// gohttpdDiffers are requests where gohttpd answers differently on purpose.
var gohttpdDiffers = map[string]string{}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

func startSite(t *testing.T, s *tserver) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Logger: quiet{}, Handler: func(ctx *fasthttp.RequestCtx) {
		method := string(ctx.Method())
		r := s.serve(method, string(ctx.Path()), string(ctx.URI().QueryString()), string(ctx.Host()))
		ctx.SetStatusCode(r.status)
		if r.location != "" {
			ctx.Response.Header.Set("Location", r.location)
		}
		if r.contentType != "" {
			ctx.SetContentType(r.contentType)
		} else {
			ctx.Response.Header.SetNoDefaultContentType(true)
		}
		ctx.SetBodyString(r.body)
	}}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ln.Addr().String()
}

func TestApacheObserved(t *testing.T) {
	base, err := filepath.Abs(filepath.Join("testdata", "apache"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file  string
		port  int
		vhost bool
	}{{"httpd", 18480, false}, {"httpd2", 18482, true}} {
		s, err := loadServer(tc.file+".conf", base, tc.vhost)
		if err != nil {
			t.Fatal(err)
		}
		addr := startSite(t, s)
		client := &fasthttp.HostClient{Addr: addr, DisablePathNormalizing: true, ReadTimeout: 5 * time.Second}
		for _, o := range readObserved(t, tc.file) {
			req := fasthttp.AcquireRequest()
			resp := fasthttp.AcquireResponse()
			req.Header.SetMethod(o.method)
			req.SetRequestURI(o.target)
			req.URI().DisablePathNormalizing = true
			req.Header.SetHost("127.0.0.1:" + strconv.Itoa(tc.port))
			req.UseHostHeader = true
			if o.method == "POST" {
				req.SetBodyString("a=1")
				req.Header.SetContentType("application/x-www-form-urlencoded")
			}
			if o.method == "HEAD" {
				resp.SkipBody = true
			}
			if err := client.DoTimeout(req, resp, 5*time.Second); err != nil {
				t.Fatalf("%s %s: %v", o.method, o.target, err)
			}
			got := response{
				status:      resp.StatusCode(),
				location:    string(resp.Header.Peek("Location")),
				contentType: string(resp.Header.ContentType()),
				body:        string(resp.Body()),
			}
			fasthttp.ReleaseRequest(req)
			fasthttp.ReleaseResponse(resp)
			if why, ok := gohttpdDiffers[tc.file+" "+o.target]; ok {
				t.Logf("%s %s differs on purpose: %s", o.method, o.target, why)
				continue
			}
			if got != o.want {
				t.Errorf("%s: %s %s:\n got %d %q %q\n%s\nwant %d %q %q\n%s", tc.file, o.method, o.target,
					got.status, got.location, got.contentType, got.body,
					o.want.status, o.want.location, o.want.contentType, o.want.body)
			}
		}
	}
}
