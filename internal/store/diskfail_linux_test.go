package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// The same scenario against a real full disk and a real read-only mount: a
// small tmpfs. Mounting needs root (CI runs as root); elsewhere the injected
// variant above covers the logic.
func TestRealDiskFullAndReadOnly(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=512k,mode=0700"); err != nil {
		if testenv.CI() && os.Geteuid() == 0 {
			t.Fatalf("CI runs as root and must be able to mount a tmpfs: %v", err)
		}
		t.Skipf("cannot mount a tmpfs here (%v); TestFailedWriteKeepsOldFileAndRetries covers the logic", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })

	t.Run("disk full", func(t *testing.T) {
		dir := filepath.Join(mnt, "full")
		s := openT(t, dir)
		filler := filepath.Join(mnt, "filler")
		checkFailedWriteKeepsEverything(t, s, dir, false,
			func() { fillDisk(t, filler) },
			func() { require.NoError(t, os.Remove(filler)) })
	})
	t.Run("read-only", func(t *testing.T) {
		dir := filepath.Join(mnt, "ro")
		s := openT(t, dir)
		remount := func(flags uintptr) {
			require.NoError(t, syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_REMOUNT|flags, "size=512k,mode=0700"))
		}
		checkFailedWriteKeepsEverything(t, s, dir, true,
			func() { remount(syscall.MS_RDONLY) },
			func() { remount(0) })
	})
}

func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "filling the disk: %v", err)
			return
		}
	}
}
