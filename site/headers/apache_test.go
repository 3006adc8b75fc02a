package headers_test

// The Apache comparison: testdata/apache/httpd.conf was served by
// Apache 2.4.71 (Debian) with
//
//	apache2 -f /tmp/hdr-ap/httpd.conf -D FOREGROUND &
//	testdata/apache/probe.sh > testdata/apache/answers.txt
//
// (the htdocs tree that probe.sh reads is rebuilt here by makeDocroot).
// This test reads the same httpd.conf, builds every section with conf's
// builders, serves the same files with a fasthttp.Server on a loopback
// listener that calls site/setenvif, site/headers, site/expires and
// site/mimetype in the order the package doc gives the integrator, sends
// the requests probe.sh sent, and compares status and headers with
// Apache's recorded answers. Not compared: Date, Server, Last-Modified,
// ETag, Accept-Ranges, Content-Length, Connection; Expires is checked
// to be now + max-age (Apache's max-age values are compared exactly);
// "i=NN" (mod_headers' %i idle workers) is compared as "i=N".

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/expires"
	"github.com/gohttpd/gohttpd/site/headers"
	"github.com/gohttpd/gohttpd/site/mimetype"
	"github.com/gohttpd/gohttpd/site/setenvif"
	"github.com/valyala/fasthttp"
)

const apRoot = "/tmp/hdr-ap/htdocs"

// section is one <Directory> or <Location> of httpd.conf, built.
type section struct {
	dir, loc string
	hdr      *conf.HeadersConfig
	exp      *conf.ExpiresConfig
	mime     *conf.MimeConfig
	sei      *conf.SetEnvIfConfig
	env      *conf.EnvConfig
}

// merged is what the site would cache per (vhost, directory).
type merged struct {
	hdr  *headers.Headers
	exp  *conf.ExpiresConfig
	mime *conf.MimeConfig
	sei  *setenvif.Rules
	env  *conf.EnvConfig
}

// words splits a directive line as ap_getword_conf does.
func words(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out
		}
		var w strings.Builder
		if q := s[0]; q == '"' || q == '\'' {
			i := 1
			for ; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\') {
					i++
				}
				w.WriteByte(s[i])
			}
			s = s[min(i+1, len(s)):]
		} else {
			i := 0
			for ; i < len(s) && s[i] != ' ' && s[i] != '\t'; i++ {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\\' {
					i++
				}
				w.WriteByte(s[i])
			}
			s = s[i:]
		}
		out = append(out, w.String())
	}
}

func loadConf(t *testing.T, path string) (types mimetype.Types, secs []*section) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		cur *section
		hb  conf.HeadersBuilder
		eb  conf.ExpiresBuilder
		mb  conf.MimeBuilder
		sb  conf.SetEnvIfBuilder
		nb  conf.EnvBuilder
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "</") {
			cur.hdr, cur.exp, cur.mime, cur.sei, cur.env = hb.Finish(), eb.Finish(), mb.Finish(), sb.Finish(), nb.Finish()
			secs = append(secs, cur)
			cur = nil
			continue
		}
		if line[0] == '<' {
			w := words(strings.TrimSuffix(line[1:], ">"))
			cur = &section{}
			if strings.EqualFold(w[0], "Directory") {
				cur.dir = w[1]
			} else {
				cur.loc = w[1]
			}
			hb, eb, mb, nb = conf.HeadersBuilder{}, conf.ExpiresBuilder{}, conf.MimeBuilder{}, conf.EnvBuilder{}
			sb = conf.SetEnvIfBuilder{InSection: true}
			continue
		}
		w := words(line)
		name, args := w[0], w[1:]
		if cur == nil {
			if strings.EqualFold(name, "TypesConfig") {
				m, err := conf.LoadMimeTypes("/tmp/hdr-ap", args[0])
				if err != nil {
					t.Skip(err) // the host has no /etc/mime.types (Debian: media-types)
				}
				types = m
			}
			continue
		}
		var err error
		switch {
		case slices.ContainsFunc(conf.HeadersDirectives, func(s string) bool { return strings.EqualFold(s, name) }):
			err = hb.Directive(name, args)
		case slices.ContainsFunc(conf.ExpiresDirectives, func(s string) bool { return strings.EqualFold(s, name) }):
			err = eb.Directive(name, args)
		case slices.ContainsFunc(conf.MimeDirectives, func(s string) bool { return strings.EqualFold(s, name) }):
			err = mb.Directive(name, args)
		case slices.ContainsFunc(conf.SetEnvIfDirectives, func(s string) bool { return strings.EqualFold(s, name) }):
			err = sb.Directive(name, args)
		case slices.ContainsFunc(conf.EnvDirectives, func(s string) bool { return strings.EqualFold(s, name) }):
			err = nb.Directive(name, args)
		}
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return types, secs
}

