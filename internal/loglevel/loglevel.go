// Package loglevel names Apache's log levels as slog levels, for every
// package that logs at one slog lacks (notice, crit ...): mpm, which may
// import only internal packages, and site/errorlog, which writes them.
//
// A larger slog level is more severe, so Apache's order (emerg most
// severe, trace8 least) runs downwards: error, warn, info and debug are
// slog's own levels; notice sits between warn and info; crit, alert and
// emerg continue slog's steps of four above error; trace1 to trace8
// continue one by one below debug.
package loglevel

import "log/slog"

// Apache's levels.
const (
	Emerg  slog.Level = 20
	Alert  slog.Level = 16
	Crit   slog.Level = 12
	Error             = slog.LevelError // 8
	Warn              = slog.LevelWarn  // 4
	Notice slog.Level = 2
	Info              = slog.LevelInfo  // 0
	Debug             = slog.LevelDebug // -4
	Trace1 slog.Level = -5
	Trace2 slog.Level = -6
	Trace3 slog.Level = -7
	Trace4 slog.Level = -8
	Trace5 slog.Level = -9
	Trace6 slog.Level = -10
	Trace7 slog.Level = -11
	Trace8 slog.Level = -12
)
