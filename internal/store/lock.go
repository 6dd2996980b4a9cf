package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// ErrLocked means another Kirodesk process owns the config folder.
var ErrLocked = errors.New("another Kirodesk is already running with this config folder")

// LockName is the lock file inside the config folder.
const LockName = "kirodesk.lock"

const pidName = "kirodesk.pid"

// lockDir takes the folder's cross-process lock without waiting. The OS
// releases it if the process dies, so a crash never leaves a stale lock.
func lockDir(dir string) (*flock.Flock, error) {
	path := filepath.Join(dir, LockName)
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		who := ""
		if pid := readPID(filepath.Join(dir, pidName)); pid != "" {
			who = " (process id " + pid + ")"
		}
		return nil, fmt.Errorf("%w%s, config folder %s: quit it first (tray menu: Quit), or pass a different --config-dir", ErrLocked, who, dir)
	}
	// Record our pid for the message above, in a file of its own because
	// Windows locks are mandatory and would stop others reading the lock
	// file. Best effort: the lock, not this text, guards the folder.
	_ = writeFileAtomic(filepath.Join(dir, pidName), []byte(strconv.Itoa(os.Getpid())+"\n"))
	return l, nil
}

func readPID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if _, err := strconv.Atoi(s); err != nil {
		return ""
	}
	return s
}

// Lock is the folder's instance lock taken on its own, without loading the
// state files: for commands that must have the folder to themselves but do
// not read it through a Store (reset).
type Lock struct {
	dir string
	fl  *flock.Flock
}

// LockDir takes dir's instance lock as Open does; it fails with an error
// wrapping ErrLocked while a Kirodesk runs with that folder. dir must exist.
func LockDir(dir string) (*Lock, error) {
	fl, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	return &Lock{dir: dir, fl: fl}, nil
}

// Unlock releases the lock (and removes the pid note beside it).
func (l *Lock) Unlock() error {
	_ = os.Remove(filepath.Join(l.dir, pidName))
	return l.fl.Unlock()
}
