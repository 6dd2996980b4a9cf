//go:build unix

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// protocolOutput returns a private copy of standard output for the protocol
// and points file descriptor 1 at standard error. C code in the process
// writes to stdout on its own (systray's C printf()s when it cannot write an
// icon file; GTK modules may too), and such bytes must not land in the
// middle of a protocol line. The reader would survive them, but the click
// they split would be lost.
func protocolOutput() (*os.File, error) {
	fd, err := unix.FcntlInt(1, unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, fmt.Errorf("dup stdout: %w", err)
	}
	if err := unix.Dup2(2, 1); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("point stdout at stderr: %w", err)
	}
	return os.NewFile(uintptr(fd), "protocol-out"), nil
}
