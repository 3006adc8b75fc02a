package logescape

import "testing"

func TestAppend(t *testing.T) {
	tests := []struct {
		in    string
		quote bool
		want  string
	}{
		{"plain text", true, "plain text"},
		{`say "hi"`, true, `say \"hi\"`},
		{`say "hi"`, false, `say "hi"`},
		{`back\slash`, false, `back\\slash`},
		{"a\bb\nc\rd\te\vf", true, `a\bb\nc\rd\te\vf`},
		{"nul\x00 del\x7f high\xe9", true, `nul\x00 del\x7f high\xe9`},
		{"<script>", true, "<script>"},
		{"", true, ""},
	}
	for _, tt := range tests {
		if got := string(Append(nil, tt.in, tt.quote)); got != tt.want {
			t.Errorf("Append(%q, %v) = %q, want %q", tt.in, tt.quote, got, tt.want)
		}
		if got := string(Append([]byte("x"), []byte(tt.in), tt.quote)); got != "x"+tt.want {
			t.Errorf("Append([]byte %q, %v) = %q, want %q", tt.in, tt.quote, got, "x"+tt.want)
		}
		if tt.quote {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\xff\\", "GET / HTTP/1.1\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Append(nil, s, true)
		for _, c := range out {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("Append(%q) = %q: holds a non-printable byte", s, out)
			}
		}
	})
}
