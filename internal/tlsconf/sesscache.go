package tlsconf

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Stateful resumption ("SSLSessionTickets off" with an SSLSessionCache).
//
// crypto/tls resumes only through tickets; WrapSession and UnwrapSession
// decide what a ticket holds. With tickets off a server's ticket is an
// opaque 32-byte random ID, and the session's state (tls.SessionState's
// Bytes: the resumption secret, version, suite, client certificates)
// stays in a SessionCache, as in OpenSSL's server-side session cache. The
// client learns nothing of the session from it, and the server can drop
// a session (expiry, eviction) at will.
//
// The cache is a file every child of the master maps (MAP_SHARED), the
// role of Apache's shmcb: the master creates it (CreateSessionCacheFile),
// each child opens and maps it before it drops root (OpenSessionCache),
// so a session made by one child resumes on any other. Layout: a 64-byte
// header (magic, slot count, slot size), then fixed-size slots; a
// session's slot is its ID's first 8 bytes modulo the slot count (the IDs
// are random): a direct-mapped cache, where a new session replaces the
// one in its slot (Apache's shmcb evicts the oldest of a subcache; the
// effect, a bounded store that forgets under pressure, is the same). Each
// slot has a lock word taken with compare-and-swap across processes; it
// holds the time it was taken, so a lock left by a killed child is taken
// over after lockStale. A session whose state does not fit a slot (a
// long client certificate chain) is not cached: that client does a full
// handshake next time.
//
// Slot layout: lock uint32, length uint32, expiry int64 (Unix seconds),
// ID [32]byte, state.

const (
	sessMagic      = "gohttpd-scache-1"
	sessHeaderLen  = 64
	sessSlotSize   = 512
	sessIDLen      = 32
	sessSlotHeader = 4 + 4 + 8 + sessIDLen
	sessMaxState   = sessSlotSize - sessSlotHeader
	lockStale      = 2 // seconds
	lockSpins      = 64
)

// SessionCache is a bounded store of TLS sessions by ID, shared by the
// processes that map its file (or private to one, NewMemorySessionCache).
type SessionCache struct {
	mem   []byte
	slots int
	// unmap releases mem (nil for a private cache).
	unmap func() error
	now   func() time.Time
}

// NewMemorySessionCache is a cache of size bytes for this process only.
func NewMemorySessionCache(size int) *SessionCache {
	c, _ := newSessionCache(make([]byte, max(size, sessHeaderLen+sessSlotSize)), true)
	return c
}

// sessHeader writes the header of a cache of n slots into b.
func sessHeader(b []byte, n int) {
	copy(b, sessMagic)
	binary.LittleEndian.PutUint32(b[16:], uint32(n))
	binary.LittleEndian.PutUint32(b[20:], sessSlotSize)
}

func newSessionCache(mem []byte, init bool) (*SessionCache, error) {
	n := (len(mem) - sessHeaderLen) / sessSlotSize
	if n < 1 {
		return nil, errors.New("tlsconf: session cache too small")
	}
	if init {
		sessHeader(mem, n)
	} else if string(mem[:len(sessMagic)]) != sessMagic || binary.LittleEndian.Uint32(mem[16:]) != uint32(n) ||
		binary.LittleEndian.Uint32(mem[20:]) != sessSlotSize {
		return nil, errors.New("tlsconf: session cache file has another layout")
	}
	return &SessionCache{mem: mem, slots: n, now: time.Now}, nil
}

// CreateSessionCacheFile creates (or recreates, emptied) the cache file
// at path with size bytes, mode 0600: the master does it once; children
// open it with OpenSessionCache while they still run as root.
func CreateSessionCacheFile(path string, size int) error {
	size = max(size, sessHeaderLen+sessSlotSize)
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("session cache: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(int64(size)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("session cache: %w", err)
	}
	hdr := make([]byte, sessHeaderLen)
	sessHeader(hdr, (size-sessHeaderLen)/sessSlotSize)
	if _, err := f.WriteAt(hdr, 0); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("session cache: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("session cache: %w", err)
	}
	return nil
}

// OpenSessionCache maps the cache file at path (made by
// CreateSessionCacheFile) shared; Close unmaps it.
func OpenSessionCache(path string) (*SessionCache, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("session cache: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("session cache: %w", err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("session cache %s: %w", path, os.NewSyscallError("mmap", err))
	}
	c, err := newSessionCache(mem, false)
	if err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.unmap = func() error { return unix.Munmap(mem) }
	return c, nil
}

// Close unmaps a shared cache; the cache must not be used afterwards.
func (c *SessionCache) Close() error {
	if c == nil || c.unmap == nil {
		return nil
	}
	return c.unmap()
}

