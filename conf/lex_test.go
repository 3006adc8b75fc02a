package conf

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLogicalLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []logicalLine
	}{
		{"blank and comments", "\n  # c\n\t\nListen 80\n", []logicalLine{{"Listen 80", 4}}},
		{"continuation", "Listen \\\n  80\nX", []logicalLine{{"Listen   80", 1}, {"X", 3}}},
		{"crlf continuation", "A \\\r\nB\r\nC\r\n", []logicalLine{{"A B", 1}, {"C", 3}}},
		{"comment swallows next line", "# c \\\nListen 80\nY\n", []logicalLine{{"Y", 3}}},
		{"backslash then blank is no continuation", "A \\ \nB", []logicalLine{{"A \\", 1}, {"B", 2}}},
		{"trailing continuation at EOF", "A \\", []logicalLine{{"A", 1}}},
		{"hash inside a line is not a comment", "A # b", []logicalLine{{"A # b", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logicalLines([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("logicalLines(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a b  c`, []string{"a", "b", "c"}},
		{`"a b" c`, []string{"a b", "c"}},
		{`"say \"hi\"" x`, []string{`say "hi"`, "x"}},
		{`'it\'s' "a\\b"`, []string{"it's", `a\b`}},
		{`"a\nb"`, []string{`a\nb`}},
		{`plain\\path plain\x`, []string{`plain\path`, `plain\x`}},
		{`"" x`, []string{"", "x"}},
		{`"unterminated x`, []string{"unterminated x"}},
		{`"a"b`, []string{"a", "b"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitOutsideQuotes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"8080;8081", []string{"8080", "8081"}},
		{" 8080 ; ;[::1]:8081 https ", []string{"8080", "[::1]:8081 https"}},
		{`"a;b" c;d`, []string{`"a;b" c`, "d"}},
		{`'x\';y';z`, []string{`'x\';y'`, "z"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitOutsideQuotes(tt.in, ';'); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitOutsideQuotes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in       string
		wantLine int
		wantMsg  string
	}{
		{"<IfModule x>\nA\n", 1, "<IfModule> was not closed."},
		{"<IfModule x>\n<IfDefine y>\n</IfModule>\n", 3, "Expected </IfDefine> but saw </IfModule>"},
		{"\n</Location>\n", 2, "</Location> without matching <Location> section"},
		{"<Location /x\n</Location>\n", 1, "<Location> directive missing closing '>'"},
		{"<Location /x>\n</Location\n", 2, "</Location> directive missing closing '>'"},
		{"<ifmodule x>\n</IFMODULE>\n<Other>\n", 3, "<Other> was not closed."},
	}
	for _, tt := range tests {
		_, err := parse("t.conf", []byte(tt.in))
		var e *Error
		if !errors.As(err, &e) || e.Line != tt.wantLine || e.Err.Error() != tt.wantMsg {
			t.Errorf("parse(%q) = %v, want line %d %q", tt.in, err, tt.wantLine, tt.wantMsg)
		}
	}
}

func TestParseAddrPort(t *testing.T) {
	tests := []struct {
		in       string
		wantHost string
		wantPort int
		wantOK   bool
	}{
		{"8080", "", 8080, true},
		{"127.0.0.1:8080", "127.0.0.1", 8080, true},
		{"[::1]:8080", "::1", 8080, true},
		{"[fe80::1%eth0]:80", "fe80::1%eth0", 80, true},
		{"*:8080", "*", 8080, true},
		{"0.0.0.0:80", "0.0.0.0", 80, true},
		{"example.com:443", "example.com", 443, true},
		{"127.0.0.1", "127.0.0.1", 0, true}, // "Port must be specified"
		{"[::1]", "::1", 0, true},
		{"host:", "host:", 0, true},
		{"0", "", 0, false},
		{"65536", "", 0, false},
		{":80", "", 0, false},
		{"[::1]x:80", "", 0, false},
		{"[1.2.3.4]:80", "", 0, false},
		{"[fe80::1%]:80", "", 0, false},
		{"", "", 0, false},
		{"99999999999999999999", "", 0, false},
	}
	for _, tt := range tests {
		host, port, ok := parseAddrPort(tt.in)
		if host != tt.wantHost || port != tt.wantPort || ok != tt.wantOK {
			t.Errorf("parseAddrPort(%q) = %q, %d, %v, want %q, %d, %v", tt.in, host, port, ok, tt.wantHost, tt.wantPort, tt.wantOK)
		}
	}
}

func TestAtoi(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"42", 42}, {"  -7x", -7}, {"+3", 3}, {"abc", 0}, {"", 0}, {"1e3", 1},
		{"99999999999999999999", math.MaxInt32}, {"-99999999999999999999", math.MinInt32},
	}
	for _, tt := range tests {
		if got := atoi(tt.in); got != tt.want {
			t.Errorf("atoi(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"5", 5 * time.Second, true},
		{"500ms", 500 * time.Millisecond, true},
		{"2mi", 2 * time.Minute, true},
		{"2min", 2 * time.Minute, true},
		{"1h", time.Hour, true},
		{"3sec", 3 * time.Second, true},
		{"", 0, true},
		{"s", 0, true}, // strtoi64 reads no digits: 0, unit "s"
		{"2m", 0, false},
		{"5x", 0, false},
		{"abc", 0, false},
		{"99999999999999999999", 0, false},
		{"9999999999999h", 0, false},
		{"-1", -time.Second, true},
	}
	for _, tt := range tests {
		got, ok := parseTimeout(tt.in, "s")
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseTimeout(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestStrtod(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"2", 2, false}, {" 2.5", 2.5, false}, {"", 0, false}, {"1e1", 10, false},
		{"2x", 0, true}, {"nan", 0, true}, {"inf", 0, true}, {"2 ", 0, true},
	}
	for _, tt := range tests {
		got, err := strtod(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("strtod(%q) = %v, %v, want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestWorkerFactor(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"2", 2}, {"2.5", 2.5}, {"0.5", 1}, {"1.03", 1}, {"3.1", 3.0625},
	}
	for _, tt := range tests {
		c, err := Load(Options{Pre: []string{"AsyncRequestWorkerFactor " + tt.in}})
		if err != nil {
			t.Fatalf("Load(AsyncRequestWorkerFactor %s) = %v", tt.in, err)
		}
		if got := c.Engine.AsyncRequestWorkerFactor; got != tt.want {
			t.Errorf("AsyncRequestWorkerFactor %s = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if _, err := Load(Options{Pre: []string{"AsyncRequestWorkerFactor " + bad}}); err == nil {
			t.Errorf("Load(AsyncRequestWorkerFactor %s) = nil error, want an error", bad)
		}
	}
}

func TestCheckLogFormat(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{FormatCombined, ""},
		{`%h %{%d/%b}t %400,501{User-agent}i %!200a %<s %>s %^ti %% %D %k`, ""},
		{"no items at all", ""},
		{"%Z", "Unrecognized LogFormat directive %Z"},
		{"%^xx", "Unrecognized LogFormat directive %^"},
		{"%", "Ran off end of LogFormat parsing args to some directive"},
		{"%{Referer", "Ran off end of LogFormat parsing args to some directive"},
	}
	for _, tt := range tests {
		err := checkLogFormat(tt.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.wantErr {
			t.Errorf("checkLogFormat(%q) = %q, want %q", tt.in, got, tt.wantErr)
		}
	}
}

func TestRequestReadTimeout(t *testing.T) {
	tests := []struct {
		in      string
		want    RequestReadTimeout
		wantErr string
	}{
		{"header=10", RequestReadTimeout{Header: ReadStage{Timeout: 10 * time.Second},
			Body: ReadStage{Timeout: 20 * time.Second, MinRate: 500}}, ""},
		{"handshake=5 body=0 HEADER=1-9,minrate=7", RequestReadTimeout{Handshake: ReadStage{Timeout: 5 * time.Second},
			Header: ReadStage{Timeout: time.Second, MaxTimeout: 9 * time.Second, MinRate: 7}}, ""},
		{"header", RequestReadTimeout{}, "Parameter must be in the form 'key=value'"},
		{"foo=1", RequestReadTimeout{}, "RequestReadTimeout: foo=1: Unknown RequestReadTimeout parameter"},
		{"header=1-2", RequestReadTimeout{}, "Must set MinRate option if using timeout range"},
		{"header=x", RequestReadTimeout{}, "Value 'x' not numerical"},
		{"header=1,MinRate=0", RequestReadTimeout{}, "Minimum data rate must be larger than 0"},
		{"header=5s", RequestReadTimeout{}, "Cannot parse 's'"},
	}
	for _, tt := range tests {
		c, err := Load(Options{Pre: []string{"RequestReadTimeout " + tt.in}})
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("RequestReadTimeout %s: error %v, want %q", tt.in, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("RequestReadTimeout %s: %v", tt.in, err)
		case c.HTTP.RequestReadTimeout != tt.want:
			t.Errorf("RequestReadTimeout %s = %+v, want %+v", tt.in, c.HTTP.RequestReadTimeout, tt.want)
		}
	}
}

// loadReader runs the reader on one text the way FuzzParse does: parse,
// both walks (no includes), apply and finish, without file-level checks.
func loadReader(data []byte) error {
	nodes, err := parse("fuzz.conf", data)
	if err != nil {
		return err
	}
	detect := newWalker("", nil, "/nonexistent")
	detect.noInclude = true
	detect.detect = &engineSel{}
	if err := detect.walk(nodes, &walkCtx{kind: ctxTop}); err != nil {
		return err
	}
	engine := detect.detect.engine
	if engine == "" {
		engine = Event
	}
	w := newWalker(engine, nil, "/nonexistent")
	w.noInclude = true
	if err := w.walk(nodes, &walkCtx{kind: ctxTop}); err != nil {
		return err
	}
	b := newBuilder(engine, "/nonexistent", "")
	for _, o := range w.out {
		b.apply(o)
	}
	b.finish(true)
	return errors.Join(b.errs...)
}

// FuzzParse feeds arbitrary text to the Apache-style reader: it must not
// panic, and every error must be an *Error with a line number.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.conf"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"Listen 80\n<IfModule mpm_event_module>\nThreadsPerChild 3\n</IfModule>\n",
		"<IfDefine !X>\nDefine X\n</IfDefine>\n<IfDefine X>\nListen ${X}\n</IfDefine>\n",
		"<Location /s>\nSetHandler server-status\n<IfModule status_module>\nSetHandler metrics\n</IfModule>\n</Location>\n",
		"<VirtualHost *:80>\n<Directory />\nStartServers 1\n</Directory>\n</VirtualHost>\n",
		"LogFormat \"%{x\" y\nCustomLog a y\nRequestReadTimeout header=1-2,MinRate=3\n",
		"Listen [::1]:80 https\\\n\nKeepAliveTimeout 1ms\nMaxClients -1\n",
		"<>\n</>\n<\n",
		"\"unterminated\n'x\\'\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := loadReader(data)
		if err == nil {
			return
		}
		var check func(error)
		check = func(err error) {
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range joined.Unwrap() {
					check(e)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("loadReader(%q) error %v is %T, want *Error", data, err, err)
			}
			if e.Line <= 0 {
				t.Fatalf("loadReader(%q) error %q has line %d, want > 0", data, e, e.Line)
			}
		}
		check(err)
	})
}
