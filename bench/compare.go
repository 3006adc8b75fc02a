package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/target"
	"github.com/gohttpd/gohttpd/bench/threshold"
)

// foreign is a comparison server the bench starts itself (--compare):
// Apache with one MPM, or nginx.
type foreign struct {
	name string
	kind target.Kind
	mpm  string // Apache's MPM
	inst target.Installed
}

// findForeign locates the --compare servers. Those not installed are
// returned as skip lines: the bench is a user's tool, so it runs without
// them, but says so loudly.
func findForeign(o *Options) (found map[string]*foreign, versions map[string]string, skipped []string) {
	found, versions = map[string]*foreign{}, map[string]string{}
	var apache, nginx *target.Installed
	var apacheErr, nginxErr error
	for _, name := range o.Compare {
		var f *foreign
		switch {
		case strings.HasPrefix(name, "apache-"):
			if apache == nil && apacheErr == nil {
				inst, err := target.FindApache(o.ApacheBin, o.ApacheModules)
				apache, apacheErr = &inst, err
			}
			if apacheErr != nil {
				skipped = append(skipped, name+": "+apacheErr.Error()+" (install apache2, or give --apache-bin and --apache-modules)")
				continue
			}
			f = &foreign{name: name, kind: target.KindApache, mpm: strings.TrimPrefix(name, "apache-"), inst: *apache}
			versions["apache"] = apache.Version + " (" + apache.Bin + ")"
		case name == "nginx":
			if nginx == nil && nginxErr == nil {
				inst, err := target.FindNginx(o.NginxBin)
				nginx, nginxErr = &inst, err
			}
			if nginxErr != nil {
				skipped = append(skipped, name+": "+nginxErr.Error()+" (install nginx, or give --nginx-bin)")
				continue
			}
			f = &foreign{name: name, kind: target.KindNginx, inst: *nginx}
			versions["nginx"] = nginx.Version + " (" + nginx.Bin + ")"
		}
		if f != nil {
			found[name] = f
		}
	}
	return found, versions, skipped
}

// startForeign starts the env's comparison server in dir with the
// scenario's directives dirs (and the user's -c ones): Apache takes them
// as they are (gohttpd's directives are Apache's); nginx takes those it
// has an equivalent for, and the case notes the others.
func (e *env) startForeign(ctx context.Context, dir string, dirs []string) (*target.Server, error) {
	all := append(append([]string{}, dirs...), e.o.Directives...)
	spec := target.ForeignSpec{Kind: e.fg.kind, Name: e.fg.name, Installed: e.fg.inst, MPM: e.fg.mpm,
		Dir: dir, Directives: all, CPUs: e.serverCPUs, TLS: e.sc.tls, H2: e.sc.h2}
	if e.fg.kind == target.KindNginx {
		spec.Directives, e.nginxIgnored = target.NginxDirectives(all)
		e.nginxLines = spec.Directives
		// As many worker processes as CPUs the servers may use, as the
		// engines' processes and threads spread over them.
		spec.Workers = runtime.NumCPU()
		if len(e.serverCPUs) > 0 {
			spec.Workers = len(e.serverCPUs)
		}
		e.nginxLines = append([]string{fmt.Sprintf("worker_processes %d;", spec.Workers)}, e.nginxLines...)
	}
	return target.StartForeign(ctx, spec)
}

// fixed reports whether the target's configuration cannot take the
// scenario's directives: a --target server, or nginx.
func (e *env) fixed() bool {
	return e.ext != nil || (e.fg != nil && e.fg.kind == target.KindNginx)
}

// checkThresholds evaluates the --threshold checks against run's figures.
func checkThresholds(run *report.Run, raw []string) []threshold.Result {
	var out []threshold.Result
	for _, s := range raw {
		t, err := threshold.Parse(s)
		if err != nil { // ParseArgs checked them; a caller of Run may not have
			out = append(out, threshold.Result{Threshold: s, Message: "FAIL " + s + ": " + err.Error()})
			continue
		}
		out = append(out, t.Check(s, func(sub threshold.Subject) (float64, error) { return lookupFigure(run, sub) }))
	}
	return out
}

// errNoFigure is wrapped when a threshold names what the run lacks.
var errNoFigure = errors.New("not in this run")

// lookupFigure finds a threshold subject's figure in run: names match
// without regard to case or spaces.
func lookupFigure(run *report.Run, s threshold.Subject) (float64, error) {
	n := threshold.Norm
	var cases []string
	for _, c := range run.Cases {
		if n(c.Target) != n(s.Target) || n(c.Scenario) != n(s.Scenario) {
			continue
		}
		if c.Name == "" && len(c.Figures) == 0 && len(c.Notes) > 0 {
			return 0, fmt.Errorf("%s", c.Notes[0]) // the scenario did not run there
		}
		cases = append(cases, c.Name)
		if n(c.Name) != n(s.Case) {
			continue
		}
		if c.Error != "" {
			return 0, fmt.Errorf("the case failed: %s", firstLine(c.Error))
		}
		f, ok := c.Lookup(s.Metric)
		if !ok {
			for _, g := range c.Figures {
				if n(g.Name) == n(s.Metric) {
					f, ok = g, true
					break
				}
			}
		}
		switch {
		case !ok && len(c.Figures) == 0 && len(c.Notes) > 0:
			return 0, fmt.Errorf("%s", c.Notes[0])
		case !ok:
			return 0, fmt.Errorf("no figure %q (%w)", s.Metric, errNoFigure)
		case f.Unknown:
			return 0, fmt.Errorf("%s is unknown (%s) on %s", f.Name, report.Unknown, c.Target)
		}
		return f.Value, nil
	}
	if len(cases) > 0 {
		return 0, fmt.Errorf("no case %q of %s on %s (have %s) (%w)", s.Case, s.Scenario, s.Target, strings.Join(cases, ", "), errNoFigure)
	}
	return 0, fmt.Errorf("%s did not run %s (%w)", s.Target, s.Scenario, errNoFigure)
}

// firstLine returns s up to its first line break.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
