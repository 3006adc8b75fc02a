package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "TOP-SECRET-4f1c9e"

func TestTraversal(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	writeFiles(t, base, map[string]string{
		"secret.txt":          secret,
		"outside/secret.txt":  secret,
		"outside/index.html":  secret,
		"root/index.html":     "<h1>home</h1>",
		"root/sub/index.html": "<h1>sub</h1>",
		"root/in/ok.txt":      "inside",
	})
	for link, target := range map[string]string{
		"root/leak.txt":      "../secret.txt",                           // relative, outside
		"root/absleak.txt":   filepath.Join(base, "secret.txt"),         // absolute
		"root/outdir":        "../outside",                              // directory outside
		"root/sub/deep.txt":  "../../outside/secret.txt",                // from a subdirectory
		"root/inlink.txt":    "in/ok.txt",                               // stays inside: allowed
		"root/loop":          "loop",                                    // a loop
		"root/sub/index.htm": filepath.Join(base, "outside/index.html"), // index outside
	} {
		if err := os.Symlink(target, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(root)
	cfg.Site.DirectoryIndex = []string{"index.htm", "index.html"}
	_, addr := startSite(t, cfg, Options{})

	tests := []struct {
		name   string
		line   string // raw request line
		status int
	}{
		{"dotdot", "GET /../secret.txt HTTP/1.1", 400},
		{"dotdot deep", "GET /sub/../../secret.txt HTTP/1.1", 400},
		{"dotdot after dot", "GET /./../secret.txt HTTP/1.1", 400},
		{"dotdot doubled slash", "GET //../secret.txt HTTP/1.1", 400},
		{"encoded dotdot", "GET /%2e%2e/secret.txt HTTP/1.1", 400},
		{"encoded dotdot upper", "GET /%2E%2E/secret.txt HTTP/1.1", 400},
		{"half-encoded dotdot", "GET /.%2e/secret.txt HTTP/1.1", 400},
		{"encoded dotdot trailing", "GET /sub/%2e%2e/%2e%2e HTTP/1.1", 400},
		{"absolute-form dotdot", "GET http://test/../secret.txt HTTP/1.1", 400},
		{"encoded slash", "GET /..%2fsecret.txt HTTP/1.1", 404},
		{"encoded slash upper", "GET /..%2Fsecret.txt HTTP/1.1", 404},
		{"fully encoded", "GET /%2e%2e%2fsecret.txt HTTP/1.1", 404},
		{"encoded slashes deep", "GET /sub/..%2f..%2fsecret.txt HTTP/1.1", 404},
		{"encoded backslash", "GET /..%5csecret.txt HTTP/1.1", 404},
		{"encoded backslashes deep", "GET /sub/..%5c..%5csecret.txt HTTP/1.1", 404},
		{"raw backslash", `GET /..\secret.txt HTTP/1.1`, 404},
		{"raw backslashes deep", `GET /sub\..\..\secret.txt HTTP/1.1`, 404},
		{"NUL", "GET /secret.txt%00.html HTTP/1.1", 404},
		{"NUL alone", "GET /%00 HTTP/1.1", 404},
		{"bad escape", "GET /%zz HTTP/1.1", 400},
		{"truncated escape", "GET /a%2 HTTP/1.1", 400},
		{"symlink to file outside", "GET /leak.txt HTTP/1.1", 404},
		{"absolute symlink", "GET /absleak.txt HTTP/1.1", 404},
		{"symlinked dir outside", "GET /outdir/secret.txt HTTP/1.1", 404},
		{"symlinked dir outside index", "GET /outdir/ HTTP/1.1", 404},
		{"symlinked dir outside redirect", "GET /outdir HTTP/1.1", 404},
		{"symlink from subdir", "GET /sub/deep.txt HTTP/1.1", 404},
		{"symlink loop", "GET /loop HTTP/1.1", 404},
		{"index symlinked outside", "GET /sub/ HTTP/1.1", 200}, // skipped: index.html serves
		{"symlink inside", "GET /inlink.txt HTTP/1.1", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, addr, tc.line+"\r\nHost: test\r\n\r\n")
			if got := resp.StatusCode(); got != tc.status {
				t.Errorf("%q: status = %d, want %d", tc.line, got, tc.status)
			}
			if strings.Contains(string(resp.Body()), secret) {
				t.Fatalf("%q: the response contains the secret: %q", tc.line, resp.Body())
			}
			if tc.status == 200 && len(resp.Body()) == 0 {
				t.Errorf("%q: empty 200 body", tc.line)
			}
		})
	}
}
