package mpm

// Credentials say whom a child serves as: mod_unixd's User and Group,
// resolved by the configuration.
type Credentials struct {
	// User is the User directive as written: a name, or "#uid" (whose
	// name the account database must know, for the supplementary
	// groups). UID is its uid.
	User string
	UID  uint32
	// Group is the Group directive as written (or the default's name),
	// GID its gid: the child's real, effective and saved gid and the first
	// of its groups.
	Group string
	GID   uint32
}