// mergeFor runs in the server's goroutine: it reports with t.Error.
func mergeFor(t *testing.T, secs []*section, file, uri string) merged {
	var (
		hdr  *conf.HeadersConfig
		exp  *conf.ExpiresConfig
		mime *conf.MimeConfig
		sei  *conf.SetEnvIfConfig
		env  *conf.EnvConfig
	)
	add := func(s *section) {
		hdr, exp, mime = conf.MergeHeaders(hdr, s.hdr), conf.MergeExpires(exp, s.exp), conf.MergeMime(mime, s.mime)
		sei, env = conf.MergeSetEnvIf(sei, s.sei), conf.MergeEnv(env, s.env)
	}
	// Directory sections by depth (httpd.conf lists them shallow first),
	// then Location sections.
	for _, s := range secs {
		if s.dir != "" && (file == s.dir || strings.HasPrefix(file, s.dir+"/")) {
			add(s)
		}
	}
	for _, s := range secs {
		if s.loc != "" && strings.HasPrefix(uri, s.loc) {
			add(s)
		}
	}
	h, err := headers.Compile(hdr)
	if err != nil {
		t.Error(err)
	}
	rules, err := setenvif.Compile(sei)
	if err != nil {
		t.Error(err)
	}
	return merged{hdr: h, exp: exp, mime: mime, sei: rules, env: env}
}

