package mimetype

import "unsafe"

// unsafeString views b as a string for a map lookup only (the compiler
// does not allocate for m[string(b)], but the key passes through a
// variable here). The bytes must not change while the string is used.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
