package site

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gohttpd/gohttpd/conf"
)

// respKeep are the response headers TestRespLikeApache compares, in
// the order testdata/resp/probe.py prints them.
var respKeep = []string{"Content-Type", "Content-Encoding", "Content-Language", "Vary", "ETag",
	"Cache-Control", "Expires", "Content-Range", "Connection", "X-Site", "X-Always",
	"X-Env", "X-Echo-1", "X-Echo-2", "X-Cond", "X-Nocond", "TCN", "Content-Location", "Alternates"}

// respDocroot writes testdata/resp/files.json under dir/htdocs with
// Apache's test modification time (2023-11-14 22:13:20 UTC).
func respDocroot(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile("testdata/resp/files.json")
	if err != nil {
		t.Fatal(err)
	}
	var files map[string]string
	if err := json.Unmarshal(data, &files); err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(1700000000, 0)
	for name, body := range files {
		p := filepath.Join(dir, "htdocs", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// respConfig loads testdata/resp/resp.conf for a document root under base.
func respConfig(t *testing.T, base string) *conf.Config {
	t.Helper()
	text, err := os.ReadFile("testdata/resp/resp.conf")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(string(text), "@DOCROOT@", base+"/htdocs")
	return loadSections(t, base, body)
}

// respProbe sends one line of probes.txt and prints the answer as
// probe.py does.
func respProbe(t *testing.T, addr, line string) string {
	t.Helper()
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	reqLine := parts[0]
	var raw strings.Builder
	raw.WriteString(reqLine + "\r\nHost: test\r\n")
	for _, h := range parts[1:] {
		raw.WriteString(h + "\r\n")
	}
	raw.WriteString("\r\n")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, raw.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	hdr := map[string][]string{}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		k = strings.ToLower(strings.TrimSpace(k))
		hdr[k] = append(hdr[k], strings.TrimSpace(v))
	}
	head := strings.HasPrefix(reqLine, "HEAD")
	n, _ := strconv.Atoi(first(hdr["content-length"], "0"))
	body := make([]byte, n)
	if !head && n > 0 {
		if _, err := io.ReadFull(br, body); err != nil {
			t.Fatalf("%s: body: %v", line, err)
		}
	}
	f := strings.Fields(status)
	out := []string{"> " + line, "< " + f[0] + " " + f[1]}
	date, _ := fasthttp.ParseHTTPDate([]byte(first(hdr["date"], "")))
	enc := first(hdr["content-encoding"], "")
	for _, k := range respKeep {
		for _, v := range hdr[strings.ToLower(k)] {
			switch {
			case k == "Expires":
				// fasthttp's Date is its clock of the current second, up
				// to a second behind the request's start, from which
				// Expires counts (Apache: both the request's time).
				e, _ := fasthttp.ParseHTTPDate([]byte(v))
				d := int(e.Sub(date).Seconds())
				if ma := first(hdr["cache-control"], ""); strings.Contains(ma, "max-age="+strconv.Itoa(d-1)) {
					d--
				}
				v = fmt.Sprintf("Date+%d", d)
			case k == "Content-Range" && (enc == "gzip" || enc == "br"):
				v = v[:strings.LastIndexByte(v, '/')] + "/coded"
			}
			out = append(out, k+": "+v)
		}
	}
	switch {
	case enc == "gzip" && n > 0 && len(hdr["content-range"]) == 0 && !head:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: gzip: %v", line, err)
		}
		dec, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: gzip: %v", line, err)
		}
		out = append(out, fmt.Sprintf("Decoded-Length: %d", len(dec)))
	case enc == "gzip" || enc == "br":
		out = append(out, "Content-Length: coded")
	default:
		out = append(out, "Content-Length: "+first(hdr["content-length"], "-"))
	}
	return strings.Join(out, "\n")
}

func first(v []string, def string) string {
	if len(v) == 0 {
		return def
	}
	return v[0]
}

// respDeviations are the answers where gohttpd deliberately differs
// from Apache 2.4.71 (site/compress's package doc): a 304 to a client
// that accepts gzip carries the coded ETag and Vary (Apache: the
// identity ETag, no Vary), and If-None-Match with the coded tag gets its
// 304 (Apache: 200 with the whole body, bug 45023).
var respDeviations = map[string]string{
	`GET /index.html HTTP/1.1 | Accept-Encoding: gzip | If-None-Match: "d4c-60a24181e4000-gzip"`: `< HTTP/1.1 304
Vary: Accept-Encoding
ETag: "d4c-60a24181e4000-gzip"
X-Site: gohttpd-test
X-Always: yes
Content-Length: -`,
	`GET /index.html HTTP/1.1 | Accept-Encoding: gzip | If-None-Match: "d4c-60a24181e4000"`: `< HTTP/1.1 304
Vary: Accept-Encoding
ETag: "d4c-60a24181e4000-gzip"
X-Site: gohttpd-test
X-Always: yes
Content-Length: -`,
	`GET /index.html HTTP/1.1 | If-None-Match: "d4c-60a24181e4000"`: `< HTTP/1.1 304
Vary: Accept-Encoding
ETag: "d4c-60a24181e4000"
X-Site: gohttpd-test
X-Always: yes
Content-Length: -`,
}

