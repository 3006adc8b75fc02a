// Command gohttpd is an HTTP/1.1 web server with Apache httpd's three
// concurrency engines (prefork, worker, event), driven by Apache's own
// directives and command-line flags. Run it with no arguments to serve the
// built-in default site on http://127.0.0.1:8080/.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/mpm"
)

func main() {
	if mpm.IsChild(os.Args) {
		os.Exit(runChild(os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "bench" {
		return runBench(args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if err != nil {
		fmt.Fprint(stderr, usage)
		return 1
	}
	switch {
	case o.help:
		fmt.Fprint(stdout, usage)
		return 0
	case o.version:
		printVersion(stdout)
		return 0
	case o.verbose:
		printCompileSettings(stdout, o)
		return 0
	}

	cfg, err := loadConfig(o)
	if err != nil {
		printConfigError(stderr, err)
		return 1
	}
	printStartup(stderr, cfg)
	if o.check {
		printNotices(stderr, cfg)
		if o.dump {
			printRunSettings(stdout, cfg)
		}
		fmt.Fprintln(stderr, "Syntax OK")
		return 0
	}
	if o.action != "" {
		return control(o, cfg, stdout, stderr)
	}
	return serveExit(cfg, o, stderr)
}

// loadConfig reads the configuration the flags name.
func loadConfig(o *options) (*conf.Config, error) {
	cfg, err := conf.Load(conf.Options{
		File:                  o.file,
		Defines:               o.defines,
		Pre:                   o.pre,
		Post:                  o.post,
		Environ:               os.Environ(),
		SkipDocumentRootCheck: o.skipDocRoot,
	})
	if err == nil && o.action != "stop" && o.action != "graceful-stop" {
		err = applyMD(cfg) // mod_md's certificates (md.go)
	}
	if err == nil && o.action != "stop" && o.action != "graceful-stop" {
		err = checkTLS(cfg) // certificates and keys (tls.go); a broken one must not keep -k stop from stopping
	}
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// printConfigError prints each configuration error on its own line, the
// way httpd -t reports a syntax error.
func printConfigError(w io.Writer, err error) {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			fmt.Fprintf(w, "gohttpd: %v\n", e)
		}
		return
	}
	fmt.Fprintf(w, "gohttpd: %v\n", err)
}

// printStartup prints the clamping warnings bare on stderr, as Apache
// prints its startup-phase messages.
func printStartup(w io.Writer, cfg *conf.Config) {
	for _, s := range cfg.Warnings {
		fmt.Fprintln(w, s)
	}
}

// printNotices is what -t and -S add: each notice of the configuration
// (directives accepted and ignored because they change nothing a client
// gets, deprecated names, ...) as a warning naming file and line. A
// running server logs them at info level.
func printNotices(w io.Writer, cfg *conf.Config) {
	for _, n := range cfg.Notices {
		fmt.Fprintf(w, "gohttpd: warning: %s\n", n)
	}
}
