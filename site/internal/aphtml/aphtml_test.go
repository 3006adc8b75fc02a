package aphtml

import "testing"

func TestAppend(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{`<a href="x">&'</a>`, "&lt;a href=&quot;x&quot;&gt;&amp;'&lt;/a&gt;"},
		{"\xff<", "\xff&lt;"},
	} {
		if got := string(Append([]byte("p:"), tt.in)); got != "p:"+tt.want {
			t.Errorf("Append(%q) = %q, want %q", tt.in, got, "p:"+tt.want)
		}
		if got := string(Append(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("Append([]byte %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
