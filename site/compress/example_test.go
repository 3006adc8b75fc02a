package compress_test

import (
	"fmt"

	"github.com/gohttpd/gohttpd/conf"
	"github.com/gohttpd/gohttpd/site/compress"
	"github.com/valyala/fasthttp"
)

// Debian's deflate.conf with a BROTLI_COMPRESS line added after it: a
// client accepting both gets gzip, as from Apache.
func ExamplePolicy_Decide() {
	var b conf.CompressBuilder
	_ = b.Directive("AddOutputFilterByType", []string{"DEFLATE", "text/html", "text/css"})
	_ = b.Directive("AddOutputFilterByType", []string{"BROTLI_COMPRESS", "text/html", "text/css"})
	dir, _ := b.Finish()
	pol := compress.NewPolicy(dir, nil) // once per (vhost, directory)

	for _, ae := range []string{"gzip, br", "br", "gzip;q=0, br;q=0", ""} {
		d := pol.Decide(
			&compress.Request{AcceptEncoding: []byte(ae)},
			&compress.Response{Status: 200, ContentType: []byte("text/css"), Length: 102400})
		var h fasthttp.ResponseHeader
		h.Set("ETag", `"19000-6619d14b607c6"`)
		compress.SetHeaders(&h, d)
		fmt.Printf("%-18q → %-8s Vary=%q ETag=%s\n", ae, d.Encoding, h.Peek("Vary"), h.Peek("ETag"))
	}
	// Output:
	// "gzip, br"         → gzip     Vary="Accept-Encoding" ETag="19000-6619d14b607c6-gzip"
	// "br"               → br       Vary="Accept-Encoding" ETag="19000-6619d14b607c6-br"
	// "gzip;q=0, br;q=0" → identity Vary="Accept-Encoding" ETag="19000-6619d14b607c6"
	// ""                 → identity Vary="Accept-Encoding" ETag="19000-6619d14b607c6"
}
