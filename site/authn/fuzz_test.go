package authn

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseHtpasswd: any file parses without panic, and a user line
// written as "user:hash" with clean fields reads back.
func FuzzParseHtpasswd(f *testing.F) {
	for _, s := range []string{
		"alice:$apr1$x$y\n", "# c\n\nbob:{SHA}abc=\r\n", "carol::h:comment\n", "d:con\\\ntinued\n",
		"nocolon\n", "a:" + strings.Repeat("x", 9000) + "\nb:c\n", "\\\n\\\n", ":\n", "u:h",
	} {
		f.Add([]byte(s), "user", "hash")
	}
	f.Fuzz(func(t *testing.T, file []byte, user, hash string) {
		ParseHtpasswd(file)
		ParseGroupFile(file)
		clean := func(s string) bool {
			return s != "" && !strings.ContainsAny(s, ":#\\\n\r \t\v\f") && len(s) < 100
		}
		if !clean(user) || !clean(hash) {
			return
		}
		got := ParseHtpasswd([]byte(user + ":" + hash + "\n"))
		if got[user] != hash || len(got) != 1 {
			t.Fatalf("%q:%q read back as %q", user, hash, got)
		}
	})
}

// FuzzParseBasic: any header parses without panic; a well-formed Basic
// header gives back its user and password.
func FuzzParseBasic(f *testing.F) {
	for _, c := range basicCases {
		f.Add([]byte(c.header), c.user, c.pw)
	}
	f.Fuzz(func(t *testing.T, header []byte, user, pw string) {
		ParseBasic(header, true)
		if strings.ContainsAny(user, ":\x00") || strings.Contains(pw, "\x00") {
			return
		}
		h := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
		u, p, res := ParseBasic([]byte(h), true)
		if res != BasicOK || u != user || p != pw {
			t.Fatalf("%q:%q came back as %q:%q (%v)", user, pw, u, p, res)
		}
		if dec := decodeBase64Lenient(header); len(dec) > len(header) {
			t.Fatalf("decoded longer than input")
		}
		_ = bytes.IndexByte(header, 0)
	})
}

// FuzzVerify: no hash string makes Verify panic (custom SHA-crypt rounds
// are skipped: they are slow by design).
func FuzzVerify(f *testing.F) {
	for _, v := range cryptVectors {
		if !strings.Contains(v.hash, "rounds=") {
			f.Add(v.pw, v.hash)
		}
	}
	for _, v := range htpasswdVectors {
		f.Add(v.pw, v.hash)
	}
	f.Fuzz(func(t *testing.T, pw, hash string) {
		if strings.Contains(hash, "rounds=") || strings.HasPrefix(hash, "$2") {
			return // slow by design (bcrypt cost, SHA-crypt rounds)
		}
		Verify(pw, hash)
	})
}
