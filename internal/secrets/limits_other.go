//go:build !windows && !darwin

package secrets

// chunkSize is the largest item this package writes, in bytes.
//
// The Secret Service has no hard limit (go-keyring only notes that values
// over about 100 KiB are slow), but the Windows credential blob limit is
// 2,560 bytes and macOS allows about 3 KB. Using the same 2,000 bytes here
// means Linux tests and CI, which run against a real gnome-keyring, exercise
// exactly the chunking that Windows and macOS depend on.
const chunkSize = 2000
