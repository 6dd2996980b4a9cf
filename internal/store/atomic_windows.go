//go:build windows

package store

import (
	"os"
	"path/filepath"
)

// writeFileAtomic is the Windows twin of the renameio-based version:
// renameio has no Windows files. os.Rename uses MoveFileEx with
// MOVEFILE_REPLACE_EXISTING, which replaces the target in one step on NTFS.
func writeFileAtomic(path string, data []byte) error {
	dir, name := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+name+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// syncDir is a no-op: Windows cannot open a directory for FlushFileBuffers
// through os.Open, and NTFS journals the rename's metadata itself.
func syncDir(string) error { return nil }
