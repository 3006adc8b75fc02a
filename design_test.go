// Package gohttpd_test holds the design-property tests that span the
// whole module: the dependency rules of DESIGN.md ("Layout and dependency
// direction"), checked on every package's imports.
package gohttpd_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gohttpd/gohttpd"

// engines are the concurrency engines: they import only mpm and internal
// packages of the project, and never viper.
var engines = []string{"mpm/prefork", "mpm/worker", "mpm/event"}

// rule is one dependency rule: packages matching from may import a project
// package (module-relative path) or viper only when allow says so.
type rule struct {
	name  string
	from  func(pkg string) bool
	allow func(imp string) bool
}

func isUnder(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }

func isInternal(imp string) bool {
	return strings.HasPrefix(imp, "internal/") || strings.Contains(imp, "/internal/")
}

func isEngine(pkg string) bool {
	return slices.ContainsFunc(engines, func(e string) bool { return isUnder(pkg, e) })
}

const viper = "github.com/spf13/viper"

var rules = []rule{
	{"engines import only mpm and internal packages, never each other, conf or viper",
		isEngine,
		func(imp string) bool { return imp == "mpm" || isInternal(imp) }},
	{"conf imports no other package of the project",
		func(p string) bool { return isUnder(p, "conf") },
		func(imp string) bool { return imp == viper }},
	{"listener imports no other package of the project",
		func(p string) bool { return isUnder(p, "listener") },
		func(string) bool { return false }},
	{"mpm (the contract) imports only internal packages of the project",
		func(p string) bool { return p == "mpm" },
		isInternal},
	{"site never imports an engine or viper",
		func(p string) bool { return isUnder(p, "site") },
		func(imp string) bool { return imp != viper && !isEngine(imp) && !isUnder(imp, "cmd") }},
	{"only conf imports viper",
		func(p string) bool { return !isUnder(p, "conf") },
		func(imp string) bool { return imp != viper }},
	{"only cmd/gohttpd wires the engines",
		func(p string) bool { return !isUnder(p, "cmd/gohttpd") && !isEngine(p) },
		func(imp string) bool { return !isEngine(imp) }},
}

// TestDependencyRules checks every package's non-test imports against
// rules.
func TestDependencyRules(t *testing.T) {
	pkgs := projectImports(t)
	for _, want := range append([]string{"conf", "site", "mpm", "listener"}, engines...) {
		if _, ok := pkgs[want]; !ok {
			t.Fatalf("package %s not found: is the test run from the module root?", want)
		}
	}
	for pkg, imps := range pkgs {
		for _, r := range rules {
			if !r.from(pkg) {
				continue
			}
			for _, imp := range imps {
				if !r.allow(imp) {
					t.Errorf("%s imports %s: %s", pkg, imp, r.name)
				}
			}
		}
	}
}

// TestDependencyRulesBite makes sure the rules can fail: each forbidden
// edge of the design is refused.
func TestDependencyRulesBite(t *testing.T) {
	for _, edge := range [][2]string{
		{"mpm/event", "mpm/worker"}, {"mpm/prefork", "conf"}, {"mpm/worker", viper},
		{"conf", "site"}, {"listener", "mpm"}, {"site/status", "mpm/event"}, {"mpm", "site"},
		{"site", viper}, {"bench", "mpm/prefork"},
	} {
		refused := false
		for _, r := range rules {
			if r.from(edge[0]) && !r.allow(edge[1]) {
				refused = true
			}
		}
		if !refused {
			t.Errorf("no rule refuses %s -> %s", edge[0], edge[1])
		}
	}
}

// projectImports maps each package of the module (module-relative path)
// to its non-test imports that are project packages (module-relative) or
// viper. Build constraints are ignored so every platform file counts.
func projectImports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	ctx := build.Default
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		for _, goos := range []string{"linux", "darwin"} {
			ctx.GOOS = goos
			p, err := ctx.ImportDir(path, 0)
			if err != nil {
				continue // no Go files for this platform
			}
			rel := filepath.ToSlash(path)
			for _, imp := range p.Imports {
				switch {
				case imp == viper:
				case strings.HasPrefix(imp, module+"/"):
					imp = strings.TrimPrefix(imp, module+"/")
				default:
					continue
				}
				if !slices.Contains(out[rel], imp) {
					out[rel] = append(out[rel], imp)
				}
			}
			if _, ok := out[rel]; !ok {
				out[rel] = nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("go.mod"); err != nil {
		t.Fatal(err)
	}
	return out
}
