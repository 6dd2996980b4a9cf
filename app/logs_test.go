package app

import (
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/reqlog"
)

func TestExportRequestsWritesTheChosenFile(t *testing.T) {
	a, rec, _ := startApp(t)
	st, _ := a.Status()
	key, _ := a.APIKey()
	req, err := http.NewRequest("GET", st.Endpoint+"/v1/models", nil)
	require.NoError(t, err)
	req.Header.Set("x-api-key", key)
	req.Header.Set("User-Agent", "curl/8.5.0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, getModels(t, st.Endpoint, "kd-wrong"))

	// Cancelled: nothing written, no error.
	path, err := a.ExportRequests()
	require.NoError(t, err)
	assert.Empty(t, path)

	rec.mu.Lock()
	rec.savePath = filepath.Join(t.TempDir(), "requests.csv")
	rec.mu.Unlock()
	path, err = a.ExportRequests()
	require.NoError(t, err)
	assert.Equal(t, rec.savePath, path)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "a header and two requests")
	assert.Equal(t, requestsCSVHeader, rows[0])
	col := func(name string) int {
		for i, h := range requestsCSVHeader {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	assert.Equal(t, "200", rows[1][col("status")])
	assert.Equal(t, "curl", rows[1][col("client")])
	assert.Equal(t, "401", rows[2][col("status")])
	assert.True(t, strings.HasPrefix(rows[2][col("error")], "missing or wrong API key"), rows[2][col("error")])
	assert.NotContains(t, strings.Join(rows[2], ","), key)
}

// A request the Try it view pinned to one account says so in its row; the
// others leave the column empty.
func TestRequestsCSVHasThePinnedAccount(t *testing.T) {
	b := requestsCSV([]RequestLine{
		{Entry: reqlog.Entry{Method: "POST", Path: "/v1/messages", Account: "a1", Pinned: "a1", Status: 200}},
		{Entry: reqlog.Entry{Method: "POST", Path: "/v1/messages", Account: "a2", Status: 200}},
	})
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, "pinned", rows[0][len(rows[0])-1])
	assert.Equal(t, "a1", rows[1][len(rows[1])-1])
	assert.Empty(t, rows[2][len(rows[2])-1])
}
