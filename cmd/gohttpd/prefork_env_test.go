package main

import (
	"slices"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// TestChildEnvPrefork: prefork children start with GOMAXPROCS=1 unless the
// administrator set GOMAXPROCS; other engines keep the environment.
func TestChildEnvPrefork(t *testing.T) {
	tests := []struct {
		mpm  string
		set  string // GOMAXPROCS in the master's environment, "" for unset
		want string // GOMAXPROCS in the children's, "" for the default
	}{
		{conf.Prefork, "", "GOMAXPROCS=1"},
		{conf.Prefork, "3", "GOMAXPROCS=3"},
		{conf.Event, "", ""},
		{conf.Worker, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.mpm+"/"+tt.set, func(t *testing.T) {
			if tt.set != "" {
				t.Setenv("GOMAXPROCS", tt.set)
			}
			env := childEnv(&conf.Config{MPM: tt.mpm})
			if tt.want == "" {
				if env != nil {
					t.Fatalf("childEnv = %d entries, want nil (os.Environ)", len(env))
				}
				return
			}
			if !slices.Contains(env, tt.want) {
				t.Fatalf("childEnv lacks %s", tt.want)
			}
		})
	}
}
