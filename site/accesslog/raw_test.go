package accesslog

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// TestRawRequest: a request that could not be read is logged with its
// request line as received, escaped, or "-" when none came, and %m %U %q
// %H show its parts rather than the defaults of fasthttp's empty request.
func TestRawRequest(t *testing.T) {
	const format = `"%r" %>s m=%m U=%U q=%q H=%H`
	tests := []struct {
		name   string
		line   []byte
		status int
		want   string
	}{
		{"nothing came", nil, 408, `"-" 408 m=- U=- q= H=-`},
		{"tls hello", []byte("\x16\x03\x01\x02\x00\x01"), 400, `"\x16\x03\x01\x02\x00\x01" 400 m=- U=- q= H=-`},
		{"bad version", []byte("GET /a?b=1 HTTP/2.0"), 505, `"GET /a?b=1 HTTP/2.0" 505 m=GET U=/a q=?b=1 H=HTTP/2.0`},
		{"no version", []byte("GET /"), 400, `"GET /" 400 m=GET U=/ q= H=-`},
		{"quotes", []byte(`GET /"x" HTTP/1.1`), 400, `"GET /\"x\" HTTP/1.1" 400 m=GET U=/\"x\" q= H=HTTP/1.1`},
		{"password", []byte("GET http://u:secret@x/ HTTP/1.1"), 400, `"GET http://u:XXXXXXXX@x/ HTTP/1.1" 400 m=GET U=/ q= H=HTTP/1.1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := compile(t, format)
			ctx := new(fasthttp.RequestCtx)
			ctx.SetStatusCode(tt.status)
			SetRawRequest(ctx, tt.line)
			if got := string(f.Append(nil, ctx, start)); got != tt.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	// A served request ignores a raw line (only error responses have one).
	f := compile(t, format)
	ctx := baseCtx(t)
	SetRawRequest(ctx, []byte("XX"))
	if got := string(f.Append(nil, ctx, start)); got != `"GET /index.html?q=1&x=%22 HTTP/1.1" 200 m=GET U=/index.html q=?q=1&x=%22 H=HTTP/1.1`+"\n" {
		t.Errorf("served request: %s", got)
	}
}

// TestHTTP09: an HTTP/0.9 request, which fasthttp read as HTTP/1.0, is
// logged with its line as sent and HTTP/0.9, the rest as served.
func TestHTTP09(t *testing.T) {
	f := compile(t, `"%r" %>s m=%m U=%U H=%H`)
	ctx := newCtx(t, "GET /index.html HTTP/1.0\r\n\r\n", client)
	ctx.SetStatusCode(200)
	SetHTTP09(ctx, []byte("GET /index.html"))
	if got, want := string(f.Append(nil, ctx, start)), `"GET /index.html" 200 m=GET U=/index.html H=HTTP/0.9`+"\n"; got != want {
		t.Errorf("got  %s want %s", got, want)
	}
}
