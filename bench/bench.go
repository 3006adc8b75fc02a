package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/bench/clients"
	"github.com/gohttpd/gohttpd/bench/report"
	"github.com/gohttpd/gohttpd/bench/target"
)

// ExitThresholds is the exit code when a --threshold check failed.
const ExitThresholds = 3

// Main is "gohttpd bench": it parses args, runs the scenarios, prints the
// table on stdout and writes the reports. exe is the gohttpd binary, which
// it starts once per engine and re-executes for helper client processes.
// It returns the exit code: 0, 1 on errors, 2 on bad flags, 3 when a
// --threshold check failed, 130 when ctx was cancelled (SIGINT).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, exe string) int {
	if len(args) > 0 && args[0] == clients.HelperArg {
		raiseNoFile()
		return clients.HelperMain(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	o, err := ParseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if !errors.Is(err, errReported) {
			printErr(stderr, err)
		}
		return 2
	}
	if o.WriteDocroot != "" {
		if err := target.WriteDocroot(o.WriteDocroot); err != nil {
			fmt.Fprintln(stderr, "gohttpd bench:", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote the bench's files into %s\n", o.WriteDocroot)
		return 0
	}
	o.Exe = exe
	if o.Out == "" {
		o.Out = "gohttpd-bench-" + time.Now().Format("20060102-150405")
	}
	o.Progress = o.Progress && isTerminal(stderr)
	run, err := Run(ctx, o, stderr)
	if run == nil {
		printErr(stderr, err)
		return 1
	}
	run.Args = args
	run.Thresholds = checkThresholds(run, o.Thresholds)
	fmt.Fprint(stdout, report.Table(run))
	if o.Out != "-" {
		if werr := report.WriteAll(o.Out, run, About); werr != nil {
			printErr(stderr, werr)
			return 1
		}
		fmt.Fprintf(stdout, "\nwrote %s, %s and %s\n",
			filepath.Join(o.Out, "bench.txt"), filepath.Join(o.Out, "bench.json"), filepath.Join(o.Out, "bench.html"))
	}
	switch {
	case run.Interrupted:
		fmt.Fprintln(stderr, "gohttpd bench: interrupted; partial results written")
		return 130
	case err != nil:
		printErr(stderr, err)
		return 1
	case run.ThresholdsFailed():
		fmt.Fprintln(stderr, "gohttpd bench: thresholds failed")
		return ExitThresholds
	}
	return 0
}

// printErr prints err as "gohttpd bench: ...".
func printErr(w io.Writer, err error) {
	msg := strings.TrimPrefix(err.Error(), "bench: ")
	fmt.Fprintln(w, "gohttpd bench:", msg)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Run runs o's scenarios on o's targets, scenario by scenario, and returns
// every case's result. Progress goes to progress. The error reports cases
// that failed; the returned Run holds whatever was measured (nil only when
// nothing could start). When ctx is cancelled, Run stops the current case,
// stops every server and client it started, and returns the partial Run
// marked Interrupted.
func Run(ctx context.Context, o Options, progress io.Writer) (*report.Run, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Exe == "" && len(o.Engines) > 0 {
		return nil, errors.New("bench: no gohttpd binary to start")
	}
	raiseNoFile()
	tmp, err := os.MkdirTemp("", "gohttpd-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	// Started as root, gohttpd's children (and Apache's) serve as User
	// (nobody by default), who must reach the document roots in tmp.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	foreigns, versions, skipped := findForeign(&o)
	for _, s := range skipped {
		fmt.Fprintf(progress, "gohttpd bench: SKIPPING %s\n", s)
	}

	run := &report.Run{Started: time.Now(), Quick: o.Quick, Scenarios: o.Scenarios}
	serverCPUs, loadCPUs, pinning, err := planPinning(o.Pin)
	if err != nil {
		return nil, err
	}
	run.Machine = machine(o.Exe, pinning)
	run.Skipped = skipped
	if len(versions) > 0 {
		run.Machine.Servers = versions
	}

	var ext *target.Server
	if o.Target != "" {
		ext, err = target.External(o.Target, o.TargetPID, o.TargetName)
		if err != nil {
			return nil, err
		}
		if len(serverCPUs) > 0 && ext.PID > 0 {
			if err := target.PinTree(ext.PID, serverCPUs); err != nil {
				return nil, err
			}
		}
	}
	targets := slices.Clone(o.Engines)
	for _, name := range o.Compare {
		if foreigns[name] != nil {
			targets = append(targets, name)
		}
	}
	if ext != nil {
		targets = append(targets, ext.Name)
	}
	run.Targets = targets
	prog := report.NewProgress(progress, o.Progress)

	var errs []error
	for _, name := range o.Scenarios {
		sc := scenarioByName(name)
		for _, t := range targets {
			if ctx.Err() != nil {
				break
			}
			e := &env{
				o: &o, sc: sc, target: t, tmp: tmp, prog: prog,
				serverCPUs: serverCPUs, loadCPUs: loadCPUs,
			}
			if ext != nil && t == ext.Name {
				e.ext = ext
			}
			e.fg = foreigns[t]
			if e.fixed() && !sc.external {
				run.Cases = append(run.Cases, &report.Case{Scenario: sc.name, Target: t,
					Notes: []string{"skipped: needs directives this server has no equivalent for (" + sc.needs + ")"}})
				continue
			}
			if why := extSkip(sc, e.ext); why != "" {
				run.Cases = append(run.Cases, &report.Case{Scenario: sc.name, Target: t,
					Notes: []string{"skipped: " + why}})
				continue
			}
			err := sc.run(ctx, e)
			e.closeCase()
			if err != nil && ctx.Err() == nil {
				errs = append(errs, fmt.Errorf("%s on %s: %w", sc.name, t, err))
				if len(e.cases) == 0 {
					e.cases = append(e.cases, &report.Case{Scenario: sc.name, Target: t})
				}
				e.cases[len(e.cases)-1].Error = err.Error()
			}
			run.Cases = append(run.Cases, e.cases...)
		}
	}
	prog.End("")
	run.Finished = time.Now()
	run.Interrupted = ctx.Err() != nil
	return run, errors.Join(errs...)
}

// planPinning splits the usable CPUs between servers (the first half) and
// the load generator (the rest), pins this process, and describes it.
func planPinning(pin bool) (server, loadCPUs []int, desc string, err error) {
	if !pin {
		return nil, nil, "none", nil
	}
	cpus := target.OnlineCPUs()
	if len(cpus) < 2 {
		return nil, nil, "", fmt.Errorf("bench: --pin needs at least 2 usable CPUs, have %d", len(cpus))
	}
	half := len(cpus) / 2
	server, loadCPUs = cpus[:half], cpus[half:]
	if err := target.PinSelf(loadCPUs); err != nil {
		return nil, nil, "", err
	}
	return server, loadCPUs, fmt.Sprintf("server CPUs %v, load generator CPUs %v (sched_setaffinity on every thread)", server, loadCPUs), nil
}