const notFoundBody = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
`

// makeDocroot writes the files probe.sh asks for under dir.
func makeDocroot(t *testing.T, dir string, mtime time.Time) {
	t.Helper()
	files := map[string]string{
		"h5bp/index.html": "hello\n", "succ/index.html": "hello\n", "edit/index.html": "hello\n",
		"am/index.html": "hello\n", "rh/index.html": "hello\n", "env/index.html": "hello\n",
		"e2/index.html": "hello\n", "e3/index.html": "hello\n", "e4/index.html": "hello\n",
		"exp/style.css": "body{}\n", "exp/a.png": "GIF89a", "exp/page.html": "hi\n", "exp/x.json": "t\n",
		"exp/sub/a.png": "GIF89a", "exp/wq/a.png": "GIF89a", "exp/wq/a.txt": "t\n",
		"cs/a.html": "hi\n", "cs/a.txt": "hi\n", "cs/a.css": "hi\n",
		"types/file.tar.gz": "x\n", "types/a.foo": "x\n", "types/a.FOO": "x\n", "types/index.html.en": "x\n",
		"types/a.html": "x\n", "types/noext": "x\n", "types/a.gz.html": "x\n", "types/.hidden.css": "x\n",
		"types/a.svgz": "x\n", "types/a.php.txt": "x\n",
		"force/a.html": "x\n", "rm/a.html": "x\n", "rm/a.css": "x\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "exp/") && !strings.HasPrefix(name, "exp/sub/") {
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// server is the handler chain an integrator builds, in Apache's order.
func server(t *testing.T, types mimetype.Types, secs []*section, docroot string, now time.Time) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		uri := string(ctx.Path())
		rel := strings.TrimPrefix(uri, "/")
		if strings.HasSuffix(uri, "/") {
			rel += "index.html"
		}
		apFile := filepath.Join(apRoot, rel) // the name Apache's sections see
		m := mergeFor(t, secs, apFile, uri)

		var env setenvif.Env
		proto := "HTTP/1.1"
		if !ctx.Request.Header.IsHTTP11() {
			proto = "HTTP/1.0"
		}
		// header_parser: per-directory SetEnvIf; fixups: SetEnv, then
		// RequestHeader.
		m.sei.Apply(&setenvif.Request{
			Header: &ctx.Request.Header, RemoteAddr: ctx.RemoteIP().String(),
			ServerAddr: ctx.LocalIP().String(), RemoteHost: ctx.RemoteIP().String(),
			URI: uri, Method: string(ctx.Method()), Protocol: proto,
		}, &env)
		setenvif.ApplyEnv(m.env, &env)
		vars := &headers.Vars{Env: &env, Request: &ctx.Request.Header, Start: now,
			Now: func() time.Time { return now }, Idle: func() int { return 97 }}
		m.hdr.Request(&ctx.Request.Header, vars)

		// The handler.
		h := &ctx.Response.Header
		h.SetNoDefaultContentType(true)
		file := filepath.Join(docroot, rel)
		st, err := os.Stat(file)
		success := err == nil
		switch {
		case success && st.IsDir():
			// mod_dir's slash redirect goes through Apache's error path.
			success = false
			ctx.SetStatusCode(fasthttp.StatusMovedPermanently)
			h.Set("Location", "http://"+string(ctx.Host())+uri+"/")
			h.SetContentType("text/html; charset=iso-8859-1")
		case success && string(ctx.Request.Header.Peek("If-None-Match")) == "*":
			// A 304 from the handler is a response generated normally.
			ctx.SetStatusCode(fasthttp.StatusNotModified)
		case success:
			body, _ := os.ReadFile(file)
			ctx.SetBody(body)
			r := mimetype.Lookup(m.mime, types, file)
			if r.ContentType != "" {
				h.SetContentType(r.ContentType)
			}
			if r.Encoding != "" {
				h.Set(fasthttp.HeaderContentEncoding, r.Encoding)
			}
			expires.Apply(m.exp, h, &expires.Response{Status: 200, ContentType: r.ContentType, ModTime: st.ModTime(), Now: now})
		default:
			ctx.SetStatusCode(fasthttp.StatusNotFound)
			h.SetContentType("text/html; charset=iso-8859-1")
			ctx.SetBodyString(notFoundBody)
		}
		m.hdr.Response(h, success, vars)
		if ct := h.ContentType(); len(ct) > 0 {
			h.SetContentType(mimetype.DefaultCharset(m.mime, string(ct)))
		}
	}
}

type probe struct {
	args   []string
	status int
	lines  []string
}

func readAnswers(t *testing.T) []probe {
	data, err := os.ReadFile("testdata/apache/answers.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []probe
	for _, block := range strings.Split(string(data), "=== ")[1:] {
		lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
		p := probe{args: splitCurl(lines[0])}
		if len(lines) < 2 {
			continue // no answer (Apache crashed)
		}
		f := strings.Fields(lines[1])
		p.status, _ = strconv.Atoi(f[1])
		p.lines = lines[2:]
		out = append(out, p)
	}
	return out
}

// splitCurl splits probe.sh's echo of curl's arguments ("-H X-Foo: a
// -A Mozilla/5.0 (compatible) -0 URL"): options take the text up to the
// next option.
func splitCurl(s string) []string {
	var out []string
	for s != "" {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "-0") {
			out = append(out, "-0")
			s = s[2:]
			continue
		}
		if strings.HasPrefix(s, "-H ") || strings.HasPrefix(s, "-A ") {
			opt := s[:2]
			s = s[3:]
			end := len(s)
			for _, o := range []string{" -H ", " -A ", " -0 ", " http://"} {
				if i := strings.Index(s, o); i >= 0 && i < end {
					end = i
				}
			}
			out = append(out, opt, s[:end])
			s = s[end:]
			continue
		}
		out = append(out, s)
		s = ""
	}
	return out
}

var ignored = map[string]bool{"date": true, "server": true, "last-modified": true, "etag": true,
	"accept-ranges": true, "content-length": true, "connection": true,
	"location": true} // it names the port

var idleRe = regexp.MustCompile(`i=[0-9]+`)

func normalize(lines []string) (out []string, expires string) {
	for _, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		switch strings.ToLower(name) {
		case "expires":
			expires = l
			continue
		default:
			if ignored[strings.ToLower(name)] || l == "" {
				continue
			}
		}
		out = append(out, idleRe.ReplaceAllString(l, "i=N"))
	}
	slices.SortStableFunc(out, func(a, b string) int {
		na, _, _ := strings.Cut(a, ":")
		nb, _, _ := strings.Cut(b, ":")
		return strings.Compare(strings.ToLower(na), strings.ToLower(nb))
	})
	return out, expires
}

func TestApacheAnswers(t *testing.T) {
	types, secs := loadConf(t, "testdata/apache/httpd.conf")
	docroot := t.TempDir()
	makeDocroot(t, docroot, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	now := time.Date(2026, 12, 2, 2, 6, 14, 0, time.UTC)

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: server(t, types, secs, docroot, now), NoDefaultServerHeader: true, NoDefaultDate: true,
		DisableHeaderNamesNormalizing: true}
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Shutdown()
	client := &fasthttp.HostClient{Addr: ln.Addr().String(), DisableHeaderNamesNormalizing: true, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}

	for _, p := range readAnswers(t) {
		t.Run(strings.Join(p.args, " "), func(t *testing.T) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for i := 0; i < len(p.args); i++ {
				switch p.args[i] {
				case "-H":
					k, v, _ := strings.Cut(p.args[i+1], ":")
					req.Header.Add(k, strings.TrimSpace(v))
					i++
				case "-A":
					req.Header.SetUserAgent(p.args[i+1])
					i++
				case "-0":
					req.Header.SetProtocol("HTTP/1.0")
				default:
					u := strings.TrimPrefix(p.args[i], "http://")
					_, path, _ := strings.Cut(u, "/")
					req.SetRequestURI("/" + path)
					req.Header.SetHost("localhost")
				}
			}
			resp.Header.SetNoDefaultContentType(true)
			if err := client.DoTimeout(req, resp, 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != p.status {
				t.Errorf("status %d, Apache %d", resp.StatusCode(), p.status)
			}
			var got []string
			for k, v := range resp.Header.All() {
				got = append(got, string(k)+": "+string(v))
			}
			gotN, gotExp := normalize(got)
			wantN, wantExp := normalize(p.lines)
			if !slices.Equal(gotN, wantN) {
				t.Errorf("headers differ\n got: %q\nwant: %q", gotN, wantN)
			}
			if (gotExp == "") != (wantExp == "") {
				t.Errorf("Expires: got %q, Apache %q", gotExp, wantExp)
			}
			if gotExp != "" {
				cc := string(resp.Header.Peek("Cache-Control"))
				var age int64
				if i := strings.Index(cc, "max-age="); i >= 0 {
					age, _ = strconv.ParseInt(cc[i+8:], 10, 64)
				}
				exp, err := time.Parse(time.RFC1123, strings.TrimSpace(strings.SplitN(gotExp, ":", 2)[1]))
				if err != nil || !exp.Equal(now.Add(time.Duration(age)*time.Second)) {
					t.Errorf("Expires %q is not now + max-age (%d): %v", gotExp, age, err)
				}
			}
		})
	}
}
