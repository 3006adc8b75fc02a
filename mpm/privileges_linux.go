package mpm

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// DropPrivileges is mod_unixd's unixd_drop_privileges, done by every child
// before it serves anything: as root it sets the gid, the supplementary
// groups (initgroups: Group, then every group the account of User is a
// member of) and the uid, in Apache's order. A process that does not run
// as root keeps its identity and DropPrivileges returns nil, as Apache's
// does.
//
// Go's syscall.Setgid, Setgroups and Setuid change every thread of the
// process (AllThreadsSyscall, or the C library's setxid broadcast with
// cgo), and real, effective, saved and file-system ids together.
//
// The kernel clears the parent-death signal when a process changes its
// credentials (commit_creds), so DropPrivileges sets PR_SET_PDEATHSIG to
// SIGKILL again: the child still dies with its master.
func DropPrivileges(c Credentials) error {
	if os.Geteuid() != 0 {
		return nil
	}
	name, err := accountName(c)
	if err != nil {
		return err
	}
	groups, err := initGroups(name, c.GID)
	if err != nil {
		return err
	}
	if err := syscall.Setgid(int(c.GID)); err != nil {
		return fmt.Errorf("mpm: AH02156: setgid: unable to set group id to Group %d: %w",
			c.GID, os.NewSyscallError("setgid", err))
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("mpm: AH02157: initgroups: unable to set groups for User %s and Group %d: %w",
			name, c.GID, os.NewSyscallError("setgroups", err))
	}
	if err := syscall.Setuid(int(c.UID)); err != nil {
		return fmt.Errorf("mpm: AH02162: setuid: unable to change to uid: %d: %w",
			c.UID, os.NewSyscallError("setuid", err))
	}
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("mpm: %w", os.NewSyscallError("prctl PR_SET_PDEATHSIG", err))
	}
	return checkDropped(c)
}

// accountName is the user name initgroups needs: User itself, or the name
// of the account with uid "#uid" (Apache's AH02155 when there is none).
func accountName(c Credentials) (string, error) {
	if c.User == "" || c.User[0] != '#' {
		return c.User, nil
	}
	u, err := user.LookupId(strconv.FormatUint(uint64(c.UID), 10))
	if err != nil {
		return "", fmt.Errorf("mpm: AH02155: getpwuid: couldn't determine user name from uid %d, "+
			"you probably need to modify the User directive: %w", c.UID, err)
	}
	return u.Username, nil
}

// initGroups is the group list initgroups(name, gid) sets: gid first, then
// the groups that list name as a member. The primary group of name's
// account is not one of them unless it is gid (os/user adds it).
func initGroups(name string, gid uint32) ([]int, error) {
	fail := func(err error) ([]int, error) {
		return nil, fmt.Errorf("mpm: AH02157: initgroups: unable to set groups for User %s and Group %d: %w", name, gid, err)
	}
	u, err := user.Lookup(name)
	if err != nil {
		return fail(err)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return fail(err)
	}
	groups := []int{int(gid)}
	for _, s := range ids {
		id, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return fail(err)
		}
		if uint32(id) == gid || s == u.Gid {
			continue
		}
		groups = append(groups, int(id))
	}
	return groups, nil
}

// checkDropped refuses to go on as root: every uid and gid of the process
// must now be the configured ones.
func checkDropped(c Credentials) error {
	ruid, euid, suid := unix.Getresuid()
	if ruid != int(c.UID) || euid != int(c.UID) || suid != int(c.UID) {
		return fmt.Errorf("mpm: refusing to serve: uids are %d %d %d after setuid(%d)", ruid, euid, suid, c.UID)
	}
	rgid, egid, sgid := unix.Getresgid()
	if rgid != int(c.GID) || egid != int(c.GID) || sgid != int(c.GID) {
		return fmt.Errorf("mpm: refusing to serve: gids are %d %d %d after setgid(%d)", rgid, egid, sgid, c.GID)
	}
	return nil
}
