//go:build packaging

package packaging

import (
	"encoding/hex"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/update"
)

// The release feed `make package` wrote beside the packages is what the
// app's update check will read: it passes the app's own parser, names this
// version, and lists exactly the packages built, each with its SHA-256.
func TestReleaseFeed(t *testing.T) {
	feedPath := filepath.Join(root, "build/pkg/kirodesk-feed.json")
	if _, err := os.Stat(feedPath); err != nil && os.Getenv("CI") != "true" {
		t.Skip("skipped: build/pkg has no feed; `make package` writes it (make test-package does in CI)")
	}
	body, err := os.ReadFile(feedPath)
	require.NoError(t, err, "run `make package` first (make test-package does)")
	rel, err := update.ParseFeed(body, nil)
	require.NoError(t, err)
	v := version(t)
	assert.Equal(t, v, rel.Version.String())
	assert.True(t, strings.HasSuffix(rel.Page, "/v"+v), "the release page %s is this version's", rel.Page)
	assert.False(t, rel.Date.After(time.Now()), "the release day is not in the future")
	assert.NotEmpty(t, rel.Notes)

	var built []string
	for _, pattern := range []string{"kirodesk_*.deb", "kirodesk-*.tar.gz", "kirodesk-*-setup.exe"} {
		m, err := filepath.Glob(filepath.Join(root, "build/pkg", pattern))
		require.NoError(t, err)
		built = append(built, m...)
	}
	require.Len(t, built, 3, "the .deb, the tar.gz and the Windows installer")
	listed := map[string]update.Package{}
	for _, p := range rel.Packages {
		u, err := url.Parse(p.URL)
		require.NoError(t, err)
		listed[path.Base(u.Path)] = p
	}
	assert.Len(t, listed, len(built), "the feed lists the packages built, no more")
	for _, f := range built {
		p, ok := listed[filepath.Base(f)]
		if assert.True(t, ok, "%s is not in the feed", filepath.Base(f)) {
			s := sha(t, f)
			assert.Equal(t, hex.EncodeToString(s[:]), p.SHA256, "%s's SHA-256", filepath.Base(f))
		}
	}
	for kind, want := range map[string]string{update.KindDeb: ".deb", update.KindTarball: ".tar.gz", update.KindWindows: "-setup.exe"} {
		assert.True(t, strings.HasSuffix(rel.Packages[kind].URL, want), "%s: %s", kind, rel.Packages[kind].URL)
	}
}
