package errorlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/slogtest"
	"time"
)

var (
	pdt = time.FixedZone("PDT", -7*3600)
	// when is the time of the records built by the tests.
	when = time.Date(2000, time.October, 11, 14, 32, 52, 123456789, pdt)
)

// newTestHandler returns a handler writing to buf with times shown in pdt.
func newTestHandler(buf *bytes.Buffer, opts Options) slog.Handler {
	h := NewHandler(buf, opts).(*handler)
	h.loc = pdt
	return h
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		name string
		want slog.Level
	}{
		{"emerg", LevelEmerg},
		{"alert", LevelAlert},
		{"crit", LevelCrit},
		{"error", slog.LevelError},
		{"warn", slog.LevelWarn},
		{"notice", LevelNotice},
		{"info", slog.LevelInfo},
		{"debug", slog.LevelDebug},
		{"trace1", LevelTrace1},
		{"trace5", LevelTrace5},
		{"trace8", LevelTrace8},
		{"WARN", LevelWarn},
		{"Trace3", LevelTrace3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLevel(tt.name)
			if got != tt.want || err != nil {
				t.Errorf("ParseLevel(%q) = %v, %v, want %v, nil", tt.name, got, err, tt.want)
			}
			if back := LevelName(got); !strings.EqualFold(back, tt.name) {
				t.Errorf("LevelName(%v) = %q, want %q", got, back, strings.ToLower(tt.name))
			}
		})
	}
	for _, bad := range []string{"", "warning", "trace0", "trace9", "none", "emerg "} {
		t.Run("bad "+bad, func(t *testing.T) {
			if got, err := ParseLevel(bad); err == nil || !strings.HasPrefix(err.Error(), "errorlog: ") {
				t.Errorf("ParseLevel(%q) = %v, %v, want an errorlog: error", bad, got, err)
			}
		})
	}
}

func TestLevelOrder(t *testing.T) {
	for i := 1; i < len(levels); i++ {
		if levels[i-1].level <= levels[i].level {
			t.Errorf("%s (%d) is not more severe than %s (%d)",
				levels[i-1].name, levels[i-1].level, levels[i].name, levels[i].level)
		}
	}
}

func TestLevelName(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  string
	}{
		{LevelEmerg + 100, "emerg"},
		{LevelEmerg, "emerg"},
		{LevelAlert + 1, "alert"},
		{slog.LevelError + 2, "error"},
		{slog.LevelError - 1, "warn"},
		{LevelNotice + 1, "notice"},
		{slog.LevelInfo + 1, "info"},
		{slog.LevelInfo - 1, "debug"},
		{LevelTrace2, "trace2"},
		{LevelTrace8, "trace8"},
		{LevelTrace8 - 50, "trace8"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := LevelName(tt.level); got != tt.want {
				t.Errorf("LevelName(%d) = %q, want %q", tt.level, got, tt.want)
			}
		})
	}
}

// TestLevelFiltering checks Apache's rule: LogLevel X shows X and every
// more severe level, and notice always (log.c: "unless it is a
// startup/shutdown notice").
func TestLevelFiltering(t *testing.T) {
	tests := []struct {
		logLevel string
		shown    []string
		hidden   []string
	}{
		{"warn", []string{"emerg", "alert", "crit", "error", "warn", "notice"}, []string{"info", "debug", "trace1"}},
		{"notice", []string{"error", "warn", "notice"}, []string{"info", "debug", "trace8"}},
		{"emerg", []string{"emerg", "notice"}, []string{"alert", "crit", "error", "warn", "info"}},
		{"debug", []string{"warn", "notice", "info", "debug"}, []string{"trace1", "trace8"}},
		{"trace3", []string{"debug", "trace1", "trace3"}, []string{"trace4", "trace8"}},
		{"trace8", []string{"emerg", "info", "trace8"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.logLevel, func(t *testing.T) {
			min, err := ParseLevel(tt.logLevel)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			l := slog.New(newTestHandler(&buf, Options{Level: min, PID: 1}))
			check := func(name string, want bool) {
				lv, err := ParseLevel(name)
				if err != nil {
					t.Fatal(err)
				}
				buf.Reset()
				l.Log(context.Background(), lv, "m")
				if got := buf.Len() > 0; got != want {
					t.Errorf("LogLevel %s: record at %s written = %v, want %v", tt.logLevel, name, got, want)
				}
				if want && !strings.Contains(buf.String(), "[core:"+name+"]") {
					t.Errorf("LogLevel %s: line %q lacks [core:%s]", tt.logLevel, buf.String(), name)
				}
			}
			for _, name := range tt.shown {
				check(name, true)
			}
			for _, name := range tt.hidden {
				check(name, false)
			}
		})
	}
}

func TestDefaultLevelIsWarn(t *testing.T) {
	h := NewHandler(&bytes.Buffer{}, Options{})
	ctx := context.Background()
	if !h.Enabled(ctx, LevelWarn) || h.Enabled(ctx, LevelInfo) {
		t.Errorf("default handler: Enabled(warn), Enabled(info) = %v, %v, want true, false",
			h.Enabled(ctx, LevelWarn), h.Enabled(ctx, LevelInfo))
	}
}

func TestLevelVar(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(LevelError)
	h := NewHandler(&bytes.Buffer{}, Options{Level: &lv})
	ctx := context.Background()
	if h.Enabled(ctx, LevelWarn) {
		t.Errorf("Enabled(warn) at LogLevel error = true, want false")
	}
	lv.Set(LevelInfo)
	if !h.Enabled(ctx, LevelWarn) {
		t.Errorf("Enabled(warn) after lowering the LevelVar to info = false, want true")
	}
}

// wrapped is an error chain ending in an errno, as net and os build them.
var wrapped = &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}

