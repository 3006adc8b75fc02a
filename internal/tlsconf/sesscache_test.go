package tlsconf

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSessionCacheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scache")
	if err := CreateSessionCacheFile(path, 64*1024); err != nil {
		t.Fatal(err)
	}
	a, err := OpenSessionCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenSessionCache(path) // another child's mapping
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Unix(1_800_000_000, 0)
	a.now = func() time.Time { return now }
	b.now = a.now
	mem := NewMemorySessionCache(8192)
	mem.now = a.now
	for name, tc := range map[string]struct{ put, get *SessionCache }{
		"shared": {a, b}, "same mapping": {a, a}, "memory": {mem, mem},
	} {
		state := bytes.Repeat([]byte(name), 10)
		id := tc.put.Put(state, now.Add(time.Minute))
		if len(id) != sessIDLen {
			t.Fatalf("%s: Put = %x", name, id)
		}
		if got := tc.get.Get(id); !bytes.Equal(got, state) {
			t.Errorf("%s: Get = %q, want %q", name, got, state)
		}
		other := bytes.Clone(id)
		other[31] ^= 1 // same slot, another ID
		if got := tc.get.Get(other); got != nil {
			t.Errorf("%s: Get(another ID) = %q", name, got)
		}
		if got := tc.get.Get(id[:8]); got != nil {
			t.Errorf("%s: Get(short ID) = %q", name, got)
		}
		if id := tc.put.Put(make([]byte, sessMaxState+1), now.Add(time.Minute)); id != nil {
			t.Errorf("%s: Put(oversized) = %x, want nil", name, id)
		}
	}
	id := a.Put([]byte("old"), now.Add(time.Minute))
	now = now.Add(61 * time.Second)
	if got := b.Get(id); got != nil {
		t.Errorf("expired session found: %q", got)
	}
	// A lock left by a killed process is taken over once stale.
	id = a.Put([]byte("locked"), now.Add(time.Minute))
	s := a.slot(id)
	*lockWord(s) = uint32(now.Unix()) | 1
	if got := b.Get(id); got != nil {
		t.Errorf("read through a fresh lock: %q", got)
	}
	now = now.Add(3 * time.Second)
	if got := b.Get(id); string(got) != "locked" {
		t.Errorf("after a stale lock: %q", got)
	}
	// A file of another layout is refused.
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, make([]byte, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := OpenSessionCache(bad); err == nil {
		c.Close()
		t.Error("a file without the cache's header was mapped")
	}
	if _, err := OpenSessionCache(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("opening a missing cache file succeeded")
	}
}

// TestStatefulResumption: with SSLSessionTickets off and a session cache,
// a client resumes (TLS 1.2 and 1.3) on the same process and on another
// process mapping the same file; the ticket it holds is only an ID; with
// tickets off and no cache nothing resumes; past SSLSessionCacheTimeout
// nothing resumes.
func TestStatefulResumption(t *testing.T) {
	servers, sel := sniSetup(t)
	for i := range servers {
		if servers[i].SSL != nil {
			servers[i].SSL.SessionTicketsSet, servers[i].SSL.NoSessionTickets = true, true
			servers[i].SSL.SessionCacheTimeout = 100 * time.Second
		}
	}
	path := filepath.Join(t.TempDir(), "scache")
	if err := CreateSessionCacheFile(path, 64*1024); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	child := func(cached bool) string {
		set, err := Build(Options{Servers: servers, Select: sel, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if cached {
			c, err := OpenSessionCache(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			set.UseSessionCache(c)
		}
		return serve(t, set.Config())
	}
	addr1, addr2, none := child(true), child(true), child(false)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cache := &spyCache{ClientSessionCache: tls.NewLRUClientSessionCache(8)}
		cc := &tls.Config{ServerName: "a.test", InsecureSkipVerify: true, MaxVersion: v, ClientSessionCache: cache}
		if st, err := dial(t, addr1, cc); err != nil || st.DidResume {
			t.Fatalf("v%x first: %v resumed=%v", v, err, st.DidResume)
		}
		if cache.ticket == nil || len(cache.ticket) != sessIDLen {
			t.Errorf("v%x: ticket %x, want a %d-byte ID", v, cache.ticket, sessIDLen)
		}
		for i, addr := range []string{addr1, addr2, addr1} {
			if st, err := dial(t, addr, cc); err != nil || !st.DidResume {
				t.Errorf("v%x resumption %d: %v resumed=%v", v, i, err, st.DidResume)
			}
		}
		now = now.Add(101 * time.Second)
		if st, err := dial(t, addr2, cc); err != nil || st.DidResume {
			t.Errorf("v%x after SSLSessionCacheTimeout: %v resumed=%v", v, err, st.DidResume)
		}
		cc.ClientSessionCache = tls.NewLRUClientSessionCache(8)
		for i := range 2 {
			if st, err := dial(t, none, cc); err != nil || st.DidResume {
				t.Errorf("v%x without a cache, %d: %v resumed=%v", v, i, err, st.DidResume)
			}
		}
	}
}

// spyCache records the last ticket the server issued.
type spyCache struct {
	tls.ClientSessionCache
	ticket []byte
}

func (s *spyCache) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		if t, _, err := cs.ResumptionState(); err == nil {
			s.ticket = t
		}
	}
	s.ClientSessionCache.Put(key, cs)
}
