package autoindex

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/conf"
)

var update = flag.Bool("update", false, "rewrite the golden files with this package's output (normally they come from Apache: testdata/apache/capture.sh)")

// splitArgs splits a directive line as ap_getword_conf does: blanks
// separate words, double or single quotes group them, backslash escapes a
// quote inside quotes.
func splitArgs(line string) []string {
	var out []string
	for {
		line = strings.TrimLeft(line, " \t")
		if line == "" {
			return out
		}
		q := line[0]
		if q == '"' || q == '\'' {
			var b strings.Builder
			i := 1
			for ; i < len(line) && line[i] != q; i++ {
				if line[i] == '\\' && i+1 < len(line) && line[i+1] == q {
					i++
				}
				b.WriteByte(line[i])
			}
			out = append(out, b.String())
			line = line[min(i+1, len(line)):]
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
}

// buildSection feeds directive lines to a builder for sectionPath,
// skipping lines that are not mod_autoindex's.
func buildSection(t testing.TB, sectionPath string, lines []string) *conf.AutoindexConfig {
	t.Helper()
	b := conf.NewAutoindexBuilder(sectionPath)
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '<' {
			continue
		}
		args := splitArgs(line)
		known := false
		for _, d := range conf.AutoindexDirectives {
			known = known || strings.EqualFold(d, args[0])
		}
		if !known {
			continue
		}
		if err := b.Directive(args[0], args[1:]); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return b.Finish()
}

// apacheConfigs builds the merged configuration of each variant directory
// of testdata/apache/httpd.conf.in, with root standing for @ROOT@: the
// server level (Debian's autoindex.conf) merged with the variant's
// <Directory> section.
func apacheConfigs(t testing.TB, root string) map[string]*conf.AutoindexConfig {
	t.Helper()
	deb, err := os.ReadFile("testdata/apache/autoindex.conf")
	if err != nil {
		t.Fatal(err)
	}
	server := buildSection(t, "", strings.Split(string(deb), "\n"))
	httpd, err := os.ReadFile("testdata/apache/httpd.conf.in")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]string{}
	cur := ""
	depth := 0
	for _, line := range strings.Split(string(httpd), "\n") {
		s := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(s, "<Directory @ROOT@/htdocs/"):
			cur = strings.TrimSuffix(strings.TrimPrefix(s, "<Directory @ROOT@/htdocs/"), ">")
			depth = 0
		case strings.HasPrefix(s, "</Directory>"):
			cur = ""
		case cur != "" && strings.HasPrefix(s, "</"):
			depth--
		case cur != "" && strings.HasPrefix(s, "<"):
			depth++
		case cur != "" && depth == 0:
			sections[cur] = append(sections[cur], s)
		}
	}
	out := map[string]*conf.AutoindexConfig{}
	for _, v := range treeVariants {
		for _, rel := range []string{v, v + "/sub"} {
			// ap_directory_walk: <Directory />, <Directory @ROOT@/htdocs>
			// (no mod_autoindex directives: nil), then the variant's
			// sections on the way down, merged among themselves; then the
			// result over the server's.
			var walk *conf.AutoindexConfig
			for _, d := range []string{v, v + "/sub"} {
				if lines, ok := sections[d]; ok && strings.HasPrefix(rel, d) {
					walk = conf.MergeAutoindex(walk, buildSection(t, filepath.Join(root, d), lines))
				}
			}
			out[rel] = conf.MergeAutoindex(server, walk)
		}
	}
	return out
}

// testTypes answers as Apache's mod_mime with /etc/mime.types and the
// AddType lines of httpd.conf.in, for the names of the test tree: every
// extension after the first dot, case-insensitively, the last known one
// winning.
func testTypes(name string) (string, string) { return mimeTypes(name, false) }