func (c *SessionCache) slot(id []byte) []byte {
	i := int(binary.LittleEndian.Uint64(id[:8]) % uint64(c.slots))
	off := sessHeaderLen + i*sessSlotSize
	return c.mem[off : off+sessSlotSize : off+sessSlotSize]
}

func lockWord(s []byte) *uint32 { return (*uint32)(unsafe.Pointer(&s[0])) }

// lock takes a slot's lock, or gives up (false) after lockSpins tries.
func (c *SessionCache) lock(s []byte) bool {
	w := lockWord(s)
	for range lockSpins {
		now := uint32(c.now().Unix()) | 1
		old := atomic.LoadUint32(w)
		if old == 0 || now-old > lockStale && now > old {
			if atomic.CompareAndSwapUint32(w, old, now) {
				return true
			}
		}
		runtime.Gosched()
	}
	return false
}

func unlock(s []byte) { atomic.StoreUint32(lockWord(s), 0) }

// Put stores state under a new random ID until expiry and returns the
// ID; nil when the state does not fit a slot or the slot stays locked.
func (c *SessionCache) Put(state []byte, expiry time.Time) []byte {
	if len(state) > sessMaxState {
		return nil
	}
	id := make([]byte, sessIDLen)
	rand.Read(id)
	s := c.slot(id)
	if !c.lock(s) {
		return nil
	}
	binary.LittleEndian.PutUint32(s[4:], uint32(len(state)))
	binary.LittleEndian.PutUint64(s[8:], uint64(expiry.Unix()))
	copy(s[16:16+sessIDLen], id)
	copy(s[sessSlotHeader:], state)
	unlock(s)
	return id
}

// Get returns a copy of the state stored under id if it has not expired
// (nil otherwise).
func (c *SessionCache) Get(id []byte) []byte {
	if len(id) != sessIDLen {
		return nil
	}
	s := c.slot(id)
	if !c.lock(s) {
		return nil
	}
	defer unlock(s)
	n := int(binary.LittleEndian.Uint32(s[4:]))
	if n == 0 || n > sessMaxState || string(s[16:16+sessIDLen]) != string(id) {
		return nil
	}
	if c.now().Unix() > int64(binary.LittleEndian.Uint64(s[8:])) {
		binary.LittleEndian.PutUint32(s[4:], 0)
		return nil
	}
	return append([]byte(nil), s[sessSlotHeader:sessSlotHeader+n]...)
}

// useSessionCache makes cfg resume sessions through c instead of
// self-contained tickets: the ticket is an ID, valid for lifetime from
// the session's first issue.
func useSessionCache(cfg *tls.Config, c *SessionCache, lifetime time.Duration, now func() time.Time) {
	cfg.SessionTicketsDisabled = false
	cfg.WrapSession = func(_ tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		state, err := ss.Bytes()
		if err != nil {
			return nil, err
		}
		// A resumed session keeps its first issue time (as in OpenSSL), so
		// resuming does not extend it.
		issued := now()
		if t, ok := issuedAt(ss); ok {
			issued = t
		} else {
			ss.Extra = append(ss.Extra, binary.BigEndian.AppendUint64([]byte(tag), uint64(issued.Unix())))
			if state, err = ss.Bytes(); err != nil {
				return nil, err
			}
		}
		id := c.Put(state, issued.Add(lifetime))
		if id == nil {
			// Not cached: an ID nobody will find (a full handshake next).
			id = make([]byte, sessIDLen)
			rand.Read(id)
		}
		return id, nil
	}
	cfg.UnwrapSession = func(id []byte, _ tls.ConnectionState) (*tls.SessionState, error) {
		state := c.Get(id)
		if state == nil {
			return nil, nil
		}
		ss, err := tls.ParseSessionState(state)
		if err != nil {
			return nil, nil
		}
		if t, ok := issuedAt(ss); !ok || now().Sub(t) > lifetime {
			return nil, nil
		}
		return ss, nil
	}
}

// issuedAt is the first issue time recorded in ss.Extra.
func issuedAt(ss *tls.SessionState) (time.Time, bool) {
	for _, e := range ss.Extra {
		if isTag(e) {
			return time.Unix(int64(binary.BigEndian.Uint64(e[len(tag):])), 0), true
		}
	}
	return time.Time{}, false
}

// UseSessionCache gives every server with "SSLSessionTickets off" (which
// Build left without resumption) stateful resumption through c. Call it
// before the configs serve.
func (s *Set) UseSessionCache(c *SessionCache) {
	for i, cfg := range s.configs {
		srv := s.servers[i].SSL
		if cfg == nil || !(srv.SessionTicketsSet && srv.NoSessionTickets) {
			continue
		}
		useSessionCache(cfg, c, srv.TicketLifetime(), s.now)
	}
}

// Size is the cache's size in bytes (header and slots).
func (c *SessionCache) Size() int { return len(c.mem) }
