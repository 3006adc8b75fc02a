package authn

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strconv"
	"strings"
)

// SHA-crypt byte orders for the final encoding (Ulrich Drepper's
// specification, "Unix crypt using SHA-256 and SHA-512"): groups of three
// digest bytes (b2, b1, b0) each written as four characters.
var (
	sha256Order = [][3]int{
		{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
		{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29},
	}
	sha512Order = [][3]int{
		{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51},
		{31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
		{15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19},
		{62, 20, 41},
	}
)

// shaCrypt is glibc's sha256_crypt ("$5$") or sha512_crypt ("$6$") of pw
// with the setting taken from hash ("$5$rounds=N$salt$..." or
// "$5$salt$..."). ok is false for a setting crypt(3) refuses.
func shaCrypt(pw, setting string, is512 bool) (string, bool) {
	magic, newHash := "$5$", sha256.New
	if is512 {
		magic, newHash = "$6$", sha512.New
	}
	rest := strings.TrimPrefix(setting, magic)
	rounds, custom := 5000, false
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		i := 0
		for i < len(r) && r[i] >= '0' && r[i] <= '9' {
			i++
		}
		if i > 0 && i < len(r) && r[i] == '$' {
			n, err := strconv.ParseUint(r[:i], 10, 64)
			if err != nil || n > 999999999 {
				n = 999999999
			}
			rounds = max(int(n), 1000)
			custom = true
			rest = r[i+1:]
		}
	}
	salt := rest
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 16 {
		salt = salt[:16]
	}
	p, s := []byte(pw), []byte(salt)

	h := newHash()
	size := h.Size()
	sum := func(h hash.Hash) []byte { return h.Sum(nil) }

	h.Write(p)
	h.Write(s)
	h.Write(p)
	b := sum(h)

	h.Reset()
	h.Write(p)
	h.Write(s)
	cnt := len(p)
	for ; cnt > size; cnt -= size {
		h.Write(b)
	}
	h.Write(b[:cnt])
	for cnt = len(p); cnt > 0; cnt >>= 1 {
		if cnt&1 != 0 {
			h.Write(b)
		} else {
			h.Write(p)
		}
	}
	a := sum(h)

	h.Reset()
	for range len(p) {
		h.Write(p)
	}
	dp := sum(h)
	pseq := make([]byte, 0, len(p))
	for cnt = len(p); cnt >= size; cnt -= size {
		pseq = append(pseq, dp...)
	}
	pseq = append(pseq, dp[:cnt]...)

	h.Reset()
	for range 16 + int(a[0]) {
		h.Write(s)
	}
	ds := sum(h)
	sseq := make([]byte, 0, len(s))
	for cnt = len(s); cnt >= size; cnt -= size {
		sseq = append(sseq, ds...)
	}
	sseq = append(sseq, ds[:cnt]...)

	c := a
	for i := range rounds {
		h.Reset()
		if i&1 != 0 {
			h.Write(pseq)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(sseq)
		}
		if i%7 != 0 {
			h.Write(pseq)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(pseq)
		}
		c = h.Sum(c[:0])
	}

	out := make([]byte, 0, 128)
	out = append(out, magic...)
	if custom {
		out = append(out, "rounds="...)
		out = strconv.AppendInt(out, int64(rounds), 10)
		out = append(out, '$')
	}
	out = append(out, salt...)
	out = append(out, '$')
	order := sha256Order
	if is512 {
		order = sha512Order
	}
	for _, g := range order {
		out = to64(out, uint32(c[g[0]])<<16|uint32(c[g[1]])<<8|uint32(c[g[2]]), 4)
	}
	if is512 {
		out = to64(out, uint32(c[63]), 2)
	} else {
		out = to64(out, uint32(c[31])<<8|uint32(c[30]), 3)
	}
	return string(out), true
}
