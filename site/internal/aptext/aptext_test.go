package aptext

import "testing"

func TestAppendHTML(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{`<a href="x">&'</a>`, "&lt;a href=&quot;x&quot;&gt;&amp;'&lt;/a&gt;"},
		{"\xff<", "\xff&lt;"},
	} {
		if got := string(AppendHTML([]byte("p:"), tt.in)); got != "p:"+tt.want {
			t.Errorf("AppendHTML(%q) = %q, want %q", tt.in, got, "p:"+tt.want)
		}
		if got := string(AppendHTML(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("AppendHTML([]byte %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPregsub(t *testing.T) {
	src := "/old/abc/def"
	m := []int{0, 12, 5, 8, 9, 12, -1, -1} // $0, $1=abc, $2=def, $3 unset
	for _, tt := range []struct {
		tmpl  string
		limit int
		want  string
		ok    bool
	}{
		{"/new/$1/$2", 0, "/new/abc/def", true},
		{"$0", 0, "/old/abc/def", true},
		{`\$1$3$9`, 0, "$1", true},
		{"plain", 0, "plain", true},
		{"trailing\\", 0, "trailing\\", true},
		{"$1$1$1", 8, "", false},
		{"$1$1", 8, "abcabc", true},
		{"123456789", 8, "123456789", false},
	} {
		got, ok := Pregsub(tt.tmpl, src, m, tt.limit)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Pregsub(%q, limit %d) = %q, %v; want %q, %v", tt.tmpl, tt.limit, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStrcasecmp(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"abc", "ABC", 0},
		{"abc", "abd", -1},
		{"B", "a", 1},
		{"ab", "abc", -1}, // a prefix sorts first
		{"abc", "AB", 1},
		{"", "", 0},
		{"_", "a", -1}, // '_' (0x5f) < 'a' after folding, as C's strcasecmp
		{"\xe9", "a", 1},
	} {
		if got := Strcasecmp(tt.a, tt.b); got != tt.want {
			t.Errorf("Strcasecmp(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
