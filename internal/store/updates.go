package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultFeedURL is the release feed of the project's release page: the
// newest release's kirodesk-feed.json, which `make package` writes beside
// the packages (scripts/mkfeed).
const DefaultFeedURL = "https://github.com/kirodesk/kirodesk/releases/latest/download/kirodesk-feed.json"

// Updates is config.json's "updates" object: the update notice's settings.
type Updates struct {
	// Check turns the daily check on; "Check for updates" in About asks
	// whatever it says, since the person asked.
	Check bool `json:"check"`
	// FeedURL is where the release feed is read: https, or http to this
	// machine (tests, a local mirror).
	FeedURL string `json:"feedURL"`
	Extra   Extra  `json:"-"`
}

// DefaultUpdates is the daily check on, against the project's feed.
func DefaultUpdates() Updates { return Updates{Check: true, FeedURL: DefaultFeedURL} }

type updatesJSON Updates

func (u Updates) MarshalJSON() ([]byte, error) { return encodeKeeping(updatesJSON(u), u.Extra) }

func (u *Updates) UnmarshalJSON(b []byte) error { return decodeKeeping(b, (*updatesJSON)(u), &u.Extra) }

// EnvFeedURL overrides updates.feedURL for one process (tests that run
// the real app, a person trying a mirror); it is never saved.
const EnvFeedURL = "KIRODESK_UPDATE_FEED_URL"

// WithEnv returns u with the environment's feed URL, or an error naming
// the variable when its value is not one the check accepts.
func (u Updates) WithEnv(getenv func(string) string) (Updates, error) {
	if v := getenv(EnvFeedURL); v != "" {
		if _, err := ParseWebURL(EnvFeedURL, v); err != nil {
			return u, err
		}
		u.FeedURL = v
	}
	return u, nil
}

// ParseWebURL accepts an absolute https URL, or an http one whose host is
// this machine (a test's server, a local mirror), with no user or password;
// field names it in the error. The feed and every download it lists are
// read through it.
func ParseWebURL(field, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return nil, msgWebURLNotAbsolute.Err("field", field, "value", strconv.Quote(s))
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopback(u.Hostname()):
	default:
		return nil, msgWebURLHTTPS.Err("field", field, "value", strconv.Quote(s))
	}
	if u.User != nil {
		return nil, msgWebURLUser.Err("field", field, "value", strconv.Quote(u.Redacted()))
	}
	return u, nil
}

// checkUpdates validates config.json's "updates".
func checkUpdates(u Updates) error {
	_, err := ParseWebURL("updates.feedURL", u.FeedURL)
	return err
}

// UpdateCheckVersion is the update-check.json schema version this build writes.
const UpdateCheckVersion = 1

// UpdateCheckName is the file's name in the config folder.
const UpdateCheckName = "update-check.json"

// UpdateCheck is what the update check remembers between runs: when it last
// asked (so it asks at most once a day, restarts included), the feed it got
// (shown again after a restart, and reused on a 304 answer), and the version
// whose window notice the person dismissed. internal/update reads and
// writes it; losing it costs one early check, so a damaged file is moved
// aside and started afresh.
type UpdateCheck struct {
	Version int `json:"version"`
	// CheckedAt is the last attempt, whatever its outcome.
	CheckedAt time.Time `json:"checkedAt,omitzero"`
	// FeedURL is where Feed came from; ETag and LastModified are its
	// validators for a conditional request.
	FeedURL      string `json:"feedURL,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	// Feed is the last feed read whole and valid, as received.
	Feed json.RawMessage `json:"feed,omitempty"`
	// Dismissed is the version whose notice the person closed.
	Dismissed string `json:"dismissed,omitempty"`
	Extra     Extra  `json:"-"`
}

// NewUpdateCheck returns an empty document: never checked.
func NewUpdateCheck() *UpdateCheck { return &UpdateCheck{Version: UpdateCheckVersion} }

// CloneUpdateCheck returns a deep copy.
func CloneUpdateCheck(u *UpdateCheck) *UpdateCheck {
	c := *u
	c.Feed = append(json.RawMessage(nil), u.Feed...)
	c.Extra = maps.Clone(u.Extra)
	return &c
}

// CheckUpdateCheck validates a whole document. The feed itself is judged
// by internal/update when it is read; here it only has to be JSON.
func CheckUpdateCheck(u *UpdateCheck) error {
	var errs []error
	if u.Version != UpdateCheckVersion {
		errs = append(errs, fmt.Errorf("version %d, want %d", u.Version, UpdateCheckVersion))
	}
	if len(u.Feed) > 0 && !json.Valid(u.Feed) {
		errs = append(errs, errors.New("feed is not JSON"))
	}
	if len(u.Feed) > 0 && u.FeedURL == "" {
		errs = append(errs, errors.New("feed without the feedURL it came from"))
	}
	for name, v := range map[string]string{"etag": u.ETag, "lastModified": u.LastModified, "dismissed": u.Dismissed} {
		if len(v) > 256 || strings.ContainsAny(v, "\r\n") {
			errs = append(errs, fmt.Errorf("%s is not a single short line", name))
		}
	}
	return errors.Join(errs...)
}

// UpdateCheckSchema describes update-check.json to a File.
func UpdateCheckSchema() Schema[UpdateCheck] {
	return Schema[UpdateCheck]{Name: UpdateCheckName, Version: UpdateCheckVersion,
		New: NewUpdateCheck, Clone: CloneUpdateCheck, Check: CheckUpdateCheck}
}

type updateCheckJSON UpdateCheck

func (u UpdateCheck) MarshalJSON() ([]byte, error) {
	return encodeKeeping(updateCheckJSON(u), u.Extra)
}

func (u *UpdateCheck) UnmarshalJSON(b []byte) error {
	return decodeKeeping(b, (*updateCheckJSON)(u), &u.Extra)
}
