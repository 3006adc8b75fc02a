package conf

import (
	"errors"
	"os/user"
	"strings"
	"testing"
)

// conf's tests see this fixed account database instead of the machine's,
// so that golden files and the cases below do not depend on it.
var (
	testUsers = []user.User{
		{Username: "root", Uid: "0", Gid: "0"},
		{Username: "daemon", Uid: "1", Gid: "1"},
		{Username: "www-data", Uid: "33", Gid: "33"},
		{Username: "nobody", Uid: "65534", Gid: "65534"},
		{Username: "orphan", Uid: "1500", Gid: "1500"}, // group without a name
	}
	testGroups = []user.Group{
		{Name: "root", Gid: "0"},
		{Name: "daemon", Gid: "1"},
		{Name: "www-data", Gid: "33"},
		{Name: "nogroup", Gid: "65534"},
	}
)

func init() { useAccounts(testUsers, testGroups) }

// useAccounts replaces the account lookups with users and groups.
func useAccounts(users []user.User, groups []user.Group) {
	findUser := func(match func(u user.User) bool) (*user.User, error) {
		for _, u := range users {
			if match(u) {
				return &u, nil
			}
		}
		return nil, errors.New("no such user")
	}
	findGroup := func(match func(g user.Group) bool) (*user.Group, error) {
		for _, g := range groups {
			if match(g) {
				return &g, nil
			}
		}
		return nil, errors.New("no such group")
	}
	lookupUser = func(n string) (*user.User, error) {
		return findUser(func(u user.User) bool { return u.Username == n })
	}
	lookupUserID = func(id string) (*user.User, error) {
		return findUser(func(u user.User) bool { return u.Uid == id })
	}
	lookupGroup = func(n string) (*user.Group, error) {
		return findGroup(func(g user.Group) bool { return g.Name == n })
	}
	lookupGroupID = func(id string) (*user.Group, error) {
		return findGroup(func(g user.Group) bool { return g.Gid == id })
	}
}

func TestUserGroupNames(t *testing.T) {
	tests := []struct {
		name       string
		directives []string
		wantUser   Account
		wantGroup  Account
		wantErr    string
	}{
		{"defaults", nil,
			Account{Name: "nobody", ID: 65534}, Account{Name: "nogroup", ID: 65534}, ""},
		{"names", []string{"User www-data", "Group daemon"},
			Account{Name: "www-data", ID: 33, Set: true}, Account{Name: "daemon", ID: 1, Set: true}, ""},
		{"group defaults to the user's primary group", []string{"User www-data"},
			Account{Name: "www-data", ID: 33, Set: true}, Account{Name: "www-data", ID: 33}, ""},
		{"#uid of an account", []string{"User #33"},
			Account{Name: "#33", ID: 33, Set: true}, Account{Name: "www-data", ID: 33}, ""},
		{"#uid without an account is not looked up", []string{"User #4000", "Group #4000"},
			Account{Name: "#4000", ID: 4000, Set: true}, Account{Name: "#4000", ID: 4000, Set: true}, ""},
		{"#uid without an account and no Group", []string{"User #4000"},
			Account{Name: "#4000", ID: 4000, Set: true}, Account{Name: "#-1", ID: 4294967295}, ""},
		{"primary group without a name", []string{"User orphan"},
			Account{Name: "orphan", ID: 1500, Set: true}, Account{Name: "#1500", ID: 1500}, ""},
		{"#-1 is uid_t -1", []string{"User #-1", "Group #-1"},
			Account{Name: "#-1", ID: 4294967295, Set: true}, Account{Name: "#-1", ID: 4294967295, Set: true}, ""},
		{"root group is allowed", []string{"User daemon", "Group root"},
			Account{Name: "daemon", ID: 1, Set: true}, Account{Name: "root", ID: 0, Set: true}, ""},
		{"unknown user", []string{"User xyzzy"}, Account{}, Account{}, "-c:1: User: bad user name xyzzy"},
		{"unknown group", []string{"Group xyzzy"}, Account{}, Account{}, "-c:1: Group: bad group name xyzzy"},
		{"names are case-sensitive", []string{"User Nobody"}, Account{}, Account{}, "bad user name Nobody"},
		{"root refused", []string{"User root"}, Account{}, Account{}, "-c:1: User: Error: gohttpd has not been designed to serve pages while running as root."},
		{"#0 refused", []string{"User #0"}, Account{}, Account{}, "running as root"},
		{"#x is atoi 0, refused", []string{"User #x"}, Account{}, Account{}, "running as root"},
		{"#4294967296 is uid 0, refused", []string{"User #4294967296"}, Account{}, Account{}, "running as root"},
		{"in a VirtualHost", []string{"<VirtualHost *:80>\nUser daemon\n</VirtualHost>"}, Account{}, Account{},
			"User cannot occur within <VirtualHost> section"},
		{"one argument", []string{"User a b"}, Account{}, Account{}, "User takes one argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(Options{Post: tt.directives})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load(%q) error = %v, want %q", tt.directives, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%q) = %v", tt.directives, err)
			}
			if cfg.User != tt.wantUser || cfg.Group != tt.wantGroup {
				t.Errorf("Load(%q): User %+v Group %+v, want %+v %+v", tt.directives, cfg.User, cfg.Group, tt.wantUser, tt.wantGroup)
			}
		})
	}
}

// TestDefaultUserMissing: without an account nobody the defaults are
// Apache's compiled "#-1", which children refuse.
func TestDefaultUserMissing(t *testing.T) {
	useAccounts(testUsers[:3], testGroups)
	t.Cleanup(func() { useAccounts(testUsers, testGroups) })
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Account{Name: "#-1", ID: 4294967295}
	if cfg.User != want || cfg.Group != want {
		t.Errorf("User %+v Group %+v, want %+v for both", cfg.User, cfg.Group, want)
	}
}

func TestHashID(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"#33", 33, true},
		{"#-1", 4294967295, true},
		{"#-2", 4294967294, true},
		{"#0", 0, true},
		{"#", 0, true},
		{"#abc", 0, true},
		{"# 12x", 12, true},
		{"#4294967295", 4294967295, true},
		{"#4294967296", 0, true}, // (int) of a long: uid 0
		{"#99999999999999999999", 4294967295, true},
		{"#-99999999999999999999", 0, true},
		{"www-data", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := hashID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("hashID(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestUserDump: Dump shows User and Group only when given.
func TestUserDump(t *testing.T) {
	cfg, err := Load(Options{Post: []string{"User www-data", "Group #50"}})
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Dump()
	for _, want := range []string{"User: name=\"www-data\" id=33\n", "Group: name=\"#50\" id=50\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("Dump() lacks %q:\n%s", want, d)
		}
	}
	if d := Default(Event).Dump(); strings.Contains(d, "User:") || strings.Contains(d, "Group:") {
		t.Errorf("Default Dump() shows User or Group:\n%s", d)
	}
}
