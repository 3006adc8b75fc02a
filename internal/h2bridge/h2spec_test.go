package h2bridge

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// h2specModule is the conformance suite, built through the module proxy.
const h2specModule = "github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible"

// h2specKnownFailures are the h2spec 2.2.1 cases the bridge fails, per
// mode; a new failure, or one of these passing, fails the test so the list
// stays true. The native loop (the default) passes all 145 in h2c and TLS
// mode. With Options.XNet (x/net/http2 v0.62.0's server) three fail, all
// x/net's own choices made before the bridge sees the stream:
//   - 6.5.3/1: a SETTINGS frame repeating SETTINGS_INITIAL_WINDOW_SIZE is a
//     connection error (x/net refuses duplicate settings, against
//     SETTINGS floods; RFC 9113 allows duplicates).
//   - 8.1.2.2/1, 8.1.2.2/2: a request with a connection-specific header
//     (Connection, or TE other than "trailers") gets x/net's 400 answer,
//     not RST_STREAM PROTOCOL_ERROR.
//
// Apache 2.4.71's mod_http2 on h2c (same h2spec) fails 6 others instead:
// 3.5/2, 5.1/8, 5.1/9, 5.1/11, 5.1/12, 5.1.1/2.
var h2specKnownFailures = map[string][]string{
	"h2c":      nil,
	"tls":      nil,
	"xnet-h2c": {"6.5.3/1", "8.1.2.2/1", "8.1.2.2/2"},
	"xnet-tls": {"6.5.3/1", "8.1.2.2/1", "8.1.2.2/2"},
}

// TestH2Spec runs h2spec against the bridge in h2c (prior knowledge) and
// TLS mode. It fails, rather than skips, when h2spec cannot be built.
func TestH2Spec(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := filepath.Join(t.TempDir(), "bin")
	cmd := exec.Command("go", "install", h2specModule)
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=-mod=mod")
	cmd.Dir = t.TempDir() // outside this module: h2spec's own go.mod rules
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building h2spec (%s) failed: %v\n%s", h2specModule, err, out)
	}
	h := func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("text/plain")
		ctx.SetBodyString("h2spec\n")
	}
	for _, mode := range []string{"h2c", "tls", "xnet-h2c", "xnet-tls"} {
		t.Run(mode, func(t *testing.T) {
			useTLS := strings.HasSuffix(mode, "tls")
			s := startServer(t, Options{XNet: strings.HasPrefix(mode, "xnet")}, h, useTLS)
			host, port, _ := strings.Cut(s.addr(), ":")
			args := []string{"-h", host, "-p", port, "-o", "2"}
			if useTLS {
				args = append(args, "-t", "-k")
			}
			start := time.Now()
			out, _ := exec.Command(filepath.Join(bin, "h2spec"), args...).CombinedOutput()
			t.Logf("h2spec %s: %v", mode, time.Since(start))
			summary := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindSubmatch(out)
			if summary == nil {
				t.Fatalf("no h2spec summary:\n%s", out)
			}
			t.Logf("%s", summary[0])
			failed := h2specFailures(out)
			want := append([]string(nil), h2specKnownFailures[mode]...)
			sort.Strings(want)
			if strings.Join(failed, "\n") != strings.Join(want, "\n") {
				t.Errorf("h2spec failures:\n%s\nwant:\n%s\n\nfull output:\n%s", strings.Join(failed, "\n"), strings.Join(want, "\n"), out)
			}
		})
	}
}

// h2specFailures lists the failed case ids ("6.9.1/2") from h2spec's
// "Failures:" section.
func h2specFailures(out []byte) []string {
	_, after, ok := bytes.Cut(out, []byte("Failures: "))
	if !ok {
		return nil
	}
	var (
		ids     []string
		section string
	)
	sec := regexp.MustCompile(`^\s*(\d+(\.\d+)*)\.? `)
	item := regexp.MustCompile(`^\s*× (\d+): `)
	for _, line := range strings.Split(string(after), "\n") {
		if m := item.FindStringSubmatch(line); m != nil {
			ids = append(ids, section+"/"+m[1])
		} else if m := sec.FindStringSubmatch(line); m != nil {
			section = m[1]
		}
	}
	sort.Strings(ids)
	return ids
}
