package accesslog

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestLogIO: %I counts the request as received, %O the response head
// and body, %S both.
func TestLogIO(t *testing.T) {
	f, err := Compile("%I %O %S")
	if err != nil {
		t.Fatal(err)
	}
	var ctx fasthttp.RequestCtx
	var req fasthttp.Request
	raw := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		t.Fatal(err)
	}
	ctx.Init(&req, nil, nil)
	ctx.SetBodyString("hello")
	fields := strings.Fields(string(f.Append(nil, &ctx, time.Now())))
	in, _ := strconv.Atoi(fields[0])
	out, _ := strconv.Atoi(fields[1])
	all, _ := strconv.Atoi(fields[2])
	if in != len(raw) {
		t.Errorf("%%I = %d, want %d", in, len(raw))
	}
	head := len(ctx.Response.Header.Header())
	if out != head+5 || all != in+out {
		t.Errorf("%%O = %d (head %d), %%S = %d", out, head, all)
	}
}
