package site

import (
	"os"

	"github.com/gohttpd/gohttpd/conf"
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
	// Options None: no symbolic link is followed (AH00037, 403), as in
	// Apache; TestSymlinkOptions covers FollowSymLinks.
	cfg.Site.Dir = &conf.DirConfig{Options: conf.OptionSet{Set: true}}
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
		{"symlink to file outside", "GET /leak.txt HTTP/1.1", 403},
		{"absolute symlink", "GET /absleak.txt HTTP/1.1", 403},
		{"symlinked dir outside", "GET /outdir/secret.txt HTTP/1.1", 403},
		{"symlinked dir outside index", "GET /outdir/ HTTP/1.1", 403},
		{"symlinked dir outside redirect", "GET /outdir HTTP/1.1", 403},
		{"symlink from subdir", "GET /sub/deep.txt HTTP/1.1", 403},
		{"symlink loop", "GET /loop HTTP/1.1", 403},
		{"index symlinked outside", "GET /sub/ HTTP/1.1", 200}, // skipped: index.html serves
		{"symlink inside", "GET /inlink.txt HTTP/1.1", 403},
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

// TestSymlinkOptions: symbolic links are followed as Options says, checked
// on each path component as ap_directory_walk does: FollowSymLinks (the
// default) follows any link whose target exists, also out of
// DocumentRoot; SymLinksIfOwnerMatch when link and target have one owner;
// neither refuses with 403 (AH00037). A loop is 403 in every case.
func TestSymlinkOptions(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	writeFiles(t, base, map[string]string{
		"outside/page.txt": "outside page",
		"root/in/ok.txt":   "inside",
		"root/index.html":  "home",
	})
	for link, target := range map[string]string{
		"root/out.txt": "../outside/page.txt",
		"root/outdir":  "../outside",
		"root/in.txt":  "in/ok.txt",
		"root/loop":    "loop",
		"root/gone":    "nothing-here",
	} {
		if err := os.Symlink(target, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	// A link owned by someone else (root can make one): followed with
	// FollowSymLinks only.
	other := os.Geteuid() == 0
	if other {
		if err := os.Symlink("../outside/page.txt", filepath.Join(root, "other.txt")); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(filepath.Join(root, "other.txt"), 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		path                        string
		follow, owner, none, minusF int
	}{
		{"/out.txt", 200, 200, 403, 403},
		{"/outdir/page.txt", 200, 200, 403, 403},
		{"/in.txt", 200, 200, 403, 403},
		{"/loop", 403, 403, 403, 403},
		{"/gone", 403, 403, 403, 403},
		{"/in/ok.txt", 200, 200, 200, 200},
	}
	for _, o := range []struct {
		name string
		opts conf.OptionSet
		col  func(c int) int
	}{
		{"FollowSymLinks", conf.OptionSet{Opts: conf.OptSymLinks, Set: true}, func(int) int { return 0 }},
		{"SymLinksIfOwnerMatch", conf.OptionSet{Opts: conf.OptSymOwner, Set: true}, func(int) int { return 1 }},
		{"None", conf.OptionSet{Set: true}, func(int) int { return 2 }},
		{"-FollowSymLinks", conf.OptionSet{Remove: conf.OptSymLinks}, func(int) int { return 3 }},
	} {
		t.Run(o.name, func(t *testing.T) {
			cfg := testConfig(root)
			cfg.Site.Locations = nil // no section at all: the walk is skipped when Options allow it
			cfg.Site.Dir = conf.MergeDir(conf.ServerDirDefaults(), &conf.DirConfig{Options: o.opts})
			_, addr := startSite(t, cfg, Options{})
			all := cases
			if other {
				all = append(all, struct {
					path                        string
					follow, owner, none, minusF int
				}{"/other.txt", 200, 403, 403, 403})
			}
			for _, c := range all {
				want := []int{c.follow, c.owner, c.none, c.minusF}[o.col(0)]
				resp := get(t, addr, "GET "+c.path+" HTTP/1.1\r\nHost: test\r\n\r\n")
				if got := resp.StatusCode(); got != want {
					t.Errorf("GET %s = %d, want %d", c.path, got, want)
				}
			}
		})
	}
}
