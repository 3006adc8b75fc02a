package event

import (
	"net/netip"
	"testing"
	"time"
)

func TestConnList(t *testing.T) {
	mk := func(deadlines ...int64) ([]*conn, *connList) {
		var l connList
		cs := make([]*conn, len(deadlines))
		for i, d := range deadlines {
			cs[i] = &conn{fd: int32(i), deadline: d}
			l.pushBack(cs[i])
		}
		return cs, &l
	}
	order := func(l *connList) []int32 {
		var fds []int32
		for c := l.head; c != nil; c = c.next {
			fds = append(fds, c.fd)
		}
		return fds
	}
	tests := []struct {
		name   string
		remove []int // indexes to remove
		want   []int32
	}{
		{"none", nil, []int32{0, 1, 2, 3}},
		{"head", []int{0}, []int32{1, 2, 3}},
		{"tail", []int{3}, []int32{0, 1, 2}},
		{"middle", []int{1, 2}, []int32{0, 3}},
		{"all", []int{2, 0, 3, 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, l := mk(10, 20, 30, 40)
			for _, i := range tt.remove {
				l.remove(cs[i])
			}
			got := order(l)
			if len(got) != len(tt.want) || l.n != len(tt.want) {
				t.Fatalf("after removing %v: %v (n=%d), want %v", tt.remove, got, l.n, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("after removing %v: %v, want %v", tt.remove, got, tt.want)
				}
			}
			if len(tt.want) == 0 && (l.head != nil || l.tail != nil) {
				t.Errorf("empty list keeps head %p tail %p", l.head, l.tail)
			}
			// The list still appends correctly.
			c := &conn{fd: 9}
			l.pushBack(c)
			if l.tail != c || (l.n == 1 && l.head != c) {
				t.Errorf("pushBack after removals: tail %v", l.tail)
			}
		})
	}

	t.Run("popExpired", func(t *testing.T) {
		_, l := mk(10, 20, 30)
		tests := []struct {
			now  int64
			want []int32
		}{
			{5, nil},
			{20, []int32{0, 1}},
			{29, nil},
			{100, []int32{2}},
		}
		for _, tt := range tests {
			var got []int32
			for c := l.popExpired(tt.now); c != nil; c = l.popExpired(tt.now) {
				got = append(got, c.fd)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("popExpired(%d) = %v, want %v", tt.now, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("popExpired(%d) = %v, want %v", tt.now, got, tt.want)
				}
			}
		}
		if l.popFront() != nil || l.n != 0 {
			t.Errorf("list not empty after expiring everything")
		}
	})
}

func TestConnRemoteAddr(t *testing.T) {
	tests := []struct {
		name string
		ip   [16]byte
		v6   bool
		port uint16
		want string
	}{
		{"ipv4", [16]byte{127, 0, 0, 1}, false, 8080, "127.0.0.1:8080"},
		{"ipv6", netip.MustParseAddr("::1").As16(), true, 443, "[::1]:443"},
		{"mapped ipv4", netip.MustParseAddr("::ffff:127.0.0.2").As16(), true, 80, "127.0.0.2:80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{ip: tt.ip, port: tt.port}
			if tt.v6 {
				c.flags |= flagV6
			}
			if got := c.remoteAddr().String(); got != tt.want {
				t.Errorf("remoteAddr() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	valid := Config{ThreadsPerChild: 25, AsyncRequestWorkerFactor: 2, Timeout: time.Minute}
	tests := []struct {
		name    string
		edit    func(*Config)
		factor  int
		wantErr bool
	}{
		{"valid", func(*Config) {}, 2, false},
		{"fraction truncated", func(c *Config) { c.AsyncRequestWorkerFactor = 2.5 }, 2, false},
		{"below one", func(c *Config) { c.AsyncRequestWorkerFactor = 0.9 }, 0, false},
		{"negative threads", func(c *Config) { c.ThreadsPerChild = -1 }, 2, true},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, 2, true},
		{"negative max connections", func(c *Config) { c.MaxConnectionsPerChild = -1 }, 2, true},
		{"zero", func(c *Config) { *c = Config{} }, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			if err := cfg.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate(%+v) = %v, want error %v", cfg, err, tt.wantErr)
			}
			if got := cfg.workerFactor(); !tt.wantErr && got != tt.factor {
				t.Errorf("workerFactor(%g) = %d, want %d", cfg.AsyncRequestWorkerFactor, got, tt.factor)
			}
		})
	}
}
