// Package corpus is a table of raw HTTP/1.1 request streams, each with
// the answers RFC 9110/9112 call for, and a client that sends one to any
// server and reports what came back. The h1 tests run the table against
// the Validator, the engine tests against gohttpd, and the comparison
// test (TestCorpusAgainst in cmd/gohttpd) against any address, such as a
// local Apache.
package corpus

import (
	"bytes"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OK stands for any status of a request that was read and served (the
// resource may or may not exist): 2xx, 3xx, 404, 405.
const OK = 0

// Closing expectations.
const (
	Either    int8 = 0
	MustClose int8 = 1
	MustStay  int8 = -1
)

// Case is one request stream.
type Case struct {
	Name  string
	Group string
	Raw   string
	// Want are the statuses of the responses, in order (OK for any
	// served status); nil for none.
	Want []int
	// Close says whether the server must close the connection after the
	// last response.
	Close int8
	// Verdict is the status the h1 Validator rejects the stream with, or
	// 0 when it must pass every byte.
	Verdict int
	// HTTP09: an HTTP/0.9 request (Allow0.9): answered with a body and no
	// head, then closed.
	HTTP09 bool
	// Note explains a judgement call (where Apache or the RFCs allow
	// another answer).
	Note string
}

const (
	host = "Host: x\r\n"
	get  = "GET / HTTP/1.1\r\n" + host + "\r\n"
)

func ok(name, group, raw string, n int) Case {
	want := make([]int, n)
	return Case{Name: name, Group: group, Raw: raw, Want: want, Close: Either}
}

func reject(name, group, raw string, status int, served int) Case {
	want := append(make([]int, served), status)
	return Case{Name: name, Group: group, Raw: raw, Want: want, Close: MustClose, Verdict: status}
}

func chunked(body string) string {
	return "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + body
}

func withField(f string) string { return "GET / HTTP/1.1\r\n" + host + f + "\r\n\r\n" }

func withHost(h string) string { return "GET / HTTP/1.1\r\nHost: " + h + "\r\n\r\n" }

func line(l string) string { return l + "\r\n" + host + "\r\n" }

// Cases is the corpus.
var Cases = func() []Case {
	cs := []Case{
		// Valid requests.
		ok("get-1.1", "valid", get, 1),
		ok("get-1.0", "valid", "GET / HTTP/1.0\r\n\r\n", 1),
		ok("pipelined-3", "valid", get+get+get, 3),
		ok("leading-crlf", "valid", "\r\n"+get, 1),
		ok("post-content-length", "valid", "POST / HTTP/1.1\r\n"+host+"Content-Length: 5\r\n\r\nhello", 1),
		ok("post-content-length-0", "valid", "POST / HTTP/1.1\r\n"+host+"Content-Length: 0\r\n\r\n", 1),
		ok("get-content-length-body", "valid", "GET / HTTP/1.1\r\n"+host+"Content-Length: 3\r\n\r\nabc"+get, 2),
		ok("post-chunked", "valid", chunked("5\r\nhello\r\n0\r\n\r\n"), 1),
		ok("chunked-uppercase-hex", "valid", chunked("A\r\n0123456789\r\n0\r\n\r\n"), 1),
		ok("chunked-leading-zeros", "valid", chunked("0005\r\nhello\r\n0000\r\n\r\n"), 1),
		ok("chunked-ext", "valid", chunked("5;a=b\r\nhello\r\n0\r\n\r\n"), 1),
		ok("chunked-ext-quoted", "valid", chunked("5;a=\"b c\"\r\nhello\r\n0\r\n\r\n"), 1),
		ok("chunked-ext-bws-after", "valid", chunked("5; a = b\r\nhello\r\n0\r\n\r\n"), 1),
		{Name: "chunked-ext-bws-before", Group: "chunked", Raw: chunked("5 ;a=b\r\nhello\r\n0\r\n\r\n"),
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "RFC 9112 §7.1.1 allows BWS before ';' (Apache accepts it); fasthttp refuses it and it is a smuggling vector"},
		ok("chunked-ext-name-only", "valid", chunked("5;a\r\nhello\r\n0;b\r\n\r\n"), 1),
		ok("chunked-trailer", "valid", chunked("5\r\nhello\r\n0\r\nX-T: y\r\n\r\n"), 1),
		ok("chunked-then-get", "valid", chunked("5\r\nhello\r\n0\r\n\r\n")+get, 2),
		ok("post-then-get", "valid", "POST / HTTP/1.1\r\n"+host+"Content-Length: 5\r\n\r\nhello"+get, 2),
		ok("te-case-insensitive", "valid", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 1),
		ok("absolute-form", "valid", "GET http://x/ HTTP/1.1\r\n"+host+"\r\n", 1),
		ok("absolute-form-port", "valid", "GET http://x:80/ HTTP/1.1\r\n"+host+"\r\n", 1),
		ok("absolute-form-query-empty-path", "valid", "GET http://x?a=b HTTP/1.1\r\n"+host+"\r\n", 1),
		ok("absolute-form-uppercase-scheme", "valid", "GET HTTP://X/ HTTP/1.1\r\n"+host+"\r\n", 1),
		ok("host-port", "valid", withHost("x:8080"), 1),
		ok("host-ipv4", "valid", withHost("127.0.0.1"), 1),
		ok("host-ipv6", "valid", withHost("[::1]:80"), 1),
		ok("host-underscore", "valid", withHost("a_b.example"), 1),
		ok("options-asterisk", "valid", "OPTIONS * HTTP/1.1\r\n"+host+"\r\n", 1),
		ok("http-1.2", "valid", line("GET / HTTP/1.2"), 1),
		ok("field-obs-text", "valid", withField("X-A: caf\xc3\xa9 \xff"), 1),
		ok("field-htab", "valid", withField("X-A:\tb\tc\t"), 1),
		ok("field-empty-value", "valid", withField("X-A:"), 1),
		ok("query", "valid", line("GET /?a=b&c=%20&d=/?:@!$'()*+,; HTTP/1.1"), 1),
		ok("pct-path", "valid", line("GET /%69ndex.html HTTP/1.1"), 1),
		ok("http-1.0-no-host", "valid", "GET / HTTP/1.0\r\nX-A: b\r\n\r\n", 1),

		// The HTTP-version token.
		reject("version-0.9", "version", line("GET / HTTP/0.9"), 400, 0),
		reject("version-0.8", "version", line("GET / HTTP/0.8"), 400, 0),
		reject("version-2.0", "version", line("GET / HTTP/2.0"), 505, 0),
		reject("version-3.0", "version", line("GET / HTTP/3.0"), 505, 0),
		reject("version-lowercase", "version", line("GET / http/1.1"), 400, 0),
		reject("version-1.10", "version", line("GET / HTTP/1.10"), 400, 0),
		reject("version-01.1", "version", line("GET / HTTP/01.1"), 400, 0),
		reject("version-no-minor", "version", line("GET / HTTP/1"), 400, 0),
		reject("version-letter", "version", line("GET / HTTP/1.a"), 400, 0),
		reject("version-https", "version", line("GET / HTTPS/1.1"), 400, 0),
		reject("version-trailing-space", "version", line("GET / HTTP/1.1 "), 400, 0),
		{Name: "http-0.9", Group: "version", Raw: line("GET /"), Want: nil, Close: MustClose, HTTP09: true},
		reject("http-0.9-post", "version", line("POST /"), 400, 0),
		{Name: "h2-preface", Group: "version", Raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "Apache 2.4.71 (with or without mod_http2, in the clear and over TLS without H2Direct) answers 400: '*' is only for OPTIONS, checked before the version"},

		// The request line.
		reject("double-space", "request-line", line("GET  / HTTP/1.1"), 400, 0),
		reject("tab-separators", "request-line", line("GET\t/\tHTTP/1.1"), 400, 0),
		reject("request-line-bare-lf", "request-line", "GET / HTTP/1.1\n"+host+"\r\n", 400, 0),
		reject("request-line-bare-cr", "request-line", "GET / HTTP/1.1\r"+host+"\r\n", 400, 0),
		reject("leading-space", "request-line", line(" GET / HTTP/1.1"), 400, 0),
		reject("method-paren", "request-line", line("G(T / HTTP/1.1"), 400, 0),
		reject("method-nul", "request-line", line("G\x00T / HTTP/1.1"), 400, 0),
		reject("method-non-ascii", "request-line", line("G\xc9T / HTTP/1.1"), 400, 0),
		reject("tls-client-hello", "request-line", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x8a\x1e\x00\x00", 400, 0),
		reject("garbage", "request-line", "GARBAGE\r\n\r\n", 400, 0),
		reject("blank-lines-11", "request-line", strings.Repeat("\r\n", 11)+get, 400, 0),

		// The request target.
		reject("userinfo", "target", line("GET http://u@x/ HTTP/1.1"), 400, 0),
		reject("userinfo-password", "target", line("GET http://u:p@x/ HTTP/1.1"), 400, 0),
		reject("raw-utf8", "target", line("GET /caf\xc3\xa9 HTTP/1.1"), 400, 0),
		reject("overlong-utf8", "target", line("GET /\xc0\xaf HTTP/1.1"), 400, 0),
		reject("raw-latin1", "target", line("GET /\xe9 HTTP/1.1"), 400, 0),
		reject("fragment", "target", line("GET /#f HTTP/1.1"), 400, 0),
		reject("fragment-after-query", "target", line("GET /?a#b HTTP/1.1"), 400, 0),
		reject("target-ctl", "target", line("GET /\x01 HTTP/1.1"), 400, 0),
		reject("target-del", "target", line("GET /\x7f HTTP/1.1"), 400, 0),
		{Name: "target-backslash", Group: "target", Raw: line("GET /a\\b HTTP/1.1"), Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "RFC 3986 has no '\\' in a URI; Apache's Strict lets it through (404)"},
		{Name: "target-angle", Group: "target", Raw: line("GET /<a> HTTP/1.1"), Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "RFC 3986 has no '<' '>' in a URI; Apache's Strict lets them through (404)"},
		reject("target-bad-escape", "target", line("GET /%zz HTTP/1.1"), 400, 0),
		reject("absolute-empty-host", "target", line("GET http:/// HTTP/1.1"), 400, 0),
		reject("absolute-bad-port", "target", line("GET http://x:y/ HTTP/1.1"), 400, 0),
		reject("absolute-ftp", "target", line("GET ftp://x/ HTTP/1.1"), 400, 0),
		reject("relative-target", "target", line("GET index.html HTTP/1.1"), 400, 0),
		reject("asterisk-get", "target", line("GET * HTTP/1.1"), 400, 0),
		reject("connect-origin-form", "target", line("CONNECT / HTTP/1.1"), 400, 0),

		// The Host header.
		reject("host-missing", "host", "GET / HTTP/1.1\r\n\r\n", 400, 0),
		reject("host-missing-absolute", "host", "GET http://x/ HTTP/1.1\r\n\r\n", 400, 0),
		reject("host-twice", "host", "GET / HTTP/1.1\r\n"+host+host+"\r\n", 400, 0),
		reject("host-twice-different", "host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0),
		reject("host-empty", "host", withHost(""), 400, 0),
		reject("host-port-6-digits", "host", withHost("x:123456"), 400, 0),
		reject("host-port-alpha", "host", withHost("x:abc"), 400, 0),
		reject("host-port-empty", "host", withHost("x:"), 400, 0),
		reject("host-space", "host", withHost("x y"), 400, 0),
		reject("host-ctl", "host", withHost("x\x01"), 400, 0),
		reject("host-non-ascii", "host", withHost("x\xff"), 400, 0),
		reject("host-userinfo", "host", withHost("u@x"), 400, 0),
		reject("host-path", "host", withHost("x/y"), 400, 0),
		reject("host-double-dot", "host", withHost("a..b"), 400, 0),
		reject("host-ipv6-unclosed", "host", withHost("[::1"), 400, 0),
		{Name: "host-disagrees-absolute", Group: "host", Raw: "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n",
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "RFC 9112 §3.2.2 lets an origin server ignore Host here; Strict refuses the ambiguity, as proxies in front may route on Host"},

		// Field lines.
		reject("space-before-colon", "fields", withField("X-A : b"), 400, 0),
		reject("tab-before-colon", "fields", withField("X-A\t: b"), 400, 0),
		reject("space-in-name", "fields", withField("X A: b"), 400, 0),
		reject("host-space-before-colon", "fields", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, 0),
		reject("obs-fold", "fields", withField("X-A: b\r\n c"), 400, 0),
		reject("first-field-folded", "fields", "GET / HTTP/1.1\r\n X-A: b\r\n"+host+"\r\n", 400, 0),
		reject("field-bare-lf", "fields", "GET / HTTP/1.1\r\n"+"Host: x\n\r\n", 400, 0),
		reject("all-bare-lf", "fields", "GET / HTTP/1.1\nHost: x\n\n", 400, 0),
		reject("end-bare-lf", "fields", "GET / HTTP/1.1\r\n"+host+"\n", 400, 0),
		reject("value-bare-cr", "fields", withField("X-A: b\rc"), 400, 0),
		reject("value-nul", "fields", withField("X-A: b\x00c"), 400, 0),
		reject("value-ctl", "fields", withField("X-A: b\x01"), 400, 0),
		reject("value-del", "fields", withField("X-A: b\x7f"), 400, 0),
		reject("name-empty", "fields", withField(": b"), 400, 0),
		reject("no-colon", "fields", withField("X-A"), 400, 0),
		reject("name-paren", "fields", withField("X(A): b"), 400, 0),
		reject("name-ctl", "fields", withField("X\x01A: b"), 400, 0),
		reject("name-non-ascii", "fields", withField("X\xffA: b"), 400, 0),
		reject("field-too-long", "limits", withField("X-A: "+strings.Repeat("a", 9000)), 400, 0),
		reject("too-many-fields", "limits", withField(strings.Repeat("X-A: b\r\n", 100)+"X-A: b"), 400, 0),

		// Transfer-Encoding and Content-Length.
		reject("te-identity", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: identity\r\n\r\n", 400, 0),
		reject("te-gzip", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: gzip\r\n\r\n", 400, 0),
		reject("te-chunked-gzip", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400, 0),
		{Name: "te-gzip-chunked", Group: "transfer-encoding",
			Raw:  "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
			Want: []int{501}, Close: MustClose, Verdict: 501,
			Note: "RFC 9112 §6.1: an unknown coding SHOULD be answered 501; Apache passes the coded body on as if plain"},
		reject("te-chunked-twice", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400, 0),
		reject("te-two-fields", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0),
		reject("te-split-fields", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400, 0),
		reject("te-empty", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding:\r\n\r\n", 400, 0),
		reject("te-xchunked", "transfer-encoding", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400, 0),
		reject("te-http-1.0", "transfer-encoding", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0),
		{Name: "cl-and-te", Group: "transfer-encoding",
			Raw:  "POST / HTTP/1.1\r\n" + host + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "RFC 9112 §6.1 lets a server read such a request by Transfer-Encoding and close after it (Apache, and gohttpd with Unsafe); Strict refuses it"},
		{Name: "te-and-cl", Group: "transfer-encoding",
			Raw:  "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "as cl-and-te"},
		reject("cl-alpha", "content-length", "POST / HTTP/1.1\r\n"+host+"Content-Length: abc\r\n\r\n", 400, 0),
		reject("cl-plus", "content-length", "POST / HTTP/1.1\r\n"+host+"Content-Length: +5\r\n\r\nhello", 400, 0),
		reject("cl-negative", "content-length", "POST / HTTP/1.1\r\n"+host+"Content-Length: -1\r\n\r\n", 400, 0),
		reject("cl-list", "content-length", "POST / HTTP/1.1\r\n"+host+"Content-Length: 5, 5\r\n\r\nhello", 400, 0),
		reject("cl-inner-space", "content-length", "POST / HTTP/1.1\r\n"+host+"Content-Length: 1 0\r\n\r\n0123456789", 400, 0),
		{Name: "cl-twice", Group: "content-length",
			Raw:  "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "RFC 9110 §8.6 allows folding identical values; refusing is the safe reading"},
		{Name: "cl-overflow", Group: "content-length",
			Raw:  "POST / HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999\r\n\r\n",
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "Apache answers 413 (larger than LimitRequestBody); the value is not a number we can hold"},

		// Chunked bodies.
		reject("chunk-size-trailing-space", "chunked", chunked("5 \r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-size-leading-space", "chunked", chunked(" 5\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-size-tab", "chunked", chunked("5\t\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-bare-semicolon", "chunked", chunked("5;\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-ext-no-name", "chunked", chunked("5;=b\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-ext-ctl", "chunked", chunked("5;a=\x01\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-ext-nul", "chunked", chunked("5;a=b\x00\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-ext-bare-lf", "chunked", chunked("5;a=b\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-ext-unclosed-quote", "chunked", chunked("5;a=\"b\r\nhello\r\n0\r\n\r\n"), 400, 0),
		{Name: "chunk-size-overflow", Group: "chunked",
			Raw:  chunked("fffffffffffffffffff1\r\nhello\r\n0\r\n\r\n"),
			Want: []int{400}, Close: MustClose, Verdict: 400,
			Note: "Apache answers 413; the size does not fit in 64 bits"},
		reject("chunk-size-0x", "chunked", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-size-negative", "chunked", chunked("-5\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-size-empty", "chunked", chunked("\r\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-size-bare-lf", "chunked", chunked("5\nhello\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-data-too-long", "chunked", chunked("5\r\nhelloX\r\n0\r\n\r\n"), 400, 0),
		reject("chunk-data-bare-lf", "chunked", chunked("5\r\nhello\n0\r\n\r\n"), 400, 0),
		reject("last-chunk-bare-lf", "chunked", chunked("5\r\nhello\r\n0\n\r\n"), 400, 0),
		reject("trailer-space-before-colon", "chunked", chunked("0\r\nX-T : y\r\n\r\n"), 400, 0),
		reject("trailer-obs-fold", "chunked", chunked("0\r\nX-T: y\r\n z\r\n\r\n"), 400, 0),
		reject("trailer-bare-lf", "chunked", chunked("0\r\nX-T: y\n\r\n"), 400, 0),
		reject("trailer-ctl", "chunked", chunked("0\r\nX-T: y\x01\r\n\r\n"), 400, 0),
		reject("trailer-end-bare-lf", "chunked", chunked("0\r\n\n"), 400, 0),

		// Limits.
		reject("oversized-method", "limits", line(strings.Repeat("A", 10000)+" / HTTP/1.1"), 414, 0),
		reject("oversized-uri", "limits", line("GET /"+strings.Repeat("a", 9000)+" HTTP/1.1"), 414, 0),

		// After a rejected request, nothing that followed is answered.
		reject("valid-then-bad", "pipelining", get+withField("X-A : b"), 400, 1),
		reject("bad-then-valid", "pipelining", withField("X-A : b")+get, 400, 0),
		reject("valid-then-garbage", "pipelining", get+"\x16\x03\x01\x00\x05hello", 400, 1),
		reject("two-valid-then-bad-chunk", "pipelining", get+get+chunked("5 \r\nhello\r\n0\r\n\r\n")+get, 400, 2),
		reject("smuggle-cl-te", "pipelining", "POST / HTTP/1.1\r\n"+host+"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n"+host+"\r\n", 400, 0),
		reject("smuggle-te-obs", "pipelining", "POST / HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"+get, 400, 0),
	}
	for i := range cs {
		if cs[i].Close == Either && len(cs[i].Want) > 0 && !strings.Contains(cs[i].Raw, "HTTP/1.0") &&
			!strings.Contains(cs[i].Raw, "HTTP/1.2") {
			cs[i].Close = MustStay
		}
	}
	return cs
}()

// Result is what a server answered to a Case.
type Result struct {
	Statuses []int
	Closed   bool
	Raw      []byte
}

var statusRE = regexp.MustCompile(`(?m)^HTTP/1\.[0-9] ([0-9]{3}) `)

// Probe sends raw to addr and collects the answers: it reads until the
// server closes, or until want responses came and nothing more arrives
// within quiet, or until timeout.
func Probe(addr string, raw []byte, want int, quiet, timeout time.Duration) (Result, error) {
	var r Result
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return r, err
	}
	defer c.Close()
	end := time.Now().Add(timeout)
	c.SetDeadline(end)
	if _, err := c.Write(raw); err != nil && !errors.Is(err, net.ErrClosed) {
		// The server may close before taking everything: read what it said.
		var ne *net.OpError
		if !errors.As(err, &ne) {
			return r, err
		}
	}
	buf := make([]byte, 64<<10)
	for {
		d := end
		if n := len(statusRE.FindAllIndex(r.Raw, -1)); n >= want && want > 0 {
			d = time.Now().Add(quiet)
			if d.After(end) {
				d = end
			}
		}
		c.SetReadDeadline(d)
		n, err := c.Read(buf)
		r.Raw = append(r.Raw, buf[:n]...)
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
				r.Closed = true
			case errors.As(err, &ne) && ne.Timeout():
			default:
				// A reset counts as closed.
				r.Closed = true
			}
			break
		}
	}
	for _, m := range statusRE.FindAllSubmatch(r.Raw, -1) {
		s, _ := strconv.Atoi(string(m[1]))
		r.Statuses = append(r.Statuses, s)
	}
	return r, nil
}

// Check compares a Result with the Case and returns what differs, or "".
func (c *Case) Check(r Result) string {
	var diffs []string
	match := len(r.Statuses) == len(c.Want)
	for i := 0; match && i < len(c.Want); i++ {
		match = statusMatches(c.Want[i], r.Statuses[i])
	}
	if !match {
		diffs = append(diffs, "statuses "+fmtStatuses(r.Statuses)+", want "+fmtStatuses(c.Want))
	}
	switch {
	case c.Close == MustClose && !r.Closed:
		diffs = append(diffs, "connection left open, want closed")
	case c.Close == MustStay && r.Closed:
		diffs = append(diffs, "connection closed, want kept open")
	}
	return strings.Join(diffs, "; ")
}

func statusMatches(want, got int) bool {
	if want == OK {
		return got >= 200 && got < 400 || got == 404 || got == 405
	}
	return want == got
}

func fmtStatuses(s []int) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		if v == OK {
			b.WriteString("ok")
		} else {
			b.WriteString(strconv.Itoa(v))
		}
	}
	b.WriteByte(']')
	return b.String()
}