func TestLines(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		with  []any // handler attributes
		level slog.Level
		time  time.Time
		msg   string
		attrs []any // record attributes
		want  string
	}{
		{
			name:  "Apache example",
			opts:  Options{PID: 1234, Threaded: true},
			with:  []any{KeyTID, 7},
			level: slog.LevelError,
			time:  when,
			msg:   "AH00035: access to /x denied",
			attrs: []any{KeyClient, "1.2.3.4:5678", KeyReferer, "http://a/b"},
			want:  "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 7] [client 1.2.3.4:5678] AH00035: access to /x denied, referer: http://a/b",
		},
		{
			name:  "errno from a wrapped error",
			opts:  Options{PID: 99, Module: "mpm_event"},
			level: LevelEmerg,
			time:  when,
			msg:   "AH00072: make_sock: could not bind to address [::]:80",
			attrs: []any{KeyErr, wrapped},
			want:  fmt.Sprintf("[Wed Oct 11 14:32:52.123456 2000] [mpm_event:emerg] [pid 99] (%d)Address already in use: AH00072: make_sock: could not bind to address [::]:80", syscall.EADDRINUSE),
		},
		{
			name:  "errno before client",
			opts:  Options{PID: 5},
			level: slog.LevelError,
			time:  when,
			msg:   "AH00132: file permissions deny server access: /srv/x",
			attrs: []any{KeyClient, "[::1]:4000", KeyErr, syscall.EACCES},
			want:  fmt.Sprintf("[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 5] (%d)Permission denied: [client [::1]:4000] AH00132: file permissions deny server access: /srv/x", syscall.EACCES),
		},
		{
			name:  "error without errno stays an attribute",
			opts:  Options{PID: 5},
			level: slog.LevelError,
			time:  when,
			msg:   "config",
			attrs: []any{KeyErr, errors.New("bad value")},
			want:  `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 5] config err="bad value"`,
		},
		{
			name:  "module from With",
			opts:  Options{PID: 7},
			with:  []any{KeyModule, "mpm_prefork"},
			level: LevelNotice,
			time:  when,
			msg:   "AH00163: Apache/2.4.62 (Unix) configured -- resuming normal operations",
			want:  "[Wed Oct 11 14:32:52.123456 2000] [mpm_prefork:notice] [pid 7] AH00163: Apache/2.4.62 (Unix) configured -- resuming normal operations",
		},
		{
			name:  "record module overrides With",
			opts:  Options{PID: 7},
			with:  []any{KeyModule, "core"},
			level: slog.LevelWarn,
			time:  when,
			msg:   "m",
			attrs: []any{KeyModule, "reqtimeout"},
			want:  "[Wed Oct 11 14:32:52.123456 2000] [reqtimeout:warn] [pid 7] m",
		},
		{
			name:  "threaded without tid",
			opts:  Options{PID: 7, Threaded: true},
			level: slog.LevelWarn,
			time:  when,
			msg:   "m",
			want:  "[Wed Oct 11 14:32:52.123456 2000] [core:warn] [pid 7] m",
		},
		{
			name:  "tid dropped when not threaded",
			opts:  Options{PID: 7},
			level: slog.LevelWarn,
			time:  when,
			msg:   "m",
			attrs: []any{KeyTID, 3},
			want:  "[Wed Oct 11 14:32:52.123456 2000] [core:warn] [pid 7] m",
		},
		{
			name:  "zero time left out",
			opts:  Options{PID: 7},
			level: slog.LevelWarn,
			msg:   "m",
			want:  "[core:warn] [pid 7] m",
		},
		{
			name:  "day zero-padded",
			opts:  Options{PID: 7},
			level: slog.LevelWarn,
			time:  time.Date(2024, time.March, 5, 9, 7, 3, 42000, pdt),
			msg:   "m",
			want:  "[Tue Mar 05 09:07:03.000042 2024] [core:warn] [pid 7] m",
		},
		{
			name:  "escapes",
			opts:  Options{PID: 7},
			level: slog.LevelWarn,
			msg:   "line1\nline2\t\"quoted\" back\\slash \x01 é",
			attrs: []any{KeyReferer, "http://x/\r\n"},
			want:  `[core:warn] [pid 7] line1\nline2\t"quoted" back\\slash \x01 \xc3\xa9, referer: http://x/\r\n`,
		},
		{
			name:  "attributes",
			opts:  Options{PID: 7},
			with:  []any{"child", 3},
			level: slog.LevelWarn,
			msg:   "m",
			attrs: []any{
				"path", "/a b", "n", -4, "ok", true, "ratio", 0.5, "empty", "", "q", `say "hi"`,
				"d", 1500 * time.Millisecond, "eq", "a=b", "raw", []byte("r"),
				slog.Group("g", "a", 1, slog.Group("h", "b", "x")), slog.Group("nothing"),
				slog.Group("", "inline", 1), "", "no key",
			},
			want: `[core:warn] [pid 7] m child=3 path="/a b" n=-4 ok=true ratio=0.5 empty="" q="say \"hi\"" d=1.5s eq="a=b" raw=r g.a=1 g.h.b=x inline=1`,
		},
		{
			name:  "multi-line attribute value",
			opts:  Options{PID: 7},
			level: slog.LevelWarn,
			msg:   "m",
			attrs: []any{"v", "a\nb"},
			want:  `[core:warn] [pid 7] m v="a\nb"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := newTestHandler(&buf, tt.opts)
			if tt.with != nil {
				h = slog.New(h).With(tt.with...).Handler()
			}
			r := slog.NewRecord(tt.time, tt.level, tt.msg, 0)
			r.Add(tt.attrs...)
			if err := h.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), tt.want+"\n"; got != want {
				t.Errorf("Handle() wrote\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestSourceAtDebug(t *testing.T) {
	var pcs [1]uintptr
	runtime.Callers(1, pcs[:])
	_, _, line, _ := runtime.Caller(0)
	line-- // the runtime.Callers line
	tests := []struct {
		name  string
		level slog.Level
		want  string
	}{
		{"debug", LevelDebug, fmt.Sprintf("[core:debug] [pid 7] errorlog_test.go(%d): m\n", line)},
		{"trace4", LevelTrace4, fmt.Sprintf("[core:trace4] [pid 7] errorlog_test.go(%d): m\n", line)},
		{"info", LevelInfo, "[core:info] [pid 7] m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := newTestHandler(&buf, Options{PID: 7, Level: LevelTrace8})
			if err := h.Handle(context.Background(), slog.NewRecord(time.Time{}, tt.level, "m", pcs[0])); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("Handle() wrote %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWithGroup(t *testing.T) {
	tests := []struct {
		name  string
		build func(l *slog.Logger) *slog.Logger
		attrs []any
		want  string
	}{
		{
			name:  "attrs qualified",
			build: func(l *slog.Logger) *slog.Logger { return l.With("a", 1).WithGroup("g").With("b", 2) },
			attrs: []any{"c", 3},
			want:  "[core:warn] [pid 7] m a=1 g.b=2 g.c=3",
		},
		{
			name:  "fields inside a group are plain attributes",
			build: func(l *slog.Logger) *slog.Logger { return l.WithGroup("g").With(KeyModule, "x") },
			attrs: []any{KeyClient, "1.2.3.4:5"},
			want:  "[core:warn] [pid 7] m g.module=x g.client=1.2.3.4:5",
		},
		{
			name:  "empty group name ignored",
			build: func(l *slog.Logger) *slog.Logger { return l.WithGroup("").With("a", 1) },
			want:  "[core:warn] [pid 7] m a=1",
		},
		{
			name:  "group without attributes left out",
			build: func(l *slog.Logger) *slog.Logger { return l.With("a", 1).WithGroup("g").WithGroup("h") },
			want:  "[core:warn] [pid 7] m a=1",
		},
		{
			name: "parent unchanged by a child",
			build: func(l *slog.Logger) *slog.Logger {
				_ = l.With("child", 1).WithGroup("g")
				return l.With("parent", 2)
			},
			want: "[core:warn] [pid 7] m parent=2",
		},
		{
			name: "fields from With",
			build: func(l *slog.Logger) *slog.Logger {
				return l.With(KeyClient, "1.2.3.4:5", KeyReferer, "r", KeyErr, syscall.ECONNRESET)
			},
			want: fmt.Sprintf("[core:warn] [pid 7] (%d)Connection reset by peer: [client 1.2.3.4:5] m, referer: r", syscall.ECONNRESET),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := newTestHandler(&buf, Options{PID: 7})
			l := tt.build(slog.New(h))
			r := slog.NewRecord(time.Time{}, LevelWarn, "m", 0)
			r.Add(tt.attrs...)
			if err := l.Handler().Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), tt.want+"\n"; got != want {
				t.Errorf("Handle() wrote %q, want %q", got, want)
			}
		})
	}
}

// TestSiblingsShareNoState derives two handlers from one and checks that
// appending to one's attributes does not show in the other.
func TestSiblingsShareNoState(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(newTestHandler(&buf, Options{PID: 7})).With("a", 1, "b", 2, "c", 3)
	x := base.With("x", 1)
	y := base.With("y", 2)
	x.Warn("m")
	y.Warn("m")
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	wantSuffix := []string{" m a=1 b=2 c=3 x=1", " m a=1 b=2 c=3 y=2"}
	if len(lines) != 2 {
		t.Fatalf("got %d lines %q, want 2", len(lines), lines)
	}
	for i, line := range lines {
		if !strings.HasSuffix(line, wantSuffix[i]) {
			t.Errorf("line %d = %q, want suffix %q", i, line, wantSuffix[i])
		}
	}
}

// TestSlogtest runs the standard handler conformance suite. The line is
// parsed back into a map: the bracketed time, the level from [module:level],
// the message, and key=value pairs with dotted keys as nested groups.
func TestSlogtest(t *testing.T) {
	var buf bytes.Buffer
	slogtest.Run(t,
		func(*testing.T) slog.Handler {
			buf.Reset()
			return NewHandler(&buf, Options{Level: slog.LevelInfo, PID: 1})
		},
		func(t *testing.T) map[string]any {
			m, err := parseLine(buf.String())
			if err != nil {
				t.Fatal(err)
			}
			return m
		})
}

// parseLine is the inverse of the handler's format for lines without the
// optional fields (source, errno, client, referer), and single-word messages.
func parseLine(s string) (map[string]any, error) {
	line, ok := strings.CutSuffix(s, "\n")
	if !ok || strings.Contains(line, "\n") {
		return nil, fmt.Errorf("not one line: %q", s)
	}
	m := map[string]any{}
	var fields []string
	for strings.HasPrefix(line, "[") {
		end := strings.Index(line, "] ")
		if end < 0 {
			return nil, fmt.Errorf("unterminated field in %q", s)
		}
		fields = append(fields, line[1:end])
		line = line[end+2:]
		if strings.HasPrefix(fields[len(fields)-1], "pid ") {
			break
		}
	}
	switch len(fields) {
	case 3:
		tm, err := time.ParseInLocation(timeLayout, fields[0], time.Local)
		if err != nil {
			return nil, err
		}
		m[slog.TimeKey] = tm
		fields = fields[1:]
	case 2:
	default:
		return nil, fmt.Errorf("want [time] [module:level] [pid], got %q", fields)
	}
	_, level, _ := strings.Cut(fields[0], ":")
	m[slog.LevelKey] = level
	msg, rest, _ := strings.Cut(line, " ")
	m[slog.MessageKey] = msg
	for rest != "" {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, fmt.Errorf("no '=' in %q", rest)
		}
		var val string
		if strings.HasPrefix(after, `"`) {
			q, err := strconv.QuotedPrefix(after)
			if err != nil {
				return nil, err
			}
			if val, err = strconv.Unquote(q); err != nil {
				return nil, err
			}
			after = after[len(q):]
		} else {
			val, after, _ = strings.Cut(after, " ")
			after = " " + after
		}
		rest = strings.TrimPrefix(after, " ")
		parts := strings.Split(key, ".")
		g := m
		for _, p := range parts[:len(parts)-1] {
			sub, ok := g[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				g[p] = sub
			}
			g = sub
		}
		g[parts[len(parts)-1]] = val
	}
	return m, nil
}

// TestConcurrentHandle writes from several goroutines through derived
// handlers and checks that every line is whole.
func TestConcurrentHandle(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewHandler(&buf, Options{PID: 7}))
	const goroutines, each = 4, 100
	done := make(chan struct{})
	for g := range goroutines {
		go func() {
			defer func() { done <- struct{}{} }()
			lg := l.With("g", g)
			for i := range each {
				lg.Error("message", "i", i)
			}
		}()
	}
	for range goroutines {
		<-done
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("got %d lines, want %d", len(lines), goroutines*each)
	}
	for _, line := range lines {
		if !strings.Contains(line, "] [core:error] [pid 7] message g=") {
			t.Fatalf("garbled line %q", line)
		}
	}
}