// mimeTypes is testTypes, with "AddEncoding x-gzip .gz" when gz.
func mimeTypes(name string, gz bool) (string, string) {
	ctype, enc := "", ""
	if i := strings.IndexByte(name, '.'); i >= 0 {
		for rest := name[i+1:]; rest != ""; {
			ext, next, _ := strings.Cut(rest, ".")
			rest = next
			if t, ok := testMIME[strings.ToLower(ext)]; ok {
				ctype = t
			}
			if gz && strings.EqualFold(ext, "gz") {
				enc = "x-gzip"
			}
		}
	}
	return ctype, enc
}

var testMIME = map[string]string{
	"txt": "text/plain", "html": "text/html", "pdf": "application/pdf",
	"tar": "application/x-tar", "gz": "application/x-gzip", "jpg": "image/jpeg",
	"ogg": "audio/ogg", "iso": "application/x-iso9660-image", "bin": "application/octet-stream",
	"c": "text/x-csrc",
}

type goldenCase struct{ name, uri string }

func goldenCases(t testing.TB) []goldenCase {
	b, err := os.ReadFile("testdata/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenCase
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		out = append(out, goldenCase{f[0], f[1]})
	}
	return out
}

// testRequest maps a case's URI onto the tree under htdocs, as Apache's
// translate_name and the directory walk would.
func testRequest(t testing.TB, htdocs, uri string) (*Request, string) {
	t.Helper()
	path, query, _ := strings.Cut(uri, "?")
	dec, ok := unescapeURL(path)
	if !ok {
		t.Fatalf("bad uri %q", uri)
	}
	parts := strings.Split(strings.Trim(dec, "/"), "/")
	variant := parts[0]
	dir := filepath.Join(htdocs, filepath.FromSlash(dec)) + "/"
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	req := &Request{
		URI: dec, Filename: dir, Query: query, FS: root.FS(),
		Types: testTypes, Location: time.UTC,
	}
	if variant == "more2" {
		req.Types = func(name string) (string, string) { return mimeTypes(name, true) }
	}
	if variant == "denied" || variant == "more2" {
		req.Access = func(name string, isDir bool) int {
			if strings.HasPrefix(name, "secret") {
				return StatusForbidden
			}
			return StatusOK
		}
	}
	return req, variant
}

// TestGolden compares listings with Apache 2.4's for the same tree and
// configuration, byte for byte (golden files captured by
// testdata/apache/capture.sh from Apache/2.4.71 (Debian)).
func TestGolden(t *testing.T) {
	htdocs := filepath.Join(t.TempDir(), "htdocs")
	for _, v := range treeVariants {
		writeTree(t, filepath.Join(htdocs, v))
	}
	cfgs := apacheConfigs(t, htdocs)
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			req, variant := testRequest(t, htdocs, c.uri)
			key := variant
			if strings.HasSuffix(req.URI, "/sub/") {
				key += "/sub"
			}
			cfg := cfgs[key]
			var buf bytes.Buffer
			if _, err := Write(&buf, cfg, req); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata/golden", c.name+".html")
			if *update {
				if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s: listing differs from Apache's\n%s", c.uri, lineDiff(want, buf.Bytes()))
			}
			meta, err := os.ReadFile(filepath.Join("testdata/golden", c.name+".meta"))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := "200 "+ContentType(cfg), strings.TrimSpace(string(meta)); got != want {
				t.Errorf("status and Content-Type %q, Apache %q", got, want)
			}
		})
	}
}

// lineDiff shows the first differing lines.
func lineDiff(want, got []byte) string {
	ws := bufio.NewScanner(bytes.NewReader(want))
	gs := bufio.NewScanner(bytes.NewReader(got))
	var b strings.Builder
	n := 0
	for line := 1; ; line++ {
		wok, gok := ws.Scan(), gs.Scan()
		if !wok && !gok {
			break
		}
		if ws.Text() != gs.Text() || wok != gok {
			b.WriteString("line " + itoa(line) + ":\n  apache: " + ws.Text() + "\n  ours:   " + gs.Text() + "\n")
			if n++; n == 4 {
				break
			}
		}
	}
	return b.String()
}
