package load

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRespReader(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []response
		wantOK bool // the stream ends cleanly after the responses
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", []response{{status: 200, body: 5, size: 43}}, true},
		{"two pipelined", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nbb",
			[]response{{status: 200, body: 1, size: 39}, {status: 404, body: 2, size: 47}}, true},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			[]response{{status: 200, size: 57, close: true}}, true},
		{"http/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", []response{{status: 200, size: 38, close: true}}, true},
		{"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
			[]response{{status: 200, size: 62}}, true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: 1\r\n\r\n",
			[]response{{status: 200, body: 5, size: 83}}, true},
		{"until eof", "HTTP/1.1 200 OK\r\n\r\nabcdef", []response{{status: 200, body: 6, size: 25, close: true}}, true},
		{"204 has no body", "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
			[]response{{status: 204, size: 27}, {status: 200, size: 38}}, true},
		{"100 continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
			[]response{{status: 200, body: 1, size: 64}}, true},
		{"bad status line", "HTTX/1.1 200 OK\r\n\r\n", nil, false},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", nil, false},
		{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", nil, false},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", nil, false},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", nil, false},
		{"header line without colon", "HTTP/1.1 200 OK\r\nbogus\r\n\r\n", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte per read exercises every refill path.
			rr := newRespReader(iotest.OneByteReader(strings.NewReader(tt.in)), 1024)
			var got []response
			var err error
			for range 10 {
				var r response
				if err = rr.next(&r); err != nil {
					break
				}
				got = append(got, r)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("next(%q) gave %d responses %+v (then %v), want %d %+v", tt.in, len(got), got, err, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("next(%q) response %d = %+v, want %+v", tt.in, i, got[i], tt.want[i])
				}
			}
			if tt.wantOK && err != io.EOF {
				t.Errorf("next(%q) after the responses = %v, want io.EOF", tt.in, err)
			}
			if !tt.wantOK && err == io.EOF {
				t.Errorf("next(%q) = io.EOF, want an error", tt.in)
			}
		})
	}
}

func TestRespReaderHeadTooLarge(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 3000) + "\r\n\r\n"
	rr := newRespReader(strings.NewReader(in), 1024)
	var r response
	if err := rr.next(&r); !errors.Is(err, ErrMalformed) {
		t.Fatalf("next(3 KB head, 1 KB buffer) = %v, want ErrMalformed", err)
	}
}

func FuzzRespReader(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\nrest"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rr := newRespReader(bytes.NewReader(b), 1024)
		var total int64
		for range 64 {
			var r response
			err := rr.next(&r)
			if err != nil {
				return
			}
			if r.status < 100 || r.status > 999 || r.body < 0 || r.size < r.body {
				t.Fatalf("next = %+v: impossible response", r)
			}
			total += r.size
			if total > int64(len(b)) {
				t.Fatalf("responses span %d bytes of a %d-byte input", total, len(b))
			}
		}
	})
}
