package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/update"
)

// pkgDir is a build/pkg with the files package.sh writes for v, each with
// its own content, plus what the feed must leave out.
func pkgDir(t *testing.T, v string) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	sums := map[string]string{}
	for _, name := range []string{
		"kirodesk_" + strings.ReplaceAll(v, "-", "~") + "_amd64.deb",
		"kirodesk-" + v + "-linux-amd64.tar.gz",
		"kirodesk-" + v + "-windows-amd64-setup.exe",
	} {
		body := []byte("package " + name)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), body, 0o644))
		s := sha256.Sum256(body)
		sums[name] = hex.EncodeToString(s[:])
	}
	// An older build's package and a stray file are not this release's.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kirodesk_0.0.9_amd64.deb"), []byte("old"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644))
	return dir, sums
}

func TestTheFeedListsEachPackageWithItsDigest(t *testing.T) {
	dir, sums := pkgDir(t, "0.2.0-rc.1")
	notes := filepath.Join(t.TempDir(), "notes.md")
	require.NoError(t, os.WriteFile(notes, []byte("\nFaster start.\n"), 0o644))
	feed, err := Build(Options{Version: "0.2.0-rc.1", Dir: dir, Date: "2026-12-07", NotesFile: notes,
		Base:   "https://github.com/kirodesk/kirodesk/releases/download/v0.2.0-rc.1",
		Page:   "https://github.com/kirodesk/kirodesk/releases/tag/v0.2.0-rc.1",
		GitLog: func() (string, error) { t.Error("git asked although a notes file was given"); return "", nil }})
	require.NoError(t, err)

	rel, err := update.ParseFeed(feed, nil)
	require.NoError(t, err)
	assert.Equal(t, "0.2.0-rc.1", rel.Version.String())
	assert.Equal(t, "2026-12-07", rel.Date.Format(update.DateLayout))
	assert.Equal(t, "Faster start.", rel.Notes)
	assert.Equal(t, "https://github.com/kirodesk/kirodesk/releases/tag/v0.2.0-rc.1", rel.Page)
	kinds := map[string]string{}
	for kind, p := range rel.Packages {
		u, err := url.Parse(p.URL)
		require.NoError(t, err)
		name := filepath.Base(u.Path)
		assert.Equal(t, "https://github.com/kirodesk/kirodesk/releases/download/v0.2.0-rc.1/"+name, p.URL)
		assert.Equal(t, sums[name], p.SHA256, name)
		kinds[kind] = name
	}
	assert.Equal(t, map[string]string{
		update.KindDeb:     "kirodesk_0.2.0~rc.1_amd64.deb",
		update.KindTarball: "kirodesk-0.2.0-rc.1-linux-amd64.tar.gz",
		update.KindWindows: "kirodesk-0.2.0-rc.1-windows-amd64-setup.exe",
	}, kinds)
}

func TestNotesComeFromGitWithoutAFileAndAreCut(t *testing.T) {
	dir, _ := pkgDir(t, "0.2.0")
	long := strings.Repeat("- a change that took a while to describe\n", 1000)
	feed, err := Build(Options{Version: "0.2.0", Dir: dir, Base: "https://example.com/d", Page: "https://example.com/r",
		NotesFile: filepath.Join(t.TempDir(), "missing.md"), GitLog: func() (string, error) { return long, nil }})
	require.NoError(t, err)
	rel, err := update.ParseFeed(feed, nil)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(rel.Notes), update.MaxNotes)
	assert.True(t, strings.HasPrefix(rel.Notes, "- a change"))
	assert.True(t, strings.HasSuffix(rel.Notes, "\n…"))

	_, err = Build(Options{Version: "0.2.0", Dir: dir, Base: "https://example.com/d", Page: "https://example.com/r",
		GitLog: func() (string, error) { return "", errors.New("not a git repository") }})
	assert.ErrorContains(t, err, "-notes FILE")
}

func TestMkfeedRefusesWhatTheAppWouldRefuse(t *testing.T) {
	dir, _ := pkgDir(t, "0.2.0")
	git := func() (string, error) { return "- x", nil }
	for name, o := range map[string]Options{
		"no such version": {Version: "0.3.0", Dir: dir, Base: "https://example.com/d", Page: "https://example.com/r"},
		"bad version":     {Version: "0.2", Dir: dir, Base: "https://example.com/d", Page: "https://example.com/r"},
		"http base":       {Version: "0.2.0", Dir: dir, Base: "http://example.com/d", Page: "https://example.com/r"},
		"no page":         {Version: "0.2.0", Dir: dir, Base: "https://example.com/d"},
		"bad date":        {Version: "0.2.0", Dir: dir, Base: "https://example.com/d", Page: "https://example.com/r", Date: "7.12.2026"},
	} {
		o.GitLog = git
		_, err := Build(o)
		assert.Error(t, err, name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kirodesk_0.2.0_arm64.deb"), []byte("arm"), 0o644))
	_, err := Build(Options{Version: "0.2.0", Dir: dir, Base: "https://example.com/d", Page: "https://example.com/r", GitLog: git})
	assert.ErrorContains(t, err, "two deb packages")
}
