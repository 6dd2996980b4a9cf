package login

import (
	"fmt"
	"os/exec"
	"runtime"
)

// OpenBrowser opens u in the system browser. It only starts the opener and
// does not wait for the browser. Written here rather than with
// github.com/pkg/browser because that one copies the opener's output to our
// stdout through package globals, which would garble the CLI's countdown.
func OpenBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go func() { _ = cmd.Wait() }() // reap it
	return nil
}
