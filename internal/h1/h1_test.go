package h1

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/internal/h1/corpus"
)

// feed runs raw through a fresh Validator in pieces of the given sizes
// (cycled) and returns what passed and the violation, if any.
func feed(opt Options, raw []byte, sizes []int) (passed []byte, v *Validator, err error) {
	v = New(opt)
	r := &chunkReader{b: raw, sizes: sizes}
	buf := make([]byte, 64<<10)
	for {
		n, rerr := v.Read(r, buf)
		passed = append(passed, buf[:n]...)
		if rerr == io.EOF {
			return passed, v, nil
		}
		if rerr != nil {
			return passed, v, rerr
		}
	}
}

// chunkReader returns b in pieces.
type chunkReader struct {
	b     []byte
	sizes []int
	i     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := len(r.b)
	if len(r.sizes) > 0 {
		n = min(n, r.sizes[r.i%len(r.sizes)])
		r.i++
	}
	n = copy(p, r.b[:n])
	r.b = r.b[n:]
	return n, nil
}

func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func TestCorpus(t *testing.T) {
	splits := map[string][]int{"whole": nil, "bytes": {1}, "threes": {3}, "mixed": {7, 1, 13, 2}}
	for _, c := range corpus.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for name, sizes := range splits {
				passed, v, err := feed(Options{}, []byte(c.Raw), sizes)
				if c.HTTP09 {
					line, _, _ := strings.Cut(c.Raw, "\r\n")
					if want := line + " HTTP/1.0\r\n\r\n"; string(passed) != want || err != nil || !v.HTTP09() {
						t.Errorf("%s: HTTP/0.9 passed %q, %v; want %q", name, passed, err, want)
					}
					continue
				}
				if got := statusOf(err); got != c.Verdict {
					t.Errorf("%s: verdict %d (%v), want %d", name, got, err, c.Verdict)
				}
				if !bytes.HasPrefix([]byte(c.Raw), passed) {
					t.Errorf("%s: passed bytes are not a prefix of the input", name)
				}
				served := 0
				for _, w := range c.Want {
					if w == corpus.OK {
						served++
					}
				}
				if v.Requests() != served {
					t.Errorf("%s: %d requests read whole, want %d", name, v.Requests(), served)
				}
				if c.Verdict == 0 {
					if len(passed) != len(c.Raw) {
						t.Errorf("%s: passed %d of %d bytes", name, len(passed), len(c.Raw))
					}
					if !v.AtBoundary() {
						t.Errorf("%s: not at a request boundary after the stream", name)
					}
				} else if len(passed) == len(c.Raw) {
					t.Errorf("%s: a rejected stream passed whole", name)
				}
			}
		})
	}
}

// samePassed reports whether two runs passed the same bytes, but for
// CR and LF at the start of a rejected request: the Validator passes none
// of those it sees in the read that fails (fasthttp takes a stream of CR
// and LF alone for the end of the input), and cannot take back those that
// came in earlier reads.
func samePassed(a, b []byte) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if !bytes.HasPrefix(a, b) {
		return false
	}
	return len(bytes.Trim(a[len(b):], "\r\n")) == 0
}

