package errorlog

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/gohttpd/gohttpd/internal/loglevel"
)

// Apache's log levels as slog levels (defined in internal/loglevel, which
// mpm uses too; see there for their order).
const (
	LevelEmerg  = loglevel.Emerg
	LevelAlert  = loglevel.Alert
	LevelCrit   = loglevel.Crit
	LevelError  = loglevel.Error
	LevelWarn   = loglevel.Warn
	LevelNotice = loglevel.Notice
	LevelInfo   = loglevel.Info
	LevelDebug  = loglevel.Debug
	LevelTrace1 = loglevel.Trace1
	LevelTrace2 = loglevel.Trace2
	LevelTrace3 = loglevel.Trace3
	LevelTrace4 = loglevel.Trace4
	LevelTrace5 = loglevel.Trace5
	LevelTrace6 = loglevel.Trace6
	LevelTrace7 = loglevel.Trace7
	LevelTrace8 = loglevel.Trace8
)

// levels lists every named level, most severe first.
var levels = [...]struct {
	name  string
	level slog.Level
}{
	{"emerg", LevelEmerg},
	{"alert", LevelAlert},
	{"crit", LevelCrit},
	{"error", LevelError},
	{"warn", LevelWarn},
	{"notice", LevelNotice},
	{"info", LevelInfo},
	{"debug", LevelDebug},
	{"trace1", LevelTrace1},
	{"trace2", LevelTrace2},
	{"trace3", LevelTrace3},
	{"trace4", LevelTrace4},
	{"trace5", LevelTrace5},
	{"trace6", LevelTrace6},
	{"trace7", LevelTrace7},
	{"trace8", LevelTrace8},
}

// ParseLevel returns the slog level for an Apache LogLevel name (emerg,
// alert, crit, error, warn, notice, info, debug, trace1 ... trace8; case
// does not matter).
func ParseLevel(name string) (slog.Level, error) {
	for _, l := range levels {
		if strings.EqualFold(name, l.name) {
			return l.level, nil
		}
	}
	return 0, fmt.Errorf("errorlog: unknown log level %q (want emerg, alert, crit, error, warn, notice, info, debug or trace1 to trace8)", name)
}

// LevelName returns Apache's name for l. A level between two named ones
// takes the name of the less severe one (so a record is shown at a
// LogLevel exactly when its name is); a level below trace8 is trace8.
func LevelName(l slog.Level) string {
	for _, n := range levels {
		if l >= n.level {
			return n.name
		}
	}
	return "trace8"
}
