//go:build windows

package secrets

// chunkSize is the largest item this package writes, in bytes.
//
// Windows Credential Manager limits a credential blob to 2,560 bytes
// (CRED_MAX_CREDENTIAL_BLOB_SIZE; go-keyring returns ErrSetDataTooBig above
// it). 2,000 leaves a wide margin and matches the other platforms, so the
// chunked path that Linux CI exercises is the one Windows runs.
const chunkSize = 2000