// TestRespLikeApache: the requests of testdata/resp/probes.txt were
// sent to Apache 2.4.71 (mpm_event, mime, dir, setenvif, env, headers,
// expires, filter, deflate, brotli, authz_core, authz_host; User
// nobody) configured with testdata/resp/resp.conf on the files of
// files.json, by testdata/resp/probe.py; testdata/resp/apache.txt holds
// its answers (Content-Type, Content-Encoding, Content-Language, Vary,
// ETag, Cache-Control, Expires relative to Date, custom headers,
// Connection, lengths, decoded bodies). gohttpd must answer the same,
// except for respDeviations.
func TestRespLikeApache(t *testing.T) {
	if _, err := os.Stat("/etc/mime.types"); err != nil {
		t.Skip("no /etc/mime.types (Debian: media-types)")
	}
	base := t.TempDir()
	respDocroot(t, base)
	cfg := respConfig(t, base)
	_, addr := startSite(t, cfg, Options{})
	data, err := os.ReadFile("testdata/resp/apache.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(strings.TrimSpace(string(data)), "\n\n") {
		line, want, _ := strings.Cut(block, "\n")
		line = strings.TrimPrefix(line, "> ")
		if dev, ok := respDeviations[line]; ok {
			want = dev
		}
		got := respProbe(t, addr, line)
		_, got, _ = strings.Cut(got, "\n")
		got, want = errorPageLength(got), vlistETag(errorPageLength(want))
		if got != want {
			t.Errorf("%s:\ngot:\n%s\nwant (Apache):\n%s", line, got, want)
		}
	}
}

// errorPageLength drops the Content-Length of an error page: Apache
// 2.4.71's pages start with an HTML 4.01 DOCTYPE, gohttpd's (site's
// errpage.go, not this test's business) with Apache's older HTML 2.0 one.
func errorPageLength(answer string) string {
	status, _, _ := strings.Cut(answer, "\n")
	f := strings.Fields(status)
	if len(f) < 3 || f[2] < "300" || f[2] == "304" {
		return answer
	}
	i := strings.LastIndex(answer, "\nContent-Length: ")
	if i < 0 {
		return answer
	}
	return answer[:i]
}

// vlistETag gives Apache's type-map ETags ("variant;map", which Apache
// 2.4.71 sends without the closing quote) the quote gohttpd keeps.
func vlistETag(answer string) string {
	lines := strings.Split(answer, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "ETag: ") && strings.Contains(l, ";") && !strings.HasSuffix(l, `"`) {
			lines[i] = l + `"`
		}
	}
	return strings.Join(lines, "\n")
}

// TestTypeMap406Body: the variant list of a 406 from a type map, as
// Apache 2.4.71 wrote it for testdata/resp's neg/doc.var and neg/foo.var.
func TestTypeMap406Body(t *testing.T) {
	if _, err := os.Stat("/etc/mime.types"); err != nil {
		t.Skip("no /etc/mime.types (Debian: media-types)")
	}
	base := t.TempDir()
	respDocroot(t, base)
	_, addr := startSite(t, respConfig(t, base), Options{})
	for _, c := range []struct{ req, want string }{
		{req("GET", "/neg/doc.var", "Accept: image/png"), `Available variants:
<ul>
<li><a href="doc.html">doc.html</a> , type text/html</li>
<li><a href="doc.txt">doc.txt</a> plain text, type text/plain</li>
<li><a href="doc.pdf">doc.pdf</a> , type application/pdf</li>
</ul>
</body></html>
`},
		{req("GET", "/neg/foo.var", "Accept: text/plain"), `Available variants:
<ul>
<li><a href="foo.en.html">foo.en.html</a> , type text/html, language en</li>
<li><a href="foo.fr.html">foo.fr.html</a> , type text/html, language fr, charset iso-8859-1</li>
<li><a href="foo.de.html">foo.de.html</a> , type text/html, language de</li>
</ul>
</body></html>
`},
	} {
		resp := get(t, addr, c.req)
		body := string(resp.Body())
		if i := strings.Index(body, "Available variants:"); resp.StatusCode() != 406 || i < 0 || body[i:] != c.want {
			t.Errorf("%q = %d\n%s\nwant the list:\n%s", c.req, resp.StatusCode(), body, c.want)
		}
	}
}
