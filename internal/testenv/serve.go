package testenv

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// StartListening starts cmd (a `kirodesk serve`), killed when the test
// ends, and waits up to wait for its first line, "listening on URL". It
// returns the URL and the child's stderr so far and to come.
func StartListening(t testing.TB, cmd *exec.Cmd, wait time.Duration) (url string, stderr *Buffer) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr = &Buffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		require.True(t, ok, "serve printed nothing; stderr: %s", stderr.String())
		url, found := strings.CutPrefix(l, "listening on ")
		require.True(t, found, "first line %q", l)
		return url, stderr
	case <-time.After(wait):
		t.Fatalf("serve did not start; stderr: %s", stderr.String())
		return "", stderr
	}
}
