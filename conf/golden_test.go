package conf

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// caseExts are the extensions of golden-test inputs in testdata/ (files in
// its subdirectories are only included by them).
var caseExts = []string{".conf", ".yaml", ".yml", ".toml", ".json"}

// lineless are error cases whose error has no line: file-level errors and
// structured files.
var lineless = map[string]bool{
	"err-no-listen.conf": true,
	"err-unknown.yaml":   true,
	"err-number.json":    true,
}

// TestGolden loads every testdata/*.conf (and .yaml, .toml, .json) and
// compares Dump() or the error text with the file's .golden; files named
// err-* must fail, and (unless lineless) with *Error values carrying a
// line. A first-lines comment "# args: ..." gives -D NAME, -C "directive",
// -c "directive", -e NAME=value (environment) and -T.
func TestGolden(t *testing.T) {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(testdata)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !slices.Contains(caseExts, filepath.Ext(name)) {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(testdata, name)
			opts := Options{File: path}
			caseArgs(t, path, &opts)
			cfg, err := Load(opts)
			wantErr := strings.HasPrefix(name, "err-")
			var got string
			switch {
			case err != nil && !wantErr:
				t.Fatalf("Load(%s) = %v, want no error", name, err)
			case err == nil && wantErr:
				t.Fatalf("Load(%s) = nil error, want an error", name)
			case err != nil:
				checkErrorTree(t, err, !lineless[name])
				got = "error: " + err.Error() + "\n"
			default:
				got = cfg.Dump()
			}
			compareGolden(t, path+".golden", normalise(got, testdata))
		})
	}
	if n == 0 {
		t.Fatal("no golden cases found in testdata")
	}
}

// TestGoldenDefault compares Default(engine) with testdata/default-*.golden
// and checks that Load with no file gives the same configuration.
func TestGoldenDefault(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range []string{Prefork, Worker, Event} {
		t.Run(engine, func(t *testing.T) {
			def := Default(engine)
			compareGolden(t, filepath.Join("testdata", "default-"+engine+".golden"),
				strings.ReplaceAll(normalise(def.Dump(), ""), cwd, "$CWD"))
			got, err := Load(Options{Pre: []string{"MPM " + engine}})
			if err != nil {
				t.Fatalf("Load(-C MPM %s) = %v", engine, err)
			}
			if g, w := got.Dump(), def.Dump(); g != w {
				t.Errorf("Load(-C MPM %s).Dump() =\n%s\nwant Default(%q).Dump() =\n%s", engine, g, engine, w)
			}
		})
	}
	if g, w := Default("bogus").MPM, Event; g != w {
		t.Errorf("Default(bogus).MPM = %q, want %q", g, w)
	}
}

// caseArgs reads the "# args:" comment of a test input.
func caseArgs(t *testing.T, path string, opts *Options) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "# args:")
		if !ok {
			continue
		}
		words := tokenize(rest)
		for i := 0; i < len(words); i++ {
			arg := func() string {
				i++
				if i >= len(words) {
					t.Fatalf("%s: %s needs a value", path, words[i-1])
				}
				return words[i]
			}
			switch words[i] {
			case "-D":
				opts.Defines = append(opts.Defines, arg())
			case "-C":
				opts.Pre = append(opts.Pre, arg())
			case "-c":
				opts.Post = append(opts.Post, arg())
			case "-e":
				opts.Environ = append(opts.Environ, arg())
			case "-T":
				opts.SkipDocumentRootCheck = true
			default:
				t.Fatalf("%s: unknown test argument %q", path, words[i])
			}
		}
	}
}

// checkErrorTree checks that err is an *Error or a join of them, each with
// a file and (if withLine) a line.
func checkErrorTree(t *testing.T, err error, withLine bool) {
	t.Helper()
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			checkErrorTree(t, e, withLine)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *conf.Error", err, err)
	}
	if e.File == "" {
		t.Errorf("error %q has no file", e)
	}
	if withLine && e.Line <= 0 {
		t.Errorf("error %q has line %d, want > 0", e, e.Line)
	}
}

// normalise replaces what depends on the machine: the testdata directory
// and the host name.
func normalise(s, testdata string) string {
	if testdata != "" {
		s = strings.ReplaceAll(s, testdata, "$TESTDATA")
	}
	return strings.ReplaceAll(s, "ServerName: "+strconv.Quote(hostname()), `ServerName: "$HOSTNAME"`)
}

func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./conf -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
	}
}
