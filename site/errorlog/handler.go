package errorlog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gohttpd/gohttpd/site/logescape"
)

// Options configure a Handler.
type Options struct {
	// Level is the least severe level written (Apache's LogLevel); nil
	// means LevelWarn, Apache's default. A *slog.LevelVar changes it live.
	Level slog.Leveler
	// Module is the module name shown when a record has no "module"
	// attribute (default "core").
	Module string
	// Threaded adds ":tid N" to the pid field, as Apache does under the
	// worker and event MPMs; N is the "tid" attribute (a worker number, say),
	// and ":tid" is left out when there is none, since a goroutine has no
	// thread id of its own. Without Threaded the "tid" attribute is dropped,
	// as prefork shows only [pid N].
	Threaded bool
	// PID is the process id shown (0 means os.Getpid()).
	PID int
}

// Attribute keys that fill Apache's fields instead of being appended as
// key=value. They are recognised only outside groups, in the record or in
// WithAttrs; a later one replaces an earlier one.
const (
	KeyModule  = "module"  // [module:level]
	KeyTID     = "tid"     // [pid N:tid T], when Options.Threaded
	KeyClient  = "client"  // [client 1.2.3.4:5678]
	KeyErr     = "err"     // (98)Address already in use: , when the error wraps a syscall.Errno
	KeyReferer = "referer" // , referer: X
)

// timeLayout is Apache's "%{u}t": ctime with microseconds, day zero-padded.
const timeLayout = "Mon Jan 02 15:04:05.000000 2006"

// NewHandler returns a slog.Handler writing Apache error-log lines to w,
// one Write per record (calls are serialized, so any writer will do).
//
// A line is: the record time in local time (left out when the record time
// is zero); [module:level]; [pid N] or [pid N:tid T]; for records at debug
// level or below that carry a PC, "file.go(line): "; "(errno)Strerror: "
// when the "err" attribute wraps a syscall.Errno (the attribute is then
// used up, as Apache shows only the status, and Strerror is Go's text
// with a capital first letter, like glibc's); "[client ADDR] " for a
// "client" attribute; the message; every other attribute as " key=value"
// (group members as "group.key=value"; values containing blanks, quotes,
// '=' or other special bytes are quoted with ap_escape_logitem's escapes);
// then ", referer: X" for a "referer" attribute.
//
// The message, keys and unquoted values are escaped with
// ap_escape_errorlog_item's rules: control bytes and bytes outside
// printable ASCII become \n, \t, \xhh and so on, and '\' becomes '\\', so
// a record is always one line.
func NewHandler(w io.Writer, opts Options) slog.Handler {
	h := &handler{
		out:      &output{w: w},
		level:    opts.Level,
		module:   opts.Module,
		threaded: opts.Threaded,
		loc:      time.Local,
	}
	if h.level == nil {
		h.level = LevelWarn
	}
	if h.module == "" {
		h.module = "core"
	}
	pid := opts.PID
	if pid == 0 {
		pid = os.Getpid()
	}
	h.pid = strconv.Itoa(pid)
	return h
}

// output is the writer shared by a handler and those derived from it.
type output struct {
	mu sync.Mutex // guards following
	w  io.Writer
}

type handler struct {
	out      *output
	level    slog.Leveler
	threaded bool
	pid      string
	loc      *time.Location // time.Local; tests pin it

	// From WithAttrs outside groups.
	module  string
	tid     string
	client  string
	referer string
	errno   syscall.Errno // 0: none

	attrs  []byte // preformatted " key=value" pairs from WithAttrs
	prefix string // "g1.g2." for the groups opened by WithGroup
}

var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf is the largest line buffer kept for reuse.
const maxPooledBuf = 16 << 10

// Enabled follows Apache's log.c: a record at or above LogLevel is
// logged, and notice records always are (so "resuming normal operations"
// and the start-up lines reach the log with the default LogLevel warn).
func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level() || l == LevelNotice
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	h2 := *h
	h2.attrs = h.attrs[:len(h.attrs):len(h.attrs)] // appends copy
	for _, a := range as {
		a.Value = a.Value.Resolve()
		if h2.prefix == "" && h2.setField(a) {
			continue
		}
		h2.attrs = appendAttr(h2.attrs, h2.prefix, a)
	}
	return &h2
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// setField stores a field attribute in h and reports whether a was one.
func (h *handler) setField(a slog.Attr) bool {
	switch a.Key {
	case KeyModule:
		h.module = a.Value.String()
	case KeyTID:
		h.tid = a.Value.String()
	case KeyClient:
		h.client = a.Value.String()
	case KeyReferer:
		h.referer = a.Value.String()
	case KeyErr:
		errno, ok := errnoOf(a.Value)
		if !ok {
			return false
		}
		h.errno = errno
	default:
		return false
	}
	return true
}

