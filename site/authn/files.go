package authn

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// StatInterval is how often Files looks at a file again: at most once per
// second per file. Apache re-reads AuthUserFile and AuthGroupFile on every
// request, so an edit counts at once; a stat per second bounds the delay to
// one second for a syscall per second instead of an open, read and parse
// per request (a bcrypt check costs milliseconds anyway, but the file
// parse would be paid by every request, cheap hashes included). A file
// caught half-written (htpasswd copies its temporary file over the old
// one) is used until the next stat, up to a second, where Apache would
// have failed the one request that read it.
const StatInterval = time.Second

// maxPasswordLine is MAX_STRING_LEN: mod_authn_file reads lines into an
// 8192-byte buffer and stops reading the file at a longer one.
const maxPasswordLine = 8192

// Files caches parsed htpasswd (AuthUserFile) and group (AuthGroupFile)
// files, keyed by path, and parses a file again when its size,
// modification time or inode changed. It is safe for concurrent use; the
// zero value is not, use NewFiles.
type Files struct {
	now func() time.Time

	mu     sync.Mutex // guards the maps
	users  map[string]*cached[map[string]string]
	groups map[string]*cached[map[string][]string]
}

// NewFiles returns an empty cache.
func NewFiles() *Files {
	return &Files{
		now:    time.Now,
		users:  make(map[string]*cached[map[string]string]),
		groups: make(map[string]*cached[map[string][]string]),
	}
}

// cached is one file's parsed contents and what identified the version.
type cached[T any] struct {
	checked atomic.Int64 // unix nanoseconds of the last stat

	mu   sync.Mutex // serializes reloads
	snap atomic.Pointer[snapshot[T]]
}

type snapshot[T any] struct {
	size  int64
	mtime time.Time
	ino   uint64
	data  T
	err   error
}

// get returns the current contents of path, reloading them with parse when
// the last stat is StatInterval old and the file changed.
func get[T any](f *Files, m map[string]*cached[T], path string, parse func([]byte) T) (T, error) {
	f.mu.Lock()
	c := m[path]
	if c == nil {
		c = &cached[T]{}
		m[path] = c
	}
	f.mu.Unlock()

	now := f.now().UnixNano()
	s := c.snap.Load()
	if s != nil && now-c.checked.Load() < int64(StatInterval) {
		return s.data, s.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s = c.snap.Load(); s != nil && now-c.checked.Load() < int64(StatInterval) {
		return s.data, s.err // another goroutine just did it
	}
	c.checked.Store(now)
	fi, err := os.Stat(path)
	if err != nil {
		var zero T
		c.snap.Store(&snapshot[T]{data: zero, err: err})
		return zero, err
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = uint64(st.Ino)
	}
	if s != nil && s.err == nil && s.size == fi.Size() && s.mtime.Equal(fi.ModTime()) && s.ino == ino {
		return s.data, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var zero T
		c.snap.Store(&snapshot[T]{data: zero, err: err})
		return zero, err
	}
	s = &snapshot[T]{size: fi.Size(), mtime: fi.ModTime(), ino: ino, data: parse(b)}
	c.snap.Store(s)
	return s.data, nil
}

// Password returns the hash stored for user in the htpasswd file at path
// (found false when the user has no line). err is the error opening or
// reading the file (Apache's AH01620, a 500).
func (f *Files) Password(path, user string) (hash string, found bool, err error) {
	users, err := get(f, f.users, path, ParseHtpasswd)
	if err != nil {
		return "", false, fmt.Errorf("password file: %w", err)
	}
	hash, found = users[user]
	return hash, found, nil
}

// Groups returns the groups user belongs to in the group file at path
// (nil when none). err is the error opening or reading the file
// (Apache's AH01665).
func (f *Files) Groups(path, user string) ([]string, error) {
	groups, err := get(f, f.groups, path, ParseGroupFile)
	if err != nil {
		return nil, fmt.Errorf("group file: %w", err)
	}
	return groups[user], nil
}

// cfgLines splits a file into lines as ap_cfg_getline reads them: a
// backslash before the newline continues the line, each line is trimmed
// of white space. It stops at a line longer than max (ap_cfg_getline's
// APR_ENOSPC ends mod_authn_file's loop); max 0 means no limit.
func cfgLines(b []byte, max int, yield func(line []byte) bool) {
	var cur []byte
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i+1], b[i+1:]
		} else {
			b = nil
		}
		// apr_file_gets fills at most max-1 bytes, the newline included.
		if n := len(cur) + len(line); max > 0 && (n > max-1 || n == max-1 && line[len(line)-1] != '\n') {
			return
		}
		body := bytes.TrimSuffix(line, []byte{'\n'})
		if len(body) < len(line) {
			body = bytes.TrimSuffix(body, []byte{'\r'})
			if len(body) > 0 && body[len(body)-1] == '\\' {
				cur = append(cur, body[:len(body)-1]...)
				continue
			}
		}
		cur = append(cur, body...)
		if !yield(trimSpace(cur)) {
			return
		}
		cur = cur[:0]
	}
	if len(cur) > 0 {
		yield(trimSpace(cur))
	}
}

