package authn

import (
	"encoding/base64"
	"testing"
)

// basicCases are Authorization headers with what mod_auth_basic makes of
// them; the ones marked "apache" were sent to Apache 2.4.71 with curl
// (see site/authz's TestApacheComparison for the answers).
var basicCases = []struct {
	name     string
	header   string
	present  bool
	user, pw string
	res      BasicResult
}{
	{"missing", "", false, "", "", BasicMissing},
	{"ok", "Basic " + b64("alice:secret"), true, "alice", "secret", BasicOK},
	{"scheme case and blanks (apache)", "basic   " + b64("shau:secret"), true, "shau", "secret", BasicOK},
	{"tab after scheme", "Basic \t" + b64("a:b"), true, "a", "b", BasicOK},
	{"wrong scheme (apache AH01614)", "Digest foo", true, "", "", BasicWrongScheme},
	{"bearer", "Bearer abc", true, "", "", BasicWrongScheme},
	{"scheme only (apache: user \"\")", "Basic", true, "", "", BasicOK},
	{"garbage (apache: user \"\")", "Basic !!!!", true, "", "", BasicOK},
	{"no colon (apache AH01617 for shau)", "Basic " + b64("shau"), true, "shau", "", BasicOK},
	{"colon in password", "Basic " + b64("u:p:q"), true, "u", "p:q", BasicOK},
	{"no padding", "Basic " + base64.RawStdEncoding.EncodeToString([]byte("ab:c")), true, "ab", "c", BasicOK},
	{"trailing junk", "Basic " + b64("u:p") + "!!zz", true, "u", "p", BasicOK},
	{"nul ends it", "Basic " + b64("u:p\x00rest"), true, "u", "p", BasicOK},
	{"tab is not a separator", "Basic\t" + b64("u:p"), true, "", "", BasicWrongScheme},
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseBasic(t *testing.T) {
	for _, tc := range basicCases {
		t.Run(tc.name, func(t *testing.T) {
			u, p, res := ParseBasic([]byte(tc.header), tc.present)
			if u != tc.user || p != tc.pw || res != tc.res {
				t.Errorf("ParseBasic(%q) = %q, %q, %v; want %q, %q, %v", tc.header, u, p, res, tc.user, tc.pw, tc.res)
			}
		})
	}
}

func TestDecodeBase64Lenient(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "Zg": "f", "Zg==": "f", "Zm8": "fo", "Zm9v": "foo", "Zm9vYg": "foob", "Z": "", "Zm9v!Zm9v": "foo",
	} {
		if got := string(decodeBase64Lenient([]byte(in))); got != want {
			t.Errorf("decode(%q) = %q, want %q", in, got, want)
		}
	}
}