// TestSplitInvariance: however the stream is cut into reads, the verdict
// and the bytes passed are the same.
func TestSplitInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range corpus.Cases {
		want, _, wantErr := feed(Options{}, []byte(c.Raw), nil)
		for range 20 {
			sizes := []int{1 + rng.IntN(20), 1 + rng.IntN(5), 1 + rng.IntN(200)}
			got, _, err := feed(Options{}, []byte(c.Raw), sizes)
			if statusOf(err) != statusOf(wantErr) || !samePassed(got, want) {
				t.Errorf("%s with reads of %v: passed %d bytes, %v; whole: %d bytes, %v",
					c.Name, sizes, len(got), err, len(want), wantErr)
			}
		}
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		raw  string
		want int
	}{
		{"unsafe obs-fold", Options{Unsafe: true}, "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", 0},
		{"unsafe bare LF", Options{Unsafe: true}, "GET / HTTP/1.1\nHost: x\n\n", 0},
		{"unsafe raw utf-8 target", Options{Unsafe: true}, "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"unsafe host syntax", Options{Unsafe: true}, "GET / HTTP/1.1\r\nHost: a..b\r\n\r\n", 0},
		{"unsafe still frames CL+TE", Options{Unsafe: true}, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0},
		{"unsafe still refuses TE identity", Options{Unsafe: true}, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", 400},
		{"unsafe still needs a chunk size", Options{Unsafe: true}, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"registered GET", Options{RegisteredMethods: true}, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"registered PROPFIND", Options{RegisteredMethods: true}, "PROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"unregistered FOO", Options{RegisteredMethods: true}, "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
		{"lenient FOO", Options{}, "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"require1.0", Options{Require10: true}, "GET /\r\n\r\n", 400},
		{"line limit", Options{MaxLine: 20}, "GET /0123456789abcdef HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"line at limit", Options{MaxLine: 14 + 2}, "GET /ab HTTP/1.1\r\nHost: x\r\n\r\n", 0},
		{"field limit", Options{MaxField: 10}, "GET / HTTP/1.1\r\nHost: x\r\nX-A: 0123456789\r\n\r\n", 400},
		{"fields limit", Options{MaxFields: 2}, "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\nC: d\r\n\r\n", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{nil, {1}} {
				_, _, err := feed(tt.opt, []byte(tt.raw), sizes)
				if got := statusOf(err); got != tt.want {
					t.Errorf("reads of %v: verdict %d (%v), want %d", sizes, got, err, tt.want)
				}
			}
		})
	}
}

func TestRequestLine(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"", ""},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1"},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost : x\r\n\r\n", "POST /b HTTP/1.1"},
		{"\x16\x03\x01\x02\x00\x01", "\x16\x03\x01\x02\x00\x01"},
		{"GET / HT", "GET / HT"},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n", ""}, // an empty line begins the next request
		{"GET / HTTP/1.1\nHost: x\n\n", "GET / HTTP/1.1"},
	}
	for _, tt := range tests {
		_, v, _ := feed(Options{}, []byte(tt.raw), nil)
		if got := string(v.RequestLine()); got != tt.want {
			t.Errorf("%q: RequestLine %q, want %q", tt.raw, got, tt.want)
		}
	}
	v := New(Options{MaxLine: 10})
	v.Check([]byte("GET /0123456789012345"))
	if got := len(v.RequestLine()); got != 10 {
		t.Errorf("an overlong line is kept up to LimitRequestLine: got %d bytes", got)
	}
}

// TestFirstByte: a violation at the first byte of a request still passes
// that byte, so fasthttp reports it rather than closing silently.
func TestFirstByte(t *testing.T) {
	raw := "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x16\x03"
	passed, _, err := feed(Options{}, []byte(raw), nil)
	if statusOf(err) != 400 || string(passed) != raw[:len(raw)-1] {
		t.Fatalf("passed %q, %v", passed, err)
	}
}

