package conf

import (
	"errors"
	"fmt"
	"math"
	"os/user"
	"strconv"
)

// This file is mod_unixd's User and Group (modules/arch/unix/mod_unixd.c
// and ap_uname2id / ap_gname2id in server/util.c): whom the children serve
// as when the master runs as root.

// DefaultUser is whom children serve as when the master runs as root and
// no User is given. Apache's compiled default is "#-1" (uid 4294967295),
// which no account has: its children log AH02155 and, measured on Apache
// 2.4, go on serving as root. gohttpd takes nobody instead and, when
// Group is not given either, nobody's primary group (nogroup on Debian).
// Where no account nobody exists it falls back to Apache's "#-1", and the
// children refuse to start.
const DefaultUser = "nobody"

// unknownName and unknownID are Apache's compiled default "#-1":
// (uid_t)-1, which no account has.
const (
	unknownName = "#-1"
	unknownID   = math.MaxUint32
)

// Account is the resolved User or Group.
type Account struct {
	// Name is the directive's argument as written: a name or "#id". For a
	// default it is the resolved name ("nobody"), or "#-1" when there is
	// none.
	Name string `json:"name"`
	// ID is the uid or gid. "#id" is converted as Apache does (see
	// hashID), so "#-1" is 4294967295.
	ID uint32 `json:"id"`
	// Set is true when a directive gave the value (else it is a default).
	Set bool `json:"set,omitempty"`
}

// Lookups of the account databases (os/user: NSS with cgo, /etc/passwd
// and /etc/group without); variables so that tests can replace them.
var (
	lookupUser    = user.Lookup
	lookupUserID  = user.LookupId
	lookupGroup   = user.LookupGroup
	lookupGroupID = user.LookupGroupId
)

// errServeAsRoot is mod_unixd's refusal of a root User (compiled without
// BIG_SECURITY_HOLE), on one line and with gohttpd's build instructions.
const errServeAsRoot = "Error: gohttpd has not been designed to serve pages while running as root. " +
	"There are known race conditions that will allow any local user to read any file on the system. " +
	"If you still desire to serve pages as root then add -tags big_security_hole to the go build command " +
	"and then rebuild the server. It is strongly suggested that you instead modify the User directive " +
	"in your httpd.conf file to list a non-root user."

// applyUser is unixd_set_user: the name is resolved now (an unknown name
// is an error, as ap_uname2id's "bad user name"), and uid 0 is refused.
func applyUser(b *builder, o occurrence) error {
	uid, err := userID(o.args[0])
	if err != nil {
		return err
	}
	if uid == 0 && !bigSecurityHole {
		return errors.New(errServeAsRoot)
	}
	b.cfg.User = Account{Name: o.args[0], ID: uid, Set: true}
	return nil
}

// applyGroup is unixd_set_group.
func applyGroup(b *builder, o occurrence) error {
	gid, err := groupID(o.args[0])
	if err != nil {
		return err
	}
	b.cfg.Group = Account{Name: o.args[0], ID: gid, Set: true}
	return nil
}

// userID is ap_uname2id: "#uid" is taken as is (not looked up), a name
// must exist.
func userID(name string) (uint32, error) {
	if id, ok := hashID(name); ok {
		return id, nil
	}
	u, err := lookupUser(name)
	if err != nil {
		return 0, fmt.Errorf("bad user name %s", name)
	}
	return parseID(u.Uid)
}

// groupID is ap_gname2id.
func groupID(name string) (uint32, error) {
	if id, ok := hashID(name); ok {
		return id, nil
	}
	g, err := lookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("bad group name %s", name)
	}
	return parseID(g.Gid)
}

// hashID converts "#id" as Apache does, with glibc's atoi (strtol
// truncated to int) and then to uid_t or gid_t: "#-1" is 4294967295, "#x"
// is 0, and "#4294967296" is 0 too.
func hashID(s string) (uint32, bool) {
	if len(s) == 0 || s[0] != '#' {
		return 0, false
	}
	return uint32(strtol(s[1:])), true
}

// strtol is C's strtol in base 10 with no end pointer: leading blanks, a
// sign, the digits up to the first other byte; LONG_MAX or LONG_MIN when
// out of range.
func strtol(s string) int64 {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	const limit = math.MaxInt64 + 1 // saturate here: |LONG_MIN|
	var n uint64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > limit/10 {
			n = limit
			continue
		}
		n = min(n*10+uint64(s[i]-'0'), limit)
	}
	switch {
	case neg:
		return -int64(n) // MaxInt64+1 wraps to MinInt64
	case n > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(n)
}

// parseID parses a numeric id from the account database.
func parseID(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("account database: id %q: %w", s, err)
	}
	return uint32(n), nil
}

// finishUnixd fills in the defaults: User nobody (or "#-1" when there is
// no such account) and, without a Group directive, the primary group of
// User (or "#-1" when User has no account).
func (b *builder) finishUnixd() {
	c := b.cfg
	if !c.User.Set {
		c.User = Account{Name: unknownName, ID: unknownID}
		if u, err := lookupUser(DefaultUser); err == nil {
			if uid, err := parseID(u.Uid); err == nil {
				c.User = Account{Name: DefaultUser, ID: uid}
			}
		}
	}
	if !c.Group.Set {
		c.Group = primaryGroup(c.User)
	}
}

// primaryGroup is the group of u's account, named as the group database
// names it ("#gid" if it has no name), or "#-1" when u has no account.
func primaryGroup(u Account) Account {
	var acct *user.User
	var err error
	if u.Name != "" && u.Name[0] == '#' {
		acct, err = lookupUserID(strconv.FormatUint(uint64(u.ID), 10))
	} else {
		acct, err = lookupUser(u.Name)
	}
	if err != nil {
		return Account{Name: unknownName, ID: unknownID}
	}
	gid, err := parseID(acct.Gid)
	if err != nil {
		return Account{Name: unknownName, ID: unknownID}
	}
	name := "#" + acct.Gid
	if g, err := lookupGroupID(acct.Gid); err == nil {
		name = g.Name
	}
	return Account{Name: name, ID: gid}
}
