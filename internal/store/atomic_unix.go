//go:build !windows

package store

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

func writeFileAtomic(path string, data []byte) error {
	// renameio writes a temp file in the same folder, fsyncs it and renames
	// it over path; it does not fsync the folder, which is what makes the
	// rename itself durable, so syncDir follows.
	if err := renameio.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%w: %w", errNotSynced, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
