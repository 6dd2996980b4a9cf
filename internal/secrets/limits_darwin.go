//go:build darwin

package secrets

// chunkSize is the largest item this package writes, in bytes.
//
// go-keyring on macOS pipes `add-generic-password ... -w <base64 value>` to
// /usr/bin/security, whose command line is limited to 4,096 bytes, so
// service, account name and base64-encoded secret together must stay under
// about 3 KB. 2,000 bytes encode to about 2,690, which leaves room for the
// service and the longest chunk item name (see maxKeyLen).
const chunkSize = 2000
