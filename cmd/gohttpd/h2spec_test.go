package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// h2specModule is the HTTP/2 conformance suite, built through the module
// proxy (as internal/h2bridge's TestH2Spec).
const h2specModule = "github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible"

// h2specBinaryFailures are the h2spec 2.2.1 cases the binary fails on
// "Protocols h2c http/1.1": only 3.5/2 ("INVALID CONNECTION PREFACE" is
// answered as an HTTP/1.1 request, the port also speaking HTTP/1.1;
// Apache 2.4.71 fails 3.5/2 on h2c too). The bridge's native loop passes
// the rest (x/net's server, Options.XNet, failed 6.5.3/1, 8.1.2.2/1 and
// 8.1.2.2/2 too).
var h2specBinaryFailures = []string{"3.5/2"}

// TestH2SpecBinary runs h2spec (h2c, prior knowledge) against the binary
// on every engine.
func TestH2SpecBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := filepath.Join(t.TempDir(), "bin")
	cmd := exec.Command("go", "install", h2specModule)
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=-mod=mod")
	cmd.Dir = t.TempDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building h2spec (%s) failed: %v\n%s", h2specModule, err, out)
	}
	failRE := regexp.MustCompile(`(?m)^\s*(\d+(?:\.\d+)*)\.? .*$|^\s*× (\d+): `)
	for _, mpmName := range []string{"event", "prefork", "worker"} {
		t.Run(mpmName, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: mpmName, Directives: h2Directives})
			host, port, _ := strings.Cut(s.Addr, ":")
			start := time.Now()
			out, _ := exec.Command(filepath.Join(bin, "h2spec"), "-h", host, "-p", port, "-o", "2", "-P", "/index.html").CombinedOutput()
			summary := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).Find(out)
			if summary == nil {
				t.Fatalf("no h2spec summary:\n%s", out)
			}
			t.Logf("h2spec %s: %s (%v)", mpmName, summary, time.Since(start))
			_, after, _ := strings.Cut(string(out), "Failures: ")
			var failed []string
			section := ""
			for _, line := range strings.Split(after, "\n") {
				m := failRE.FindStringSubmatch(line)
				switch {
				case m == nil:
				case m[2] != "":
					failed = append(failed, section+"/"+m[2])
				default:
					section = m[1]
				}
			}
			if strings.Join(failed, " ") != strings.Join(h2specBinaryFailures, " ") {
				t.Errorf("h2spec failures %v, want %v\n%s", failed, h2specBinaryFailures, out)
			}
		})
	}
}
