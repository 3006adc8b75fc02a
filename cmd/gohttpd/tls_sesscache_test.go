package main

import (
	"crypto/tls"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gohttpd/gohttpd/mpm/mpmtest"
)

// TestHTTPSStatefulResumption: with "SSLSessionTickets off" and
// "SSLSessionCache shmcb:...", a client resumes its session on the child
// that made it and on other children (the sessions are in the shared
// file; the client holds only an ID); without SSLSessionCache, tickets
// off means no resumption (Apache: the session cache is off then). The
// sessions survive a graceful restart.
func TestHTTPSStatefulResumption(t *testing.T) {
	for _, mpmName := range []string{"event", "prefork"} {
		t.Run(mpmName, func(t *testing.T) {
			extra := []string{"StartServers 4", "SSLSessionTickets off", "SSLSessionCache shmcb:ssl_scache(128000)"}
			if mpmName != "prefork" {
				extra = append(extra, "ThreadsPerChild 2", "MinSpareThreads 2", "MaxSpareThreads 16", "MaxRequestWorkers 8", "ServerLimit 4")
			}
			s, addr := startHTTPS(t, mpmName, extra...)
			mpmtest.WaitFor(t, 10*time.Second, "several children", func() bool { return len(s.Children()) >= 2 })
			cache := tls.NewLRUClientSessionCache(4)
			if _, _, _, cs := tlsGet(t, addr, "a.test", "a.test", "/hello.txt", cache); cs.DidResume {
				t.Fatal("first connection resumed")
			}
			pids := func() map[string]bool {
				m := map[string]bool{}
				for _, l := range s.ReadLog("tls_log") {
					if f := strings.Fields(l); len(f) == 7 && f[6] == "Resumed" {
						m[f[5]] = true
					}
				}
				return m
			}
			n := 1
			deadline := time.Now().Add(20 * time.Second)
			for len(pids()) < 2 && n < 400 && time.Now().Before(deadline) {
				hold, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "a.test", InsecureSkipVerify: true})
				if err != nil {
					t.Fatal(err)
				}
				_, _, _, cs := tlsGet(t, addr, "a.test", "a.test", "/hello.txt", cache)
				hold.Close()
				n++
				if !cs.DidResume {
					t.Fatalf("connection %d did not resume", n)
				}
			}
			if got := pids(); len(got) < 2 {
				t.Errorf("resumed sessions were served by children %v after %d connections, want at least two", got, n)
			}
			// A graceful restart keeps the cache file: the new
			// generation's children resume the sessions too.
			old := map[int]bool{}
			for _, p := range s.Children() {
				old[p] = true
			}
			s.Signal(syscall.SIGUSR1)
			mpmtest.WaitFor(t, 20*time.Second, "a new generation of children", func() bool {
				cs := s.Children()
				for _, p := range cs {
					if old[p] {
						return false
					}
				}
				return len(cs) > 0
			})
			if _, _, _, cs := tlsGet(t, addr, "a.test", "a.test", "/hello.txt", cache); !cs.DidResume {
				t.Error("no resumption after a graceful restart")
			}
		})
	}
	t.Run("no cache", func(t *testing.T) {
		_, addr := startHTTPS(t, "event", "SSLSessionTickets off")
		cache := tls.NewLRUClientSessionCache(4)
		for i := range 3 {
			if _, _, _, cs := tlsGet(t, addr, "a.test", "a.test", "/hello.txt", cache); cs.DidResume {
				t.Fatalf("connection %d resumed without a session cache", i)
			}
		}
	})
}
