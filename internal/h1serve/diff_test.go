package h1serve_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gohttpd/gohttpd/internal/h1serve"
	"github.com/gohttpd/gohttpd/internal/h1serve/h1servetest"
)

// TestDifferential feeds the same raw byte streams to Server.ServeConn
// (the loop the event engine runs) and to fasthttp.Server.ServeConn, both
// reading through an h1.Validator, and requires byte-identical answers
// once Date is normalised: pipelining, partial requests, malformed ones,
// Expect: 100-continue, HEAD, bodies (whole and chunked), Connection:
// close, HTTP/1.0 keep-alive, oversized heads, the body limit, response
// streams, hijacked connections (with and without a response) and the
// h1 corpus.
func TestDifferential(t *testing.T) {
	for _, streamBody := range []bool{false, true} {
		fh := h1servetest.NewServer(streamBody)
		ours := h1serve.New(h1servetest.NewServer(streamBody), h1serve.Options{})
		fhAddr := h1servetest.ServeWith(t, fh.ServeConn)
		ourAddr := h1servetest.ServeWith(t, ours.ServeConn)
		for _, s := range h1servetest.Streams() {
			t.Run(fmt.Sprintf("stream=%v/%s", streamBody, s.Name), func(t *testing.T) {
				t.Parallel()
				want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
				got := h1servetest.Normalise(h1servetest.Exchange(t, ourAddr, s))
				if got != want {
					t.Errorf("answers differ\nfasthttp: %q\nh1serve:  %q", want, got)
				}
				if sub := h1servetest.MustSee[s.Name]; sub != "" && !strings.Contains(got, sub) {
					t.Errorf("answer lacks %q: %q", sub, got)
				}
			})
		}
	}
}

// TestDifferentialStreamBody: a 10 MB body read in pieces by a handler of
// a StreamRequestBody server (never held whole), then a pipelined request;
// and a handler that reads only part of a body, which the loop skips.
func TestDifferentialStreamBody(t *testing.T) {
	srv := h1servetest.NewServer(true)
	srv.MaxRequestBodySize = h1servetest.StreamBodyLimit
	ourSrv := h1servetest.NewServer(true)
	ourSrv.MaxRequestBodySize = h1servetest.StreamBodyLimit
	fhAddr := h1servetest.ServeWith(t, srv.ServeConn)
	ourAddr := h1servetest.ServeWith(t, h1serve.New(ourSrv, h1serve.Options{}).ServeConn)
	cases := h1servetest.StreamBodyCases()
	for _, s := range cases {
		t.Run(s.Name, func(t *testing.T) {
			want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
			got := h1servetest.Normalise(h1servetest.Exchange(t, ourAddr, s))
			if got != want {
				t.Errorf("answers differ\nfasthttp: %.600q\nh1serve:  %.600q", want, got)
			}
			if !strings.Contains(want, "HTTP/1.1 200") {
				t.Errorf("no answer: %.300q", want)
			}
		})
	}
}

// TestDifferentialSettings: the loop honours the settings it says it
// honours (Settings) as fasthttp.Server does, one variant at a time.
func TestDifferentialSettings(t *testing.T) {
	for _, v := range h1servetest.Variants {
		fh, ours := h1servetest.NewServer(false), h1servetest.NewServer(false)
		v.Set(fh)
		v.Set(ours)
		fhAddr := h1servetest.ServeWith(t, fh.ServeConn)
		ourAddr := h1servetest.ServeWith(t, h1serve.New(ours, h1serve.Options{}).ServeConn)
		for _, s := range h1servetest.Plain() {
			t.Run(v.Name+"/"+s.Name, func(t *testing.T) {
				t.Parallel()
				want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
				got := h1servetest.Normalise(h1servetest.Exchange(t, ourAddr, s))
				if got != want {
					t.Errorf("answers differ\nfasthttp: %q\nh1serve:  %q", want, got)
				}
			})
		}
	}
}
