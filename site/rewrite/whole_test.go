package rewrite

import (
	"slices"
	"testing"

	"github.com/gohttpd/gohttpd/conf"
)

// TestWholeMatch: the patterns matched without the regexp give what
// the compiled regular expression gives for $1. ($0 before a final
// newline ends at the newline, as PCRE's zero-width '$'; conf's
// translation of '$' to (?:\n?\z) takes the newline into $0.)
func TestWholeMatch(t *testing.T) {
	inputs := []string{"", "/", "/a/b.html", "/a\n", "/a\nb", "\n", "\n\n", "x\ny\n"}
	for _, pat := range []string{"^(.*)$", "^(.*)", "(.*)"} {
		rs, err := Compile(&conf.RewriteConfig{Engine: conf.RewriteOn, Rules: []*conf.RewriteRule{{Pattern: pat, Subst: "/x$1"}}})
		if err != nil {
			t.Fatal(err)
		}
		p := &rs.rules[0]
		if p.whole == 0 {
			t.Fatalf("%q: not recognized", pat)
		}
		for _, in := range inputs {
			want, wok := p.re.Submatch(in, nil)
			got, gok := p.wholeMatch(in, nil)
			if wok != gok || (wok && !slices.Equal(want[2:], got[2:])) {
				t.Errorf("%q on %q: %v %v, regexp %v %v", pat, in, got, gok, want, wok)
			}
		}
	}
}
