package control

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// samePeer reports whether the process on the other end of c runs as this
// user (SO_PEERCRED). The folder's and socket's modes already keep other
// users out; this holds even if someone loosened them.
func samePeer(c net.Conn) bool {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return false
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return false
	}
	return int(cred.Uid) == os.Getuid()
}
