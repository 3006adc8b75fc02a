package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// options are the parsed command-line flags, named as Apache's httpd(8).
type options struct {
	file        string   // -f
	pre         []string // -C, processed before the file
	post        []string // -c, processed after the file
	defines     []string // -D
	check       bool     // -t
	skipDocRoot bool     // -T
	dump        bool     // -S
	version     bool     // -v
	verbose     bool     // -V
	oneProcess  bool     // -X
	action      string   // -k start|stop|restart|graceful|graceful-stop
	help        bool     // -h
}

// multi collects a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ", ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

var actions = map[string]bool{
	"start": true, "stop": true, "restart": true, "graceful": true, "graceful-stop": true,
}

// errUsage reports a bad command line; main prints the usage and exits 1,
// as httpd does.
var errUsage = errors.New("usage")

// parseFlags parses args (without the program name). Apache's attached
// forms such as -DFOO and -fhttpd.conf are accepted too.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("gohttpd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.file, "f", "", "")
	fs.Var((*multi)(&o.pre), "C", "")
	fs.Var((*multi)(&o.post), "c", "")
	fs.Var((*multi)(&o.defines), "D", "")
	fs.BoolVar(&o.check, "t", false, "")
	fs.BoolVar(&o.skipDocRoot, "T", false, "")
	fs.BoolVar(&o.dump, "S", false, "")
	fs.BoolVar(&o.version, "v", false, "")
	fs.BoolVar(&o.verbose, "V", false, "")
	fs.BoolVar(&o.oneProcess, "X", false, "")
	fs.StringVar(&o.action, "k", "", "")
	fs.BoolVar(&o.help, "h", false, "")
	if err := fs.Parse(splitAttached(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			o.help = true
			return o, nil
		}
		fmt.Fprintf(stderr, "gohttpd: %v\n", err)
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gohttpd: unexpected argument %q\n", fs.Arg(0))
		return nil, errUsage
	}
	if o.action != "" && !actions[o.action] {
		fmt.Fprintf(stderr, "gohttpd: -k %s: unknown action\n", o.action)
		return nil, errUsage
	}
	for _, d := range o.defines {
		switch d {
		case "DUMP_VHOSTS", "DUMP_RUN_CFG":
			o.dump = true
		case "ONE_PROCESS", "DEBUG":
			o.oneProcess = true
		}
	}
	if o.dump {
		o.check = true
	}
	return o, nil
}

// splitAttached turns "-DFOO" into "-D", "FOO" for the flags that take a
// value, as httpd's getopt accepts both.
func splitAttached(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && strings.ContainsRune("fCcDk", rune(a[1])) && a[2] != '=' {
			out = append(out, a[:2], a[2:])
			continue
		}
		out = append(out, a)
	}
	return out
}

const usage = `Usage: gohttpd [-D name] [-f file] [-C "directive"] [-c "directive"]
               [-k start|restart|graceful|graceful-stop|stop]
               [-v] [-V] [-h] [-t] [-T] [-S] [-X]
       gohttpd bench [options]   (see gohttpd bench -h)
Options:
  -D name            : define a name for use in <IfDefine name> directives
  -f file            : specify an alternate ServerConfigFile
  -C "directive"     : process directive before reading config files
  -c "directive"     : process directive after reading config files
  -v                 : show version number
  -V                 : show compile settings
  -h                 : list available command line options (this page)
  -S                 : show parsed run settings (listeners, backlog, engine)
  -t                 : run syntax check for config files
  -T                 : start without DocumentRoot(s) check
  -X                 : debug mode (only one process, do not detach)
  -k action          : signal the running server named by PidFile
`
