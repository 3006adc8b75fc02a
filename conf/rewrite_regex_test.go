package conf

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkRewriteRegex compares Go's regexp with regexp2 on the
// WordPress patterns ("(?:...)" forces regexp2 for the same pattern).
func BenchmarkRewriteRegex(b *testing.B) {
	for _, p := range []string{`.`, `^index\.php$`, `^(.*)/index\.php/(.*)$`} {
		for _, engine := range []string{"go", "regexp2"} {
			expr := p
			if engine == "regexp2" {
				expr = "(?:" + p + ")"
			}
			re, err := CompileRewriteRegex(expr, false)
			if err != nil || re.UsesGoRegexp() != (engine == "go") {
				b.Fatal(expr, err)
			}
			b.Run(engine+"/"+p, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					re.Match("2024/01/hello-world/index.php/x")
				}
			})
		}
	}
}

// TestRewriteRegexTimeout: a catastrophic pattern on regexp2 stops at the
// match timeout and does not match (PCRE: match limit, no match).
func TestRewriteRegexTimeout(t *testing.T) {
	re, err := CompileRewriteRegex(`^((a+)+)\1?$`, false)
	if err != nil || re.UsesGoRegexp() {
		t.Fatal(err)
	}
	start := time.Now()
	if re.Match(strings.Repeat("a", 40) + "!") {
		t.Error("matched")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
