// Package errorlog writes log/slog records as lines of Apache's error log
// (server/log.c, no ErrorLogFormat):
//
//	[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 7] (13)Permission denied: [client 1.2.3.4:5678] AH00035: access to /x denied, referer: http://a/b
//
// It also maps Apache's LogLevel names (emerg ... trace8) onto slog levels,
// keeping Apache's order, so that "LogLevel warn" becomes a handler that
// drops notice, info, debug and trace records.
//
// A few attributes fill Apache's fields instead of being appended; see
// NewHandler. Every other attribute follows the message as key=value.
package errorlog
