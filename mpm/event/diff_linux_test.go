package event

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/h1serve/h1servetest"
)

// TestDifferential feeds the byte streams of internal/h1serve's
// differential test to an event child and to fasthttp.Server.ServeConn
// (both reading through an h1.Validator, with the same settings) and
// requires byte-identical answers once Date is normalised: the loop as the
// workers drive it over the shim, with parking between requests, write
// completion, Hijack (the fd handed to the handler's goroutine) and
// StreamRequestBody (a 10 MB body read in pieces through the worker's
// reader).
func TestDifferential(t *testing.T) {
	for _, streamBody := range []bool{false, true} {
		fhAddr := h1servetest.ServeWith(t, h1servetest.NewServer(streamBody).ServeConn)
		e := startServer(t, Config{ThreadsPerChild: 4, KeepAliveTimeout: 5 * time.Second, Timeout: 5 * time.Second}, h1servetest.NewServer(streamBody))
		for _, s := range h1servetest.Streams() {
			t.Run(fmt.Sprintf("stream=%v/%s", streamBody, s.Name), func(t *testing.T) {
				want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
				got := h1servetest.Normalise(h1servetest.Exchange(t, e.addr, s))
				if got != want {
					t.Errorf("answers differ\nfasthttp: %q\nevent:    %q", want, got)
				}
				if sub := h1servetest.MustSee[s.Name]; sub != "" && !strings.Contains(got, sub) {
					t.Errorf("answer lacks %q: %q", sub, got)
				}
			})
		}
	}
	// KeepAlive Off: the site sets DisableKeepalive, the engine gets
	// KeepAliveTimeout 0. Every response says Connection: close, except a
	// hijack's (a 101 must not).
	t.Run("keepalive-off", func(t *testing.T) {
		fh := h1servetest.NewServer(false)
		fh.DisableKeepalive = true
		fhAddr := h1servetest.ServeWith(t, fh.ServeConn)
		srv := h1servetest.NewServer(false)
		srv.DisableKeepalive = true
		e := startServer(t, Config{ThreadsPerChild: 2, Timeout: 5 * time.Second}, srv)
		for _, s := range h1servetest.Streams() {
			if strings.HasPrefix(s.Name, "corpus/") {
				continue
			}
			t.Run(s.Name, func(t *testing.T) {
				want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
				got := h1servetest.Normalise(h1servetest.Exchange(t, e.addr, s))
				if got != want {
					t.Errorf("answers differ\nfasthttp: %q\nevent:    %q", want, got)
				}
				if strings.HasPrefix(s.Name, "hijack") && strings.Contains(got, "Connection: close") {
					t.Errorf("a hijack's response says Connection: close: %q", got)
				}
			})
		}
	})
	t.Run("stream-body", func(t *testing.T) {
		fh := h1servetest.NewServer(true)
		fh.MaxRequestBodySize = h1servetest.StreamBodyLimit
		fhAddr := h1servetest.ServeWith(t, fh.ServeConn)
		srv := h1servetest.NewServer(true)
		srv.MaxRequestBodySize = h1servetest.StreamBodyLimit
		e := startServer(t, Config{ThreadsPerChild: 2, KeepAliveTimeout: 5 * time.Second, Timeout: 5 * time.Second}, srv)
		for _, s := range h1servetest.StreamBodyCases() {
			t.Run(s.Name, func(t *testing.T) {
				want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
				got := h1servetest.Normalise(h1servetest.Exchange(t, e.addr, s))
				if got != want {
					t.Errorf("answers differ\nfasthttp: %.600q\nevent:    %.600q", want, got)
				}
				if !strings.Contains(got, "HTTP/1.1 200") {
					t.Errorf("no answer: %.300q", got)
				}
			})
		}
		waitFor(t, 5*time.Second, "the hijacked and streamed connections to leave the child", func() bool { return e.proc().Connections() == 0 })
	})
}

// TestDifferentialSettings: the event engine honours the settings
// h1serve.Settings says it honours, as fasthttp.Server does.
func TestDifferentialSettings(t *testing.T) {
	for _, v := range h1servetest.Variants {
		t.Run(v.Name, func(t *testing.T) {
			fh, ours := h1servetest.NewServer(false), h1servetest.NewServer(false)
			v.Set(fh)
			v.Set(ours)
			fhAddr := h1servetest.ServeWith(t, fh.ServeConn)
			e := startServer(t, Config{ThreadsPerChild: 4, KeepAliveTimeout: 5 * time.Second, Timeout: 5 * time.Second}, ours)
			for _, s := range h1servetest.Plain() {
				t.Run(s.Name, func(t *testing.T) {
					want := h1servetest.Normalise(h1servetest.Exchange(t, fhAddr, s))
					got := h1servetest.Normalise(h1servetest.Exchange(t, e.addr, s))
					if got != want {
						t.Errorf("answers differ\nfasthttp: %q\nevent:    %q", want, got)
					}
				})
			}
		})
	}
}
