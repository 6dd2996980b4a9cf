package proxy

// openFileLimit is 0 (unknown): Windows has no per-process limit on open
// sockets of the kind RLIMIT_NOFILE sets.
func openFileLimit() int { return 0 }
