package update

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func feedBase(t *testing.T) *url.URL {
	u, err := url.Parse("https://example.com/releases/latest/download/kirodesk-feed.json")
	require.NoError(t, err)
	return u
}

func TestParseFeedReadsAValidFeed(t *testing.T) {
	body := `{"version":"v0.2.0","date":"2026-12-07","notes":"  Faster.\n","page":"https://example.com/releases/tag/v0.2.0",
		"packages":{"deb":{"url":"kirodesk_0.2.0_amd64.deb","sha256":"` + strings.ToUpper(sum) + `"},
		"windows":{"url":"https://cdn.example.com/k.exe","sha256":"` + sum + `"},
		"flatpak":{"url":"whatever"}},"signature":"later"}`
	r, err := ParseFeed([]byte(body), feedBase(t))
	require.NoError(t, err)
	assert.Equal(t, "0.2.0", r.Version.String())
	assert.Equal(t, "2026-12-07", r.Date.Format(DateLayout))
	assert.Equal(t, "Faster.", r.Notes)
	assert.Equal(t, "https://example.com/releases/tag/v0.2.0", r.Page)
	// A relative URL resolves against the feed's; an unknown kind and an
	// unknown member are ignored; the digest is kept in lower case.
	assert.Equal(t, map[string]Package{
		KindDeb:     {URL: "https://example.com/releases/latest/download/kirodesk_0.2.0_amd64.deb", SHA256: sum},
		KindWindows: {URL: "https://cdn.example.com/k.exe", SHA256: sum},
	}, r.Packages)

	// What Feed writes reads back the same.
	out, err := r.Feed()
	require.NoError(t, err)
	again, err := ParseFeed(out, nil)
	require.NoError(t, err)
	assert.Equal(t, r, again)
}

func TestParseFeedRefusesWhatIsNotAValidFeed(t *testing.T) {
	pkg := `"packages":{"deb":{"url":"https://example.com/k.deb","sha256":"` + sum + `"}}`
	good := `"version":"1.0.0","date":"2026-12-07","notes":"n","page":"https://example.com/r"`
	for name, c := range map[string]struct{ body, want string }{
		"not JSON":         {`<html>`, "invalid character"},
		"two values":       {`{` + good + `,` + pkg + `}{}`, "more than one JSON value"},
		"no version":       {`{"date":"2026-12-07","page":"https://example.com/r",` + pkg + `}`, `version ""`},
		"short version":    {`{"version":"1.2","date":"2026-12-07","page":"https://example.com/r",` + pkg + `}`, `version "1.2"`},
		"build metadata":   {`{"version":"1.2.3+abc","date":"2026-12-07","page":"https://example.com/r",` + pkg + `}`, `version "1.2.3+abc"`},
		"bad date":         {`{"version":"1.0.0","date":"07/12/2026","page":"https://example.com/r",` + pkg + `}`, "date"},
		"no page":          {`{"version":"1.0.0","date":"2026-12-07",` + pkg + `}`, "page is missing"},
		"http page":        {`{"version":"1.0.0","date":"2026-12-07","page":"http://example.com/r",` + pkg + `}`, "only https"},
		"no packages":      {`{` + good + `,"packages":{}}`, "packages lists none"},
		"http download":    {`{` + good + `,"packages":{"deb":{"url":"http://example.com/k.deb","sha256":"` + sum + `"}}}`, "packages.deb.url"},
		"short sha256":     {`{` + good + `,"packages":{"deb":{"url":"https://example.com/k.deb","sha256":"abc"}}}`, "packages.deb.sha256"},
		"non-hex sha256":   {`{` + good + `,"packages":{"deb":{"url":"https://example.com/k.deb","sha256":"` + strings.Repeat("z", 64) + `"}}}`, "packages.deb.sha256"},
		"package a string": {`{` + good + `,"packages":{"deb":"https://example.com/k.deb"}}`, "packages.deb"},
		"notes too long":   {`{"version":"1.0.0","date":"2026-12-07","page":"https://example.com/r","notes":"` + strings.Repeat("x", MaxNotes+1) + `",` + pkg + `}`, "notes"},
		"wrong types":      {`{"version":1,"date":"2026-12-07"}`, "cannot unmarshal"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseFeed([]byte(c.body), nil)
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestOfferedComparesAsSemverAndKeepsPreReleasesToPreReleases(t *testing.T) {
	v := func(s string) Version {
		x, err := ParseVersion(s)
		require.NoError(t, err)
		return x
	}
	for _, c := range []struct {
		running, latest string
		offered         bool
	}{
		{"0.1.0", "0.2.0", true},
		{"0.9.0", "0.10.0", true}, // numbers, not strings
		{"0.2.0", "0.2.0", false},
		{"0.3.0", "0.2.0", false},
		{"1.0.0", "1.1.0-rc.1", false}, // a stable build is not offered a pre-release
		{"1.1.0-rc.1", "1.1.0-rc.2", true},
		{"1.1.0-rc.2", "1.1.0-rc.10", true},
		{"1.1.0-rc.1", "1.1.0", true}, // the release after its candidates
		{"1.1.0-rc.1", "1.2.0-beta.1", true},
		{"1.1.0", "1.1.0-rc.1", false},
		{"1.1.0-rc.2", "1.1.0-rc.1", false},
	} {
		assert.Equal(t, c.offered, Offered(v(c.running), v(c.latest)), "%s -> %s", c.running, c.latest)
	}
	assert.True(t, v("1.0.0-rc.1").Prerelease())
	assert.Equal(t, "1.0.0", v("v1.0.0").String())
}