// errnoOf returns the syscall.Errno an error value wraps.
func errnoOf(v slog.Value) (syscall.Errno, bool) {
	if v.Kind() != slog.KindAny {
		return 0, false
	}
	err, ok := v.Any().(error)
	if !ok {
		return 0, false
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno == 0 {
		return 0, false
	}
	return errno, true
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	// The record's own field attributes override those from WithAttrs.
	f := *h
	if h.prefix == "" {
		r.Attrs(func(a slog.Attr) bool {
			a.Value = a.Value.Resolve()
			f.setField(a)
			return true
		})
	}

	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	if !r.Time.IsZero() {
		b = append(b, '[')
		b = r.Time.In(h.loc).AppendFormat(b, timeLayout)
		b = append(b, "] "...)
	}
	b = append(b, '[')
	b = appendErrorlogEscaped(b, f.module)
	b = append(b, ':')
	b = append(b, LevelName(r.Level)...)
	b = append(b, "] [pid "...)
	b = append(b, h.pid...)
	if h.threaded && f.tid != "" {
		b = append(b, ":tid "...)
		b = appendErrorlogEscaped(b, f.tid)
	}
	b = append(b, "] "...)
	if r.Level <= LevelDebug && r.PC != 0 {
		fr, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		if fr.File != "" {
			b = appendErrorlogEscaped(b, filepath.Base(fr.File))
			b = append(b, '(')
			b = strconv.AppendInt(b, int64(fr.Line), 10)
			b = append(b, "): "...)
		}
	}
	if f.errno != 0 {
		b = append(b, '(')
		b = strconv.AppendUint(b, uint64(f.errno), 10)
		b = append(b, ')')
		b = appendStrerror(b, f.errno)
		b = append(b, ": "...)
	}
	if f.client != "" {
		b = append(b, "[client "...)
		b = appendErrorlogEscaped(b, f.client)
		b = append(b, "] "...)
	}
	b = appendErrorlogEscaped(b, r.Message)
	b = append(b, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		a.Value = a.Value.Resolve()
		if h.prefix == "" && isField(a) {
			return true
		}
		b = appendAttr(b, h.prefix, a)
		return true
	})
	if f.referer != "" {
		b = append(b, ", referer: "...)
		b = appendErrorlogEscaped(b, f.referer)
	}
	b = append(b, '\n')

	h.out.mu.Lock()
	_, err := h.out.w.Write(b)
	h.out.mu.Unlock()
	if cap(b) <= maxPooledBuf {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

// isField reports whether a top-level attribute fills a field.
func isField(a slog.Attr) bool {
	switch a.Key {
	case KeyModule, KeyTID, KeyClient, KeyReferer:
		return true
	case KeyErr:
		_, ok := errnoOf(a.Value)
		return ok
	}
	return false
}

// appendStrerror appends the errno's text with its first letter in upper
// case, as glibc's strerror has it ("Address already in use").
func appendStrerror(b []byte, errno syscall.Errno) []byte {
	msg := errno.Error()
	if msg == "" {
		return b
	}
	c := msg[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	b = append(b, c)
	return appendErrorlogEscaped(b, msg[1:])
}

// appendAttr appends " prefix.key=value" for a resolved attribute, or one
// pair per member for a group; empty keys and empty groups add nothing, a
// group with an empty key is inlined.
func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	if a.Value.Kind() == slog.KindGroup {
		members := a.Value.Group()
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, m := range members {
			m.Value = m.Value.Resolve()
			b = appendAttr(b, prefix, m)
		}
		return b
	}
	if a.Key == "" {
		return b
	}
	b = append(b, ' ')
	b = appendErrorlogEscaped(b, prefix)
	b = appendErrorlogEscaped(b, a.Key)
	b = append(b, '=')
	return appendValue(b, a.Value)
}

// appendValue appends an attribute value, quoted when needed.
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return appendString(b, v.Duration().String())
	case slog.KindTime:
		return v.Time().AppendFormat(b, time.RFC3339Nano)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return appendString(b, x.Error())
		case []byte:
			return appendString(b, string(x))
		}
	}
	return appendString(b, v.String())
}

// appendString appends s bare if it is plain, else quoted.
func appendString(b []byte, s string) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	b = appendLogitemEscaped(b, s)
	return append(b, '"')
}

func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '=' || c == '\\' {
			return true
		}
	}
	return false
}

// appendErrorlogEscaped appends s with ap_escape_errorlog_item's rules.
func appendErrorlogEscaped(b []byte, s string) []byte {
	return appendEscaped(b, s, false)
}

// appendLogitemEscaped appends s with ap_escape_logitem's rules, which also
// escape '"' (used inside quoted values).
func appendLogitemEscaped(b []byte, s string) []byte {
	return appendEscaped(b, s, true)
}

func appendEscaped(b []byte, s string, quote bool) []byte {
	return logescape.Append(b, s, quote)
}
