package conf

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestParseExpiresCode(t *testing.T) {
	tests := []struct {
		in   string
		want ExpiresCode
		err  string
	}{
		{"access plus 1 month", ExpiresCode{'A', 2592000}, ""},
		{"modification plus 2 hours 3 minutes", ExpiresCode{'M', 7380}, ""},
		{"A2592000", ExpiresCode{'A', 2592000}, ""},
		{"M604800", ExpiresCode{'M', 604800}, ""},
		{"now plus 1 year 2 weeks", ExpiresCode{'A', 31536000 + 1209600}, ""},
		{"access 1 day", ExpiresCode{'A', 86400}, ""},
		{"access plus", ExpiresCode{'A', 0}, ""},
		{"m 1 mo", ExpiresCode{'M', 2592000}, ""},
		{"a p 1 s 1x d", ExpiresCode{'A', 86401}, ""},
		{`access plus "1" 'days'`, ExpiresCode{'A', 86400}, ""},
		// An uppercase A or M is the old "A<seconds>" form: atoi of the
		// rest, so this is max-age=0 in Apache too.
		{"Access plus 1 month", ExpiresCode{'A', 0}, ""},
		{"Modification plus 1 day", ExpiresCode{'M', 0}, ""},
		{"A-5", ExpiresCode{'A', -5}, ""},
		{"A 60", ExpiresCode{'A', 60}, ""},
		{"foo", ExpiresCode{}, "bad expires code, unrecognised <base> 'foo'"},
		{"", ExpiresCode{}, "bad expires code, unrecognised <base> ''"},
		{"access plus 1", ExpiresCode{}, "bad expires code, missing <type>"},
		{"access plus x", ExpiresCode{}, "bad expires code, numeric value expected <num> 'x'"},
		{"access plus 1 fortnight", ExpiresCode{}, "bad expires code, unrecognised <type>'fortnight'"},
		{"access 2 m", ExpiresCode{}, "bad expires code, unrecognised <type>'m'"},
	}
	for _, tt := range tests {
		got, err := ParseExpiresCode(tt.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg != tt.err || (err == nil && got != tt.want) {
			t.Errorf("%q: got %+v, %q; want %+v, %q", tt.in, got, msg, tt.want, tt.err)
		}
	}
}

// Apache's texts (apache2 -t, see site/headers/testdata/apache/bad.sh).
func TestExpiresDirectiveErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ExpiresActive", "maybe"}, "ExpiresActive must be On or Off"},
		{[]string{"ExpiresDefault", "foo"}, "'ExpiresDefault foo': bad expires code, unrecognised <base> 'foo'"},
		{[]string{"ExpiresDefault", "access plus 1"}, "'ExpiresDefault access plus 1': bad expires code, missing <type>"},
		{[]string{"ExpiresDefault", "access plus x"}, "'ExpiresDefault access plus x': bad expires code, numeric value expected <num> 'x'"},
		{[]string{"ExpiresDefault", "access plus 1 fortnight"}, "'ExpiresDefault access plus 1 fortnight': bad expires code, unrecognised <type>'fortnight'"},
		{[]string{"ExpiresDefault", ""}, "ExpiresDefault takes one argument, an expiry date code"},
		{[]string{"ExpiresByType", "text", "A1"}, "Invalid mimetype: should contain a slash"},
		{[]string{"ExpiresByType", "text/css", "access 2 m"}, "'ExpiresByType text/css access 2 m': bad expires code, unrecognised <type>'m'"},
		{[]string{"ExpiresByType", "text/css"}, "ExpiresByType takes two arguments, a MIME type followed by an expiry date code"},
		{[]string{"ExpiresDefault", "access plus"}, ""},
		{[]string{"ExpiresDefault", "m 1 mo"}, ""},
		{[]string{"ExpiresActive", "on"}, ""},
	}
	for _, tt := range tests {
		var b ExpiresBuilder
		err := b.Directive(tt.args[0], tt.args[1:])
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestMergeExpires(t *testing.T) {
	build := func(lines ...[]string) *ExpiresConfig {
		var b ExpiresBuilder
		for _, l := range lines {
			if err := b.Directive(l[0], l[1:]); err != nil {
				t.Fatal(err)
			}
		}
		return b.Finish()
	}
	base := build([]string{"ExpiresActive", "On"}, []string{"ExpiresByType", "image/*", "A60"},
		[]string{"ExpiresByType", "Text/CSS", "A10"}, []string{"ExpiresDefault", "M5"})
	if !base.On() || !base.Wildcards || base.ByType["text/css"] != (ExpiresCode{'A', 10}) {
		t.Fatalf("base: %+v", base)
	}
	if MergeExpires(base, nil) != base {
		t.Error("a section without Expires directives keeps its parent's")
	}
	// A child with ExpiresByType lines but no wildcard turns the
	// inherited wildcards off (merge_expires_dir_configs).
	child := build([]string{"ExpiresByType", "text/css", "A20"})
	m := MergeExpires(base, child)
	if m.Wildcards || m.ByType["text/css"].Seconds != 20 || m.ByType["image/*"].Seconds != 60 || !m.On() || m.Default.Seconds != 5 {
		t.Errorf("merge: %+v", m)
	}
	off := MergeExpires(m, build([]string{"ExpiresActive", "Off"}))
	if off.On() {
		t.Error("ExpiresActive Off in a child")
	}
	data, _ := json.Marshal(m)
	var back ExpiresConfig
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(&back, m) {
		t.Errorf("round trip: %v %+v %+v", err, back, m)
	}
}

func FuzzParseExpiresCode(f *testing.F) {
	for _, s := range []string{"access plus 1 month", "modification plus 2 hours 3 minutes", "A2592000", "M604800",
		"now 99999999999 years", `a "1 d"`, "access plus 1 fortnight", "m -5 s", "A+9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseExpiresCode(s)
		if err != nil {
			if c.Base != 0 && c.Base != 'A' && c.Base != 'M' {
				t.Fatalf("%q: base %q with error", s, c.Base)
			}
			return
		}
		if c.Base != 'A' && c.Base != 'M' {
			t.Fatalf("%q: base %q", s, c.Base)
		}
		// The code goes through the snapshot as JSON.
		data, _ := json.Marshal(c)
		var back ExpiresCode
		if err := json.Unmarshal(data, &back); err != nil || back != c {
			t.Fatalf("%q: round trip %v %+v", s, err, back)
		}
		// And "A<n>" of the result reads back the same.
		if s2 := string(c.Base) + itoa32(c.Seconds); s2 != "" {
			c2, err := ParseExpiresCode(s2)
			if err != nil || c2 != c {
				t.Fatalf("%q -> %q -> %+v, %v", s, s2, c2, err)
			}
		}
	})
}

func itoa32(n int32) string {
	b, _ := json.Marshal(n)
	return string(b)
}
