package errorlog

import (
	"fmt"
	"log/slog"
	"strings"
)

// Apache's log levels as slog levels. A larger slog level is more severe,
// so Apache's order (emerg most severe, trace8 least) runs downwards:
// error, warn, info and debug are slog's own levels; notice sits between
// warn and info; crit, alert and emerg continue slog's steps of four above
// error; trace1 to trace8 continue one by one below debug.
const (
	LevelEmerg  slog.Level = 20
	LevelAlert  slog.Level = 16
	LevelCrit   slog.Level = 12
	LevelError             = slog.LevelError // 8
	LevelWarn              = slog.LevelWarn  // 4
	LevelNotice slog.Level = 2
	LevelInfo              = slog.LevelInfo  // 0
	LevelDebug             = slog.LevelDebug // -4
	LevelTrace1 slog.Level = -5
	LevelTrace2 slog.Level = -6
	LevelTrace3 slog.Level = -7
	LevelTrace4 slog.Level = -8
	LevelTrace5 slog.Level = -9
	LevelTrace6 slog.Level = -10
	LevelTrace7 slog.Level = -11
	LevelTrace8 slog.Level = -12
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
