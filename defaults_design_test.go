package gohttpd_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/mpm"
	"github.com/gohttpd/gohttpd/mpm/event"
	"github.com/gohttpd/gohttpd/mpm/prefork"
	"github.com/gohttpd/gohttpd/mpm/worker"
)

// One owner per setting (issue 13): conf fills every default (its table in
// conf/defaults.go); an engine's Config.Validate only checks, and a zero
// Config is an error of the same shape in every engine.

// TestEnginesRefuseZeroConfig: Validate and New refuse each engine's zero
// Config with *mpm.ConfigError values wrapping mpm.ErrInvalidConfig.
func TestEnginesRefuseZeroConfig(t *testing.T) {
	checks := []struct {
		engine   string
		validate error
		newErr   error
	}{
		{"prefork", prefork.Config{}.Validate(), newErr(prefork.New(prefork.Config{}, mpm.ChildDeps{}))},
		{"worker", worker.Config{}.Validate(), newErr(worker.New(worker.Config{}, mpm.ChildDeps{}))},
		{"event", event.Config{}.Validate(), newErr(event.New(event.Config{}, mpm.ChildDeps{}))},
		{"event", event.PolicyConfig{}.Validate(), nil},
	}
	for _, c := range checks {
		for what, err := range map[string]error{"Validate": c.validate, "New": c.newErr} {
			if what == "New" && c.newErr == nil {
				continue
			}
			if !errors.Is(err, mpm.ErrInvalidConfig) {
				t.Errorf("%s: %s of a zero Config = %v, want an error wrapping mpm.ErrInvalidConfig", c.engine, what, err)
				continue
			}
			var ce *mpm.ConfigError
			if !errors.As(err, &ce) || ce.Engine != c.engine || !strings.HasPrefix(err.Error(), c.engine+": ") {
				t.Errorf("%s: %s of a zero Config = %v, want *mpm.ConfigError values of engine %q", c.engine, what, err, c.engine)
			}
		}
	}
}

func newErr[T any](_ T, err error) error { return err }

// TestEnginesOwnNoDefaults: no engine declares a default (a Default*
// constant or variable, a withDefaults-like function) or assigns a field of
// its Config outside a test: that is conf's job.
func TestEnginesOwnNoDefaults(t *testing.T) {
	for _, pkg := range engines {
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]bool{}
		var parsed []*ast.File
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			parsed = append(parsed, f)
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !strings.HasSuffix(ts.Name.Name, "Config") {
					return true
				}
				if st, ok := ts.Type.(*ast.StructType); ok {
					for _, fl := range st.Fields.List {
						for _, id := range fl.Names {
							fields[id.Name] = true
						}
					}
				}
				return true
			})
		}
		for _, f := range parsed {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for _, id := range n.Names {
						if strings.HasPrefix(id.Name, "Default") || strings.HasPrefix(id.Name, "default") {
							t.Errorf("%s: %s declares a default; conf owns the defaults", fset.Position(id.Pos()), id.Name)
						}
					}
				case *ast.FuncDecl:
					if l := strings.ToLower(n.Name.Name); strings.Contains(l, "default") {
						t.Errorf("%s: func %s fills defaults; conf owns them, engines only Validate", fset.Position(n.Pos()), n.Name.Name)
					}
				case *ast.AssignStmt:
					for _, lhs := range n.Lhs {
						sel, ok := lhs.(*ast.SelectorExpr)
						if !ok || !fields[sel.Sel.Name] || !isCfg(sel.X) {
							continue
						}
						t.Errorf("%s: assigns %s of the engine's Config; conf owns the defaults", fset.Position(lhs.Pos()), sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}

// isCfg reports whether x names a Config value: cfg, or something.cfg.
func isCfg(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return x.Name == "cfg"
	case *ast.SelectorExpr:
		return x.Sel.Name == "cfg"
	}
	return false
}

// TestEnginesOwnNoDefaultsBites: the check above finds the pattern the
// event engine used to have.
func TestEnginesOwnNoDefaultsBites(t *testing.T) {
	src := `package event
func (cfg Config) withDefaults() Config {
	if cfg.Timeout == 0 { cfg.Timeout = 60 }
	return cfg
}`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok {
			if sel, ok := a.Lhs[0].(*ast.SelectorExpr); ok && isCfg(sel.X) {
				found++
			}
		}
		if fd, ok := n.(*ast.FuncDecl); ok && strings.Contains(strings.ToLower(fd.Name.Name), "default") {
			found++
		}
		return true
	})
	if found != 2 {
		t.Errorf("the checks found %d of the 2 marks of an engine filling defaults", found)
	}
}
