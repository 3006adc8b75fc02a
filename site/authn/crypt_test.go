package authn

import (
	"crypto/des"
	"encoding/binary"
	"errors"
	"testing"
)

// cryptVectors come from glibc/libxcrypt crypt(3) through perl on Debian:
//
//	perl -e 'print crypt("secret", "ab"), "\n"'
//	perl -e 'print crypt("secret", "\$5\$rounds=1000\$toolongsaltstringxx\$"), "\n"'
var cryptVectors = []struct{ pw, hash string }{
	{"secret", "abNANd1rDfiNc"},
	{"secret", "..EBVOMug1tuI"},
	{"secret", "zZ5x4y8hS4SZE"},
	{"secret", "./17m29LFAflg"},
	{"secret", "9xfVMXbcoTt8."},
	{"", "abmF1QH4PEr.E"},
	{"", "..X8NBuQ4l6uQ"},
	{"a", "zZ/Dc0K.bMxrQ"},
	{"password123", "abJnggxhB/yWI"},
	{"password123", "./xZjzHv5vzVE"},
	{"longerthan8chars", "abNyxOnyxSgjw"},
	{"longerthan8chars", "9x4QfoIdDBtp2"},
	{"p@ss:w0rd", "zZQb3AptxxXJs"},
	{"\xe9t\xe9", "abGXCZdt888ZI"},
	{"\xe9t\xe9", "9xb.jkhcj2C0g"},
	{"secret", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1"},
	{"secret", "$1$ab$dslkcXxVH.x8LwW1W/oAB/"},
	{"", "$1$abcdefgh$M55TzYaaccxVGbptZWaxX/"},
	{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "$1$ab$jtRvJqDWXi2dyYBnMmGYN/"},
	{"secret", "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"},
	{"secret", "$5$rounds=1000$toolongsaltstrin$i5dIbuNA1w5V5o5zQrzsmsWwZqu89635Vn2FTqeVMS0"},
	{"", "$5$saltsalt$09agN5RZ2meWdEdnEusqsq5G7RwwghB8jCKoWWADxW/"},
	{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "$5$saltsalt$poFjlEejbWoY2u7O7Ss9WXtJM1usZ0aPZdWMWcyoBn1"},
	{"secret", "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"},
	{"secret", "$6$rounds=5001$s$TbvgweilgE6wZPHnNvZBBNTvbcg/roc/TOui6QR2H2ej3PZjiyWj1dT1luMyl/GrtcEiKGry9Rx/dpFBDWhIl."},
	{"secret", "$6$$2M9DchxW4txWyTYoZrH9D3VvAAQxBpEezYsLY6Cao.jwzEXpyL9xwip9hiUZX7GqTqe/E/z6iKvZqXUuqniQH."},
	{"", "$6$$/chiBau24cE26QQVW3IfIe68Xu5.JQ4E8Ie7lcRLwqxO5cxGuBhqF2HmTL.zWJ9zjChg3yJYFXeGBQ2y3Ba1d1"},
	{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "$6$$dZJpsI0cVhmetM5q/vTTFznRG41IeZJIQ8KXTSb7YVUXZyyZ41A/UAyFlJQ.XW8T3nk6s1Y/eOel3fLb0hN9k0"},
	// perl -e 'print crypt("secret", "\$2b\$05\$abcdefghijklmnopqrstuu"), "\n"'
	{"secret", "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"},
}

// htpasswdVectors were made with htpasswd from apache2-utils 2.4.71 and
// accepted by Apache 2.4.71 (see TestApacheHtpasswdFormats):
//
//	htpasswd -nbB bcryptu secret; htpasswd -nbm md5u secret
//	htpasswd -nbs shau secret; htpasswd -nbd cryptu secret
var htpasswdVectors = []struct{ pw, hash string }{
	{"secret", "$2y$05$GcX/Z5ij9yG2uaZVZcrU6utgNcMjWH6Ul0IbHee.UqSXWikMLNXK2"},
	{"secret", "$apr1$LsG1Iy4S$KsKK9BJmStz0skvRxmhwC/"},
	{"secret", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="},
	{"secret", "11x1BzjhHv8MA"},
	{"secret", "$apr1$XZGNEG.Z$v6DsOCreMPAcwVh3eUg4b/"},
	{"", "$apr1$rfZ9/dQs$VSfKMTQWPXSqgOj7WO8u40"},
	{"", "{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
}

func TestVerify(t *testing.T) {
	for _, v := range append(append([]struct{ pw, hash string }{}, cryptVectors...), htpasswdVectors...) {
		ok, err := Verify(v.pw, v.hash)
		if !ok || err != nil {
			t.Errorf("Verify(%q, %q) = %v, %v; want true", v.pw, v.hash, ok, err)
		}
		ok, err = Verify(v.pw+"x", v.hash)
		// DES only looks at 8 characters.
		if ok && !(isDESHash(v.hash) && len(v.pw) >= 8) {
			t.Errorf("Verify(%q+x, %q) = true", v.pw, v.hash)
		}
		if err != nil {
			t.Errorf("Verify(%q+x, %q): %v", v.pw, v.hash, err)
		}
	}
	for _, tc := range []struct {
		pw, hash string
		err      error
	}{
		{"secret", "secret", nil},                        // plain text: never (crypt(3) on Linux)
		{"secret", "$y$j9T$abc$def", ErrUnsupportedHash}, // yescrypt
		{"secret", "$5$rounds=10$abc$xyz", nil},          // libxcrypt says "*0"
		{"secret", "$2y$05$short", nil},                  // broken bcrypt
		{"secret", "", nil},
	} {
		ok, err := Verify(tc.pw, tc.hash)
		if ok || !errors.Is(err, tc.err) {
			t.Errorf("Verify(%q, %q) = %v, %v; want false, %v", tc.pw, tc.hash, ok, err, tc.err)
		}
	}
}

// TestDESCore checks the DES rounds against crypto/des (no salt: "..").
func TestDESCore(t *testing.T) {
	for _, key := range []uint64{0, 0x0123456789abcdef, 0xe6e4e6cae4e8c2e4} {
		var kb [8]byte
		binary.BigEndian.PutUint64(kb[:], key)
		c, err := des.NewCipher(kb[:])
		if err != nil {
			t.Fatal(err)
		}
		ks := desSubkeys(key)
		var blk [8]byte
		var block uint64
		for range 25 {
			c.Encrypt(blk[:], blk[:])
			block = desEncrypt(block, &ks, 0)
		}
		if got := binary.BigEndian.Uint64(blk[:]); got != block {
			t.Errorf("key %x: des %x, ours %x", key, got, block)
		}
	}
}

func BenchmarkVerifyAPR1(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Verify("secret", "$apr1$LsG1Iy4S$KsKK9BJmStz0skvRxmhwC/")
	}
}
