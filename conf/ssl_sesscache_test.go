package conf

import "testing"

func TestParseSSLSessionCache(t *testing.T) {
	for _, tc := range []struct {
		arg     string
		want    SSLSessionCacheSpec
		foreign bool
		err     bool
	}{
		{"none", SSLSessionCacheSpec{Type: "none"}, false, false},
		{"nonenotnull", SSLSessionCacheSpec{Type: "none"}, false, false},
		{"shmcb:/run/x(1024000)", SSLSessionCacheSpec{Type: "shmcb", Path: "/run/x", Size: 1024000}, false, false},
		{"shmcb:/run/x", SSLSessionCacheSpec{Type: "shmcb", Path: "/run/x", Size: DefaultSessionCacheSize}, false, false},
		{"shmcb:scache(512000)", SSLSessionCacheSpec{Type: "shmcb", Path: "/srv/logs/scache", Size: 512000}, false, false},
		{"SHMCB:/run/y", SSLSessionCacheSpec{Type: "shmcb", Path: "/run/y", Size: DefaultSessionCacheSize}, false, false},
		{"dbm:/var/cache/x", SSLSessionCacheSpec{Type: "dbm", Path: "/srv/logs/ssl_scache_dbm", Size: DefaultSessionCacheSize}, true, false},
		{"shmcb:/run/x(12", SSLSessionCacheSpec{}, false, true},
		{"shmcb:/run/x(100)", SSLSessionCacheSpec{}, false, true},
		{"bogus", SSLSessionCacheSpec{}, false, true},
	} {
		got, foreign, err := ParseSSLSessionCache(tc.arg, "/srv/logs")
		if (err != nil) != tc.err {
			t.Errorf("%q: err = %v", tc.arg, err)
			continue
		}
		if err == nil && (got != tc.want || foreign != tc.foreign) {
			t.Errorf("%q = %+v, %v; want %+v, %v", tc.arg, got, foreign, tc.want, tc.foreign)
		}
	}
}
