// Package update tells whether a newer Kirodesk has been released: it reads
// the release feed (a small JSON document that `make package` writes beside
// the packages, scripts/mkfeed), checks every member of it at the edge, and
// compares its version with the running one as semver. It never downloads
// or installs anything: a newer version is something to tell the person.
//
// The feed:
//
//	{
//	  "version": "0.2.0",
//	  "date": "2026-12-07",
//	  "notes": "what changed, plain text",
//	  "page": "https://github.com/kirodesk/kirodesk/releases/tag/v0.2.0",
//	  "packages": {
//	    "deb":     {"url": "https://…/kirodesk_0.2.0_amd64.deb", "sha256": "<64 hex>"},
//	    "tarball": {"url": "…", "sha256": "…"},
//	    "windows": {"url": "…", "sha256": "…"}
//	  }
//	}
//
// Package kinds are deb, rpm, appimage, tarball, windows and macos; a kind
// this build does not know is ignored, so a newer feed can list more. A URL
// may be relative to the feed's own; every URL must be https (http only to
// this machine).
package update

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"kirodesk/internal/store"
)

// Package kinds a feed lists.
const (
	KindDeb      = "deb"
	KindRPM      = "rpm"
	KindAppImage = "appimage"
	KindTarball  = "tarball"
	KindWindows  = "windows"
	KindMacOS    = "macos"
)

// Kinds are the package kinds this build understands, in the feed's order.
var Kinds = []string{KindDeb, KindRPM, KindAppImage, KindTarball, KindWindows, KindMacOS}

// DateLayout is the feed's date: the release day.
const DateLayout = "2006-01-02"

// MaxNotes bounds the release notes kept from a feed, in bytes.
const MaxNotes = 16 << 10

// Version is a checked semantic version ("1.2.3", "1.2.3-rc.1").
type Version struct{ v string } // canonical, with x/mod/semver's leading "v"

// ParseVersion accepts MAJOR.MINOR.PATCH with an optional pre-release,
// with or without a leading "v"; build metadata and short forms ("1.2")
// are refused, so that two spellings of one version cannot differ.
func ParseVersion(s string) (Version, error) {
	v := s
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return Version{}, fmt.Errorf("version %q is not a semantic version such as 1.2.3 or 1.2.3-rc.1", s)
	}
	return Version{v}, nil
}

// String is the version without the "v": "1.2.3".
func (v Version) String() string { return strings.TrimPrefix(v.v, "v") }

// IsZero reports whether v was never parsed.
func (v Version) IsZero() bool { return v.v == "" }

// Prerelease reports whether v is a pre-release ("1.2.3-rc.1").
func (v Version) Prerelease() bool { return semver.Prerelease(v.v) != "" }

// Compare is -1, 0 or +1 as v is older than, the same as or newer than o.
func (v Version) Compare(o Version) int { return semver.Compare(v.v, o.v) }

// Offered says whether a build running `running` is told about `latest`:
// when it is newer, and, for a pre-release, only to a build that is itself
// a pre-release (who runs 1.2.0 is not offered 1.3.0-rc.1; who runs
// 1.3.0-rc.1 is offered 1.3.0-rc.2 and 1.3.0).
func Offered(running, latest Version) bool {
	if latest.Prerelease() && !running.Prerelease() {
		return false
	}
	return latest.Compare(running) > 0
}

// Package is one download of a release.
type Package struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"` // 64 lower-case hex digits
}

// Release is a feed, checked.
type Release struct {
	Version  Version
	Date     time.Time
	Notes    string
	Page     string             // the release page, https
	Packages map[string]Package // by kind (Kinds); at least one
}

// feedJSON is the feed as written.
type feedJSON struct {
	Version  string                     `json:"version"`
	Date     string                     `json:"date"`
	Notes    string                     `json:"notes"`
	Page     string                     `json:"page"`
	Packages map[string]json.RawMessage `json:"packages"`
}

var hex64 = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// ErrMalformed marks a feed that is not a valid release feed.
var ErrMalformed = errors.New("the release feed is not valid")

// ParseFeed checks a feed read from base (its URL, against which relative
// URLs resolve). Unknown members and package kinds are ignored.
func ParseFeed(body []byte, base *url.URL) (Release, error) {
	var f feedJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&f); err != nil {
		return Release{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return Release{}, fmt.Errorf("%w: more than one JSON value", ErrMalformed)
	}
	var errs []error
	v, err := ParseVersion(f.Version)
	if err != nil {
		errs = append(errs, err)
	}
	date, err := time.Parse(DateLayout, f.Date)
	if err != nil {
		errs = append(errs, fmt.Errorf("date %q is not a day such as 2026-12-07", f.Date))
	}
	if len(f.Notes) > MaxNotes {
		errs = append(errs, fmt.Errorf("notes are longer than %d bytes", MaxNotes))
	}
	page, err := resolve("page", f.Page, base)
	if err != nil {
		errs = append(errs, err)
	}
	pkgs := map[string]Package{}
	for _, kind := range Kinds {
		raw, ok := f.Packages[kind]
		if !ok {
			continue
		}
		var p Package
		if err := json.Unmarshal(raw, &p); err != nil {
			errs = append(errs, fmt.Errorf("packages.%s: %v", kind, err))
			continue
		}
		u, err := resolve("packages."+kind+".url", p.URL, base)
		if err != nil {
			errs = append(errs, err)
		}
		if !hex64.MatchString(p.SHA256) {
			errs = append(errs, fmt.Errorf("packages.%s.sha256 is not 64 hex digits", kind))
		}
		pkgs[kind] = Package{URL: u, SHA256: strings.ToLower(p.SHA256)}
	}
	if len(pkgs) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("packages lists none of %s", strings.Join(Kinds, ", ")))
	}
	if len(errs) > 0 {
		return Release{}, fmt.Errorf("%w: %w", ErrMalformed, errors.Join(errs...))
	}
	return Release{Version: v, Date: date, Notes: strings.TrimSpace(f.Notes), Page: page, Packages: pkgs}, nil
}

// resolve turns a feed URL member into an absolute URL that
// store.ParseWebURL accepts.
func resolve(field, s string, base *url.URL) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%s is missing", field)
	}
	ref, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%s %q is not a URL", field, s)
	}
	if base != nil {
		ref = base.ResolveReference(ref)
	}
	u, err := store.ParseWebURL(field, ref.String())
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Feed renders r as the feed's JSON, indented, for scripts/mkfeed.
func (r Release) Feed() ([]byte, error) {
	f := struct {
		Version  string             `json:"version"`
		Date     string             `json:"date"`
		Notes    string             `json:"notes"`
		Page     string             `json:"page"`
		Packages map[string]Package `json:"packages"`
	}{r.Version.String(), r.Date.Format(DateLayout), r.Notes, r.Page, r.Packages}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
