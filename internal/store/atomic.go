package store

import (
	"errors"
	"os"
	"path/filepath"
)

// writeFunc replaces path with data. writeFileAtomic (per OS) is the only
// production one: a reader sees the old content or the new one, never a mix,
// and after it returns the new content survives a power cut; the file is
// created 0600. Tests swap in failing ones (export_test.go).
type writeFunc func(path string, data []byte) error

// errNotSynced is a write that replaced the file but could not make the
// replacement durable: the file holds the new content for now.
var errNotSynced = errors.New("the folder could not be synced")

// keepBackup makes bak a second name for the current content of path, so the
// previous version survives the next replace. A hard link costs no data copy;
// where the file system cannot link, the caller's copy of the bytes is written.
func keepBackup(path, bak string, current []byte, writeFile writeFunc) error {
	tmp := bak + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Link(path, tmp); err == nil {
		// The rename is atomic: bak is the older backup or the newer one.
		return os.Rename(tmp, bak)
	} else if errors.Is(err, os.ErrNotExist) {
		return nil // nothing to keep yet
	}
	return writeFile(bak, current)
}

// cleanTemps removes temporary files a killed process may have left beside
// name in dir. Only the lock holder calls it, so no live writer owns them.
func cleanTemps(dir, name string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+name+"*"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
	_ = os.Remove(filepath.Join(dir, name+".bak.tmp"))
}

// WriteFileAtomic replaces path with data (created 0600) the way the store
// writes its own files: atomic, then durable. For small side files whose
// single owner lives outside the store (the window's notice memory); they
// get no backup, lock or schema.
func WriteFileAtomic(path string, data []byte) error { return writeFileAtomic(path, data) }