// ParseHtpasswd parses an htpasswd file as mod_authn_file reads it: lines
// starting with '#' and empty lines are skipped; the user is what comes
// before the first ':', the hash what follows the run of ':' up to the next
// ':' (a third field, such as a comment, is ignored); the first line of a
// user wins.
func ParseHtpasswd(b []byte) map[string]string {
	users := make(map[string]string)
	cfgLines(b, maxPasswordLine, func(l []byte) bool {
		if len(l) == 0 || l[0] == '#' {
			return true
		}
		user, rest := getword(l, ':')
		hash, _ := getword(rest, ':')
		if _, dup := users[string(user)]; !dup {
			users[string(user)] = string(hash)
		}
		return true
	})
	return users
}

// ParseGroupFile parses an AuthGroupFile as mod_authz_groupfile reads it:
// "group: user1 user2", names split as ap_getword_conf splits them (quotes
// allowed), blanks before the ':' dropped; it returns each user's groups in
// file order.
func ParseGroupFile(b []byte) map[string][]string {
	users := make(map[string][]string)
	cfgLines(b, 16*1024*1024, func(l []byte) bool {
		if len(l) == 0 || l[0] == '#' {
			return true
		}
		group, rest := getword(l, ':')
		group = bytes.TrimRight(group, " \t\n\v\f\r")
		g := string(group)
		for len(rest) > 0 {
			var w []byte
			w, rest = getwordConf(rest)
			if len(w) == 0 && len(rest) == 0 {
				break
			}
			u := string(w)
			if gs := users[u]; len(gs) == 0 || gs[len(gs)-1] != g {
				users[u] = append(gs, g)
			}
		}
		return true
	})
	return users
}

// getword is ap_getword: the bytes up to stop, and the rest after every
// following stop byte.
func getword(l []byte, stop byte) (word, rest []byte) {
	i := bytes.IndexByte(l, stop)
	if i < 0 {
		return l, nil
	}
	word, rest = l[:i], l[i:]
	for len(rest) > 0 && rest[0] == stop {
		rest = rest[1:]
	}
	return word, rest
}

// trimSpace is cfg_trim_line's trim: ASCII white space only (apr_isspace
// in the C locale), unlike bytes.TrimSpace.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// getwordConf is ap_getword_conf: skip blanks, then a quoted word (with
// \\ and \quote unescaped) or a run of non-blanks, then skip blanks.
func getwordConf(l []byte) (word, rest []byte) {
	for len(l) > 0 && isSpace(l[0]) {
		l = l[1:]
	}
	if len(l) == 0 {
		return nil, nil
	}
	if q := l[0]; q == '"' || q == '\'' {
		i := 1
		for i < len(l) && l[i] != q {
			if l[i] == '\\' && i+1 < len(l) {
				i++
			}
			i++
		}
		body := l[1:min(i, len(l))]
		var out []byte
		for j := 0; j < len(body); j++ {
			if body[j] == '\\' && j+1 < len(body) && (body[j+1] == '\\' || body[j+1] == q) {
				j++
			}
			out = append(out, body[j])
		}
		if i < len(l) {
			i++ // closing quote
		}
		rest = l[i:]
		word = out
	} else {
		i := 0
		for i < len(l) && !isSpace(l[i]) {
			i++
		}
		word, rest = l[:i], l[i:]
	}
	for len(rest) > 0 && isSpace(rest[0]) {
		rest = rest[1:]
	}
	return word, rest
}
