//go:build !windows

package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badInput is one row of the bad-input tables both APIs' routes are held
// to: a body and headers (a "Host" entry sets the request's Host), and the
// status and error type the client must get.
type badInput struct {
	name   string
	body   string
	hdr    map[string]string
	status int
	errTyp string
}

// postBadInput posts tc.body to url with the good key set by auth, then
// tc's headers over it, and checks the status; the caller reads the error
// from the body.
func postBadInput(t *testing.T, url string, auth func(http.Header), tc badInput) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(tc.body))
	require.NoError(t, err)
	auth(req.Header)
	for k, v := range tc.hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	assert.Equal(t, tc.status, resp.StatusCode)
	return resp
}
