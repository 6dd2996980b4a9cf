// Command mkfeed writes the release feed (internal/update) for the packages
// `make package` built: the version, the release day, the notes, the
// release page, and for each package its URL under the release's download
// base and its SHA-256. It reads back what it wrote with update.ParseFeed,
// so a feed the app would refuse is never published.
//
// Usage: go run ./scripts/mkfeed -version V -dir build/pkg -base URL -page URL
//
//	[-date YYYY-MM-DD] [-notes FILE] [-out FILE]
//
// The packages are recognised by their names (scripts/package.sh):
// kirodesk_<v>_<arch>.deb, kirodesk-<v>-linux-<arch>.tar.gz,
// kirodesk-<v>-windows-amd64-setup.exe, and, when a build makes them,
// *.rpm, *.AppImage and kirodesk-<v>-macos*.{dmg,zip}. Without -notes (or
// when the file is missing) the notes are the subjects of the commits
// since the previous tag (the last 20 when there is none).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"kirodesk/internal/update"
)

// FeedName is the feed's file name beside the packages; the default
// updates.feedURL names it under the newest release's downloads.
const FeedName = "kirodesk-feed.json"

func main() {
	var o Options
	flag.StringVar(&o.Version, "version", "", "the version packaged (the VERSION file)")
	flag.StringVar(&o.Dir, "dir", "build/pkg", "where the packages are")
	flag.StringVar(&o.Base, "base", "", "the release's download base URL; each package's URL is base/<file>")
	flag.StringVar(&o.Page, "page", "", "the release page URL")
	flag.StringVar(&o.Date, "date", "", "the release day, YYYY-MM-DD (default: today, UTC)")
	flag.StringVar(&o.NotesFile, "notes", "", "a file with the release notes (default: the git log)")
	out := flag.String("out", "", "where to write the feed (default: DIR/"+FeedName+")")
	flag.Parse()
	if *out == "" {
		*out = filepath.Join(o.Dir, FeedName)
	}
	feed, err := Build(o)
	if err != nil {
		log.Fatalf("mkfeed: %v", err)
	}
	if err := os.WriteFile(*out, feed, 0o644); err != nil {
		log.Fatalf("mkfeed: %v", err)
	}
}

// Options are the flags.
type Options struct {
	Version, Dir, Base, Page, Date, NotesFile string
	// GitLog returns the notes when there is no notes file; nil means git.
	GitLog func() (string, error)
}

// Build returns the feed for the packages of o.Version in o.Dir.
func Build(o Options) ([]byte, error) {
	v, err := update.ParseVersion(o.Version)
	if err != nil {
		return nil, err
	}
	day := time.Now().UTC()
	if o.Date != "" {
		if day, err = time.Parse(update.DateLayout, o.Date); err != nil {
			return nil, fmt.Errorf("-date %q is not YYYY-MM-DD", o.Date)
		}
	}
	base, err := url.Parse(strings.TrimRight(o.Base, "/") + "/")
	if err != nil || o.Base == "" {
		return nil, fmt.Errorf("-base %q is not a URL", o.Base)
	}
	pkgs, err := packages(o.Dir, o.Version, base)
	if err != nil {
		return nil, err
	}
	notes, err := releaseNotes(o)
	if err != nil {
		return nil, err
	}
	rel := update.Release{Version: v, Date: day, Notes: notes, Page: o.Page, Packages: pkgs}
	feed, err := rel.Feed()
	if err != nil {
		return nil, err
	}
	// What the app will read must pass the app's own check.
	if _, err := update.ParseFeed(feed, nil); err != nil {
		return nil, err
	}
	return feed, nil
}

// kindOf names the package kind of a file of version v, or "".
func kindOf(name, v string) string {
	debv := strings.ReplaceAll(v, "-", "~") // as package.sh names the .deb
	switch {
	case strings.HasPrefix(name, "kirodesk_"+debv+"_") && strings.HasSuffix(name, ".deb"):
		return update.KindDeb
	case strings.HasPrefix(name, "kirodesk-"+v+"-linux-") && strings.HasSuffix(name, ".tar.gz"):
		return update.KindTarball
	case name == "kirodesk-"+v+"-windows-amd64-setup.exe":
		return update.KindWindows
	case strings.HasPrefix(name, "kirodesk-"+v) && strings.HasSuffix(name, ".rpm"):
		return update.KindRPM
	case strings.HasPrefix(name, "kirodesk-"+v) && strings.HasSuffix(name, ".AppImage"):
		return update.KindAppImage
	case strings.HasPrefix(name, "kirodesk-"+v+"-macos") && (strings.HasSuffix(name, ".dmg") || strings.HasSuffix(name, ".zip")):
		return update.KindMacOS
	}
	return ""
}

// packages hashes the packages of version v in dir.
func packages(dir, v string, base *url.URL) (map[string]update.Package, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]update.Package{}
	files := map[string]string{}
	for _, e := range entries {
		kind := kindOf(e.Name(), v)
		if kind == "" || !e.Type().IsRegular() {
			continue
		}
		if prev, ok := files[kind]; ok {
			return nil, fmt.Errorf("two %s packages of %s: %s and %s", kind, v, prev, e.Name())
		}
		files[kind] = e.Name()
		sum, err := sha256File(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		pkgs[kind] = update.Package{URL: base.ResolveReference(&url.URL{Path: e.Name()}).String(), SHA256: sum}
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no package of version %s in %s", v, dir)
	}
	return pkgs, nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// releaseNotes reads the notes file, or else the git log, cut to what a
// feed may hold.
func releaseNotes(o Options) (string, error) {
	var notes string
	if o.NotesFile != "" {
		b, err := os.ReadFile(o.NotesFile)
		switch {
		case err == nil:
			notes = string(b)
		case !errors.Is(err, os.ErrNotExist):
			return "", err
		}
	}
	if strings.TrimSpace(notes) == "" {
		gitLog := o.GitLog
		if gitLog == nil {
			gitLog = gitNotes
		}
		var err error
		if notes, err = gitLog(); err != nil {
			return "", fmt.Errorf("release notes from git: %w (or pass -notes FILE)", err)
		}
	}
	notes = strings.TrimSpace(notes)
	if len(notes) > update.MaxNotes {
		cut := strings.LastIndex(notes[:update.MaxNotes-len("\n…")], "\n")
		if cut < 0 {
			cut = update.MaxNotes - len("\n…")
		}
		notes = notes[:cut] + "\n…"
	}
	return notes, nil
}

// gitNotes lists the commits since the previous tag, one "- subject" a
// line, newest first.
func gitNotes() (string, error) {
	args := []string{"log", "--no-merges", "--format=- %s"}
	if tag, err := exec.Command("git", "describe", "--tags", "--abbrev=0").Output(); err == nil {
		args = append(args, strings.TrimSpace(string(tag))+"..HEAD")
	} else {
		args = append(args, "-20")
	}
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return "", err
	}
	return string(out), nil
}
