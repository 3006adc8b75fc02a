package authn

// Traditional DES crypt(3) (htpasswd -d), written out from the DES tables
// (FIPS 46-3) and the Seventh Edition crypt.c: 25 encryptions of a zero
// block under the password's first eight 7-bit characters, with the
// 12-bit salt swapping bits of the expansion E. crypto/des cannot be used:
// it has no salted expansion. Speed does not matter here (one hash per
// check); clarity does.

var (
	desPC1 = [56]uint8{
		57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
		10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
		63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
		14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
	}
	desPC2 = [48]uint8{
		14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
		23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
		41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
		44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
	}
	desShifts = [16]uint8{1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1}
	desIP     = [64]uint8{
		58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
		62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
		57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
		61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
	}
	desFP = [64]uint8{
		40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
		38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
		36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
		34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
	}
	desE = [48]uint8{
		32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9,
		8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
		16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25,
		24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
	}
	desP = [32]uint8{
		16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
		2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
	}
	desS = [8][64]uint8{
		{14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
			0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
			4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
			15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13},
		{15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
			3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
			0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
			13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9},
		{10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
			13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
			13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
			1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12},
		{7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
			13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
			10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
			3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14},
		{2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
			14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
			4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
			11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3},
		{12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
			10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
			9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
			4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13},
		{4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
			13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
			1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
			6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12},
		{13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
			1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
			7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
			2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11},
	}
)

// permute gathers the bits of the n-bit value in named by table (1-based,
// most significant first) into a new value.
func permute(in uint64, n int, table []uint8) uint64 {
	var out uint64
	for _, p := range table {
		out = out<<1 | (in>>(n-int(p)))&1
	}
	return out
}

// desSubkeys is the DES key schedule of a 64-bit key.
func desSubkeys(key uint64) (ks [16]uint64) {
	cd := permute(key, 64, desPC1[:])
	c, d := cd>>28, cd&0xfffffff
	for i, s := range desShifts {
		c = (c<<s | c>>(28-s)) & 0xfffffff
		d = (d<<s | d>>(28-s)) & 0xfffffff
		ks[i] = permute(c<<28|d, 56, desPC2[:])
	}
	return ks
}

// desEncrypt encrypts one block; saltMask holds the expansion bits (of
// the 48, most significant first, in positions 0-11) to swap with the
// ones 24 further, as crypt's salt does (0 for plain DES).
func desEncrypt(block uint64, ks *[16]uint64, saltMask uint64) uint64 {
	ip := permute(block, 64, desIP[:])
	l, r := ip>>32, ip&0xffffffff
	for i := range ks {
		e := permute(r, 32, desE[:])
		if saltMask != 0 {
			hi, lo := e>>24&saltMask, e&saltMask
			e = e&^(saltMask<<24|saltMask) | lo<<24 | hi
		}
		x := e ^ ks[i]
		var s uint64
		for j := range 8 {
			b := x >> (42 - 6*j) & 0x3f
			s = s<<4 | uint64(desS[j][(b&0x20)|(b&1)<<4|(b>>1)&0xf])
		}
		l, r = r, l^permute(s, 32, desP[:])
	}
	return permute(r<<32|l, 64, desFP[:])
}

// cryptIndex is the value of a crypt base-64 character, -1 outside it.
func cryptIndex(c byte) int {
	switch {
	case c == '.' || c == '/':
		return int(c - '.')
	case c >= '0' && c <= '9':
		return int(c-'0') + 2
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 12
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 38
	}
	return -1
}

// isDESHash reports whether h is a traditional DES crypt result: 13
// characters of the crypt alphabet.
func isDESHash(h string) bool {
	if len(h) != 13 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if cryptIndex(h[i]) < 0 {
			return false
		}
	}
	return true
}

// desCrypt is crypt(3) with a two-character DES salt taken from setting.
func desCrypt(pw, setting string) string {
	var key uint64
	for i := 0; i < 8 && i < len(pw); i++ {
		key |= uint64(pw[i]<<1) << (56 - 8*i)
	}
	ks := desSubkeys(key)
	// Salt bit k (bit j of character i, k = 6i+j) swaps expansion
	// positions k and k+24; in the 48-bit value position k is bit 47-k.
	var mask uint64
	for i := range 2 {
		v := cryptIndex(setting[i])
		for j := range 6 {
			if v>>j&1 != 0 {
				mask |= 1 << (23 - (6*i + j))
			}
		}
	}
	var block uint64
	for range 25 {
		block = desEncrypt(block, &ks, mask)
	}
	out := []byte{setting[0], setting[1]}
	for i := range 11 {
		c := 0
		for j := range 6 {
			pos := 6*i + j
			bit := 0
			if pos < 64 {
				bit = int(block>>(63-pos)) & 1
			}
			c = c<<1 | bit
		}
		out = append(out, itoa64[c])
	}
	return string(out)
}
