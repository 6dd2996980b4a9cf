package testenv

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Browse does what a browser does with a URL, say a sign-in page that
// redirects to a loopback callback: GET it, following redirects. It
// returns the final status and page.
func Browse(t testing.TB, u string) (status int, page string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}
