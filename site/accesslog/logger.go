package accesslog

import (
	"io"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Options are the per-log settings that do not come from the format.
type Options struct {
	// ServerName is what %v prints, and %V when the request has no Host
	// header: the ServerName of the server or virtual host that owns the
	// log (conf.Config.Site.ServerName). Empty prints "-".
	ServerName string
}

// A Logger writes one access-log line per request. It is safe for
// concurrent use; its writer must be too (a *logfile.File is).
type Logger struct {
	w      io.Writer
	format *Format
	bufs   sync.Pool // of *[]byte, one line each
}

// maxPooledLine is the largest line buffer kept for reuse.
const maxPooledLine = 16 << 10

// New compiles format (a format string, not a nickname) for lines written
// to w.
func New(w io.Writer, format string, opts Options) (*Logger, error) {
	f, err := Compile(format)
	if err != nil {
		return nil, err
	}
	f.ServerName = opts.ServerName
	return &Logger{w: w, format: f}, nil
}

// Log writes the line for the request in ctx with one Write call; start
// is when the request began (see Format.Append). Call it from the handler
// before it returns. A failed write drops the line: the log file reports
// its errors itself (logfile.File.Flush).
func (l *Logger) Log(ctx *fasthttp.RequestCtx, start time.Time) {
	bp, _ := l.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	line := l.format.Append((*bp)[:0], ctx, start)
	_, _ = l.w.Write(line)
	if cap(line) <= maxPooledLine {
		*bp = line
		l.bufs.Put(bp)
	}
}