func TestNoAllocs(t *testing.T) {
	raw := []byte("GET /index.html?a=b HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	v := New(Options{})
	v.Check(raw)
	if n := testing.AllocsPerRun(100, func() { v.Check(raw) }); n != 0 {
		t.Errorf("%v allocations per request", n)
	}
}

// BenchmarkCheck measures the validator on a typical keep-alive GET.
func BenchmarkCheck(b *testing.B) {
	raw := []byte("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: fasthttp\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n\r\n")
	v := New(Options{})
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Check(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzValidator: the Validator never panics, passes a prefix of its input,
// reaches the same verdict however the input is split into reads, and
// passes everything it does not reject.
func FuzzValidator(f *testing.F) {
	for _, c := range corpus.Cases {
		f.Add([]byte(c.Raw), uint8(3), false)
	}
	f.Fuzz(func(t *testing.T, raw []byte, split uint8, unsafe bool) {
		opt := Options{Unsafe: unsafe, MaxLine: 200, MaxField: 200}
		want, v, wantErr := feed(opt, raw, nil)
		got, _, err := feed(opt, raw, []int{int(split%17) + 1})
		if statusOf(err) != statusOf(wantErr) || !samePassed(got, want) {
			t.Fatalf("split reads: %d bytes, %v; whole: %d bytes, %v", len(got), err, len(want), wantErr)
		}
		if v.HTTP09() {
			return // the line passes with an HTTP/1.0 suffix (TestHTTP09)
		}
		if !bytes.HasPrefix(raw, want) {
			t.Fatalf("passed bytes are not a prefix of the input")
		}
		// A rejected stream may still pass the first byte of the request
		// that broke the rules (see TestFirstByte), never more.
		if wantErr == nil && len(want) != len(raw) {
			t.Fatalf("accepted %d of %d bytes with verdict %v", len(want), len(raw), wantErr)
		}
	})
}

// TestValidValue compares the word-at-a-time check with the table.
func TestValidValue(t *testing.T) {
	for c := range 256 {
		for pos := range 17 {
			b := []byte("abcdefghijklmnopq")
			b[pos] = byte(c)
			want := fieldChar[c]
			if got := validValue(b); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
}

// BenchmarkValue compares validValue with a table lookup per byte on a
// typical User-Agent value.
func BenchmarkValue(b *testing.B) {
	v := []byte("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	b.Run("words", func(b *testing.B) {
		for b.Loop() {
			if !validValue(v) {
				b.Fatal()
			}
		}
	})
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			for _, c := range v {
				if !fieldChar[c] {
					b.Fatal()
				}
			}
		}
	})
}

func TestHTTP09(t *testing.T) {
	tests := []struct {
		name, raw string
		sizes     []int
		passed    string
		verdict   int
	}{
		{"whole", "GET /a?b\r\nHost: x\r\n\r\n", nil, "GET /a?b HTTP/1.0\r\n\r\n", 0},
		{"by bytes", "GET /a\r\n", []int{1}, "GET /a HTTP/1.0\r\n\r\n", 0},
		{"CR last", "GET /a\r\n", []int{7}, "GET /a HTTP/1.0\r\n\r\n", 0},
		{"LF alone last", "GET /a\r\n", []int{6, 2}, "GET /a HTTP/1.0\r\n\r\n", 0},
		{"bare LF", "GET /a\n", nil, "", 400},
		{"post", "POST /a\r\n", nil, "", 400},
		{"bad target", "GET /a#b\r\n", nil, "", 400},
		{"absolute", "GET http://x/\r\n", nil, "", 400},
	}
	for _, tt := range tests {
		passed, v, err := feed(Options{}, []byte(tt.raw), tt.sizes)
		if got := statusOf(err); got != tt.verdict {
			t.Errorf("%s: verdict %d (%v), want %d", tt.name, got, err, tt.verdict)
		}
		if tt.verdict == 0 && (string(passed) != tt.passed || !v.HTTP09() || v.Requests() != 1) {
			t.Errorf("%s: passed %q (HTTP09 %v, %d requests), want %q", tt.name, passed, v.HTTP09(), v.Requests(), tt.passed)
		}
	}
	if _, _, err := feed(Options{Require10: true}, []byte("GET /\r\n"), nil); statusOf(err) != 400 {
		t.Errorf("Require1.0: %v", err)
	}

	// The response loses its head, however it is cut into writes.
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\r\n\r\nworld"
	for size := 1; size <= len(resp); size++ {
		v := New(Options{})
		var out []byte
		for r := resp; len(r) > 0; {
			n := min(size, len(r))
			out = append(out, v.Strip09([]byte(r[:n]))...)
			r = r[n:]
		}
		if string(out) != "hello\r\n\r\nworld" {
			t.Fatalf("writes of %d: %q", size, out)
		}
	}
}
