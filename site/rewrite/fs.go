package rewrite

// OSFS answers file tests from the operating system. On Linux it calls
// stat(2) and lstat(2) directly (one allocation for the path instead of
// os.Stat's three).
type OSFS struct{}

// Stat follows symbolic links.
func (OSFS) Stat(name string) FileInfo { return osStat(name, true) }

// Lstat does not follow symbolic links.
func (OSFS) Lstat(name string) FileInfo { return osStat(name, false) }
