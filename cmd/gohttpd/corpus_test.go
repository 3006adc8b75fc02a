package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/internal/h1/corpus"
	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// corpusTarget is the address TestCorpusAgainst probes, for comparing
// another server (a local Apache) with the corpus:
//
//	go test ./cmd/gohttpd -run TestCorpusAgainst -v -target=127.0.0.1:PORT
var corpusTarget = flag.String("target", "", "address of a server to run the HTTP/1.1 corpus against (TestCorpusAgainst)")

// runCorpus sends every corpus case to addr, four at a time, and returns
// what differed from the expected answers, by case name.
func runCorpus(t *testing.T, addr string) map[string]string {
	t.Helper()
	var (
		mu    sync.Mutex
		diffs = make(map[string]string)
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 4)
	)
	for i := range corpus.Cases {
		c := &corpus.Cases[i]
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r, err := corpus.Probe(addr, []byte(c.Raw), len(c.Want), 300*time.Millisecond, 10*time.Second)
			d := ""
			if err != nil {
				d = err.Error()
			} else {
				d = c.Check(r)
			}
			if d != "" {
				mu.Lock()
				diffs[c.Name] = d
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return diffs
}

// report logs the differences by group and returns the summary line.
func report(t *testing.T, diffs map[string]string) string {
	t.Helper()
	for _, c := range corpus.Cases {
		if d, ok := diffs[c.Name]; ok {
			note := ""
			if c.Note != "" {
				note = " (judgement: " + c.Note + ")"
			}
			t.Logf("%-18s %-32s %s%s", c.Group, c.Name, d, note)
		}
	}
	return fmt.Sprintf("%d of %d corpus cases differ", len(diffs), len(corpus.Cases))
}

// TestCorpus runs the HTTP/1.1 corpus against gohttpd on every engine,
// through the real binary: each request stream gets the statuses the RFCs
// call for, a rejected request closes its connection without answering
// what followed it, and the server keeps serving; the access log shows
// rejected requests as they came.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gohttpd three times")
	}
	for _, run := range []struct {
		name, mpm string
		args      []string
	}{
		{"prefork", "prefork", nil},
		{"worker", "worker", nil},
		{"event", "event", nil},
		{"event-X", "event", []string{"-X"}},
	} {
		t.Run(run.name, func(t *testing.T) {
			// A short header timeout and no TCP_DEFER_ACCEPT, so that a
			// silent client is accepted at once and gets its 408 in a
			// second.
			s := mpmtest.Start(t, mpmtest.Options{MPM: run.mpm, Args: run.args, Directives: []string{
				"StartServers 2", "KeepAliveTimeout 5", "RequestReadTimeout header=1", "AcceptFilter http none",
				`LogFormat "%h %l %u %t \"%r\" %>s %b m=%m U=%U q=%q H=%H" probe`,
				"CustomLog logs/probe_log probe",
			}})
			if diffs := runCorpus(t, s.Addr); len(diffs) > 0 {
				t.Error(report(t, diffs))
			}
			if st, _, err := s.Get("/"); err != nil || st != 200 {
				t.Fatalf("GET / after the corpus: %d, %v", st, err)
			}
			// The access log writes rejected requests as they came.
			wants := []string{
				`"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x8a\x1e\x00\x00" 400 `,
				`"GET / HTTP/2.0" 505 `,
				`"GET /caf\xc3\xa9 HTTP/1.1" 400 `,
				`"GARBAGE" 400 `,
				`"POST / HTTP/1.1" 501 `,
				`"GET / http/1.1" 400 `,
				`m=GET U=/ q= H=http/1.1`,
				`"GARBAGE" 400 266 m=- U=- q= H=-`,
				`"GET /" 200 40 m=GET U=/ q= H=HTTP/0.9`,
				`"GET http://u:XXXXXXXX@x/ HTTP/1.1" 400 `,
			}
			missing := wants
			deadline := time.Now().Add(10 * time.Second)
			for {
				log := strings.Join(s.ReadLog("probe_log"), "\n")
				missing = nil
				for _, w := range wants {
					if !strings.Contains(log, w) {
						missing = append(missing, w)
					}
				}
				if len(missing) == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if len(missing) > 0 {
				t.Errorf("access log lacks %q", missing)
			}

			// A connection that sends nothing is logged as "-" with 408
			// when the header timeout ends it; one closed by the client
			// without a byte is not logged at all (Apache 2.4 does both).
			silent, err := s.Dial()
			if err != nil {
				t.Fatal(err)
			}
			defer silent.Close()
			silent.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.ReadAll(silent); err != nil {
				t.Fatalf("silent connection: %v", err)
			}
			empty, err := s.Dial()
			if err != nil {
				t.Fatal(err)
			}
			empty.Close()
			if st, _, err := s.Get("/index.html?marker"); err != nil || st != 200 {
				t.Fatalf("GET marker: %d, %v", st, err)
			}
			// Each child writes its own lines: wait for both.
			count408 := func(lines []string) (n int, marker bool) {
				for _, l := range lines {
					if strings.Contains(l, `"-" 408 `) && strings.Contains(l, "m=- U=- q= H=-") {
						n++
					}
					marker = marker || strings.Contains(l, "marker")
				}
				return n, marker
			}
			var n408 int
			for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
				var marker bool
				if n408, marker = count408(s.ReadLog("probe_log")); marker && n408 > 0 {
					break
				}
			}
			if n408 != 1 {
				t.Errorf("%d lines \"-\" 408 for one silent connection and one empty one; want 1", n408)
			}
		})
	}
}

// TestCorpusAgainst runs the corpus against -target and logs the cases
// where that server's answers differ from the corpus's. It is a manual
// comparison (with Apache, say), skipped without -target.
func TestCorpusAgainst(t *testing.T) {
	if *corpusTarget == "" {
		t.Skip("no -target")
	}
	t.Log(report(t, runCorpus(t, *corpusTarget)))
}

// TestHTTPProtocolOptionsReachChildren: HttpProtocolOptions set in the
// configuration reaches the re-executed children of each engine.
func TestHTTPProtocolOptionsReachChildren(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gohttpd")
	}
	for _, engine := range []string{"prefork", "event"} {
		t.Run(engine, func(t *testing.T) {
			s := mpmtest.Start(t, mpmtest.Options{MPM: engine, Directives: []string{
				"StartServers 1", "HttpProtocolOptions Unsafe Require1.0 RegisteredMethods",
			}})
			tests := []struct {
				raw  string
				want []int
			}{
				{"GET /\r\n", []int{400}},                                  // Require1.0
				{"GET / HTTP/1.1\r\nHost: a..b\r\n\r\n", []int{corpus.OK}}, // Unsafe
				{"FOO / HTTP/1.1\r\nHost: x\r\n\r\n", []int{501}},          // RegisteredMethods
			}
			for _, tt := range tests {
				c := corpus.Case{Raw: tt.raw, Want: tt.want}
				r, err := corpus.Probe(s.Addr, []byte(tt.raw), len(tt.want), 300*time.Millisecond, 10*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if d := c.Check(r); d != "" {
					t.Errorf("%q: %s", tt.raw, d)
				}
			}
		})
	}
}
