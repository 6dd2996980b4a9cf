package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"kirodesk/internal/uitext"
)

// QuotaNoticesVersion is the quota-notices.json schema version this build
// writes. Version 1 replaced an unversioned map (see migrateBareNotices).
const QuotaNoticesVersion = 1

// QuotaNoticesName is the file's name in the config folder.
const QuotaNoticesName = "quota-notices.json"

// QuotaNotices remembers which "quota nearly used" notifications the person
// has had, so that a restart does not repeat them: per account, the reset
// period it was last told about. The app writes it; losing it costs one
// repeated notification per account, which is why a damaged file without a
// backup is moved aside and started afresh instead of stopping the load.
type QuotaNotices struct {
	Version int `json:"version"`
	// Told maps an account id to a reset period: the reset time in RFC 3339
	// (UTC), or "2006-01" (the month it was seen in) when Kiro sent none.
	Told  map[string]string `json:"told"`
	Extra Extra             `json:"-"`
}

// NewQuotaNotices returns an empty document.
func NewQuotaNotices() *QuotaNotices {
	return &QuotaNotices{Version: QuotaNoticesVersion, Told: map[string]string{}}
}

// CloneQuotaNotices returns a deep copy.
func CloneQuotaNotices(q *QuotaNotices) *QuotaNotices {
	c := *q
	c.Told = maps.Clone(q.Told)
	if c.Told == nil {
		c.Told = map[string]string{}
	}
	c.Extra = maps.Clone(q.Extra)
	return &c
}

// ValidPeriod reports whether p names a reset period as QuotaNotices.Told
// keeps it.
func ValidPeriod(p string) bool {
	if _, err := time.Parse(time.RFC3339, p); err == nil {
		return true
	}
	_, err := time.Parse("2006-01", p)
	return err == nil
}

// CheckQuotaNotices validates a whole document.
func CheckQuotaNotices(q *QuotaNotices) error {
	var errs []error
	if q.Version != QuotaNoticesVersion {
		errs = append(errs, fmt.Errorf("version %d, want %d", q.Version, QuotaNoticesVersion))
	}
	for id, p := range q.Told {
		if !ValidID(id) {
			errs = append(errs, fmt.Errorf("told: account id %q is not valid", id))
		}
		if !ValidPeriod(p) {
			errs = append(errs, fmt.Errorf("told[%s]: period %q is neither a time nor a month", id, p))
		}
	}
	return errors.Join(errs...)
}

// QuotaNoticesSchema describes quota-notices.json to a File.
func QuotaNoticesSchema() Schema[QuotaNotices] {
	return Schema[QuotaNotices]{Name: QuotaNoticesName, Version: QuotaNoticesVersion,
		New: NewQuotaNotices, Clone: CloneQuotaNotices, Check: CheckQuotaNotices}
}

type quotaNoticesJSON QuotaNotices

func (q QuotaNotices) MarshalJSON() ([]byte, error) {
	return encodeKeeping(quotaNoticesJSON(q), q.Extra)
}

func (q *QuotaNotices) UnmarshalJSON(b []byte) error {
	err := decodeKeeping(b, (*quotaNoticesJSON)(q), &q.Extra)
	if q.Told == nil {
		q.Told = map[string]string{}
	}
	return err
}

// openQuotaNotices opens quota-notices.json, first upgrading the bare map
// earlier builds wrote; a damaged one is restarted (openRestarting). The
// returned notices are in addition to the File's own.
func openQuotaNotices(dir string, opts FileOptions) (*File[QuotaNotices], []uitext.Text, error) {
	var notes []uitext.Text
	if note, err := migrateBareNotices(dir); err != nil {
		return nil, nil, err
	} else if note.Text != "" {
		notes = append(notes, note)
	}
	f, restarted, err := openRestarting(dir, QuotaNoticesSchema(), opts, msgQuotaNoticesRestarted)
	if err != nil {
		return nil, nil, err
	}
	return f, append(notes, restarted...), nil
}

// migrateBareNotices upgrades the file earlier builds wrote from the app,
// a bare {"<account id>": "<period>"} map with no version, to version 1.
// The original is archived beside it as NAME.v0-<time>, as migrations do.
// Anything else (a versioned file, or one that is not such a map) is left
// for the File's own load to judge.
func migrateBareNotices(dir string) (uitext.Text, error) {
	path := filepath.Join(dir, QuotaNoticesName)
	data, err := os.ReadFile(path)
	if err != nil {
		return uitext.Text{}, nil // missing or unreadable: OpenFile reports what matters
	}
	var bare map[string]string
	if json.Unmarshal(data, &bare) != nil {
		return uitext.Text{}, nil
	}
	if _, versioned := bare["version"]; versioned {
		return uitext.Text{}, nil
	}
	doc := NewQuotaNotices()
	for id, p := range bare {
		if ValidID(id) && ValidPeriod(p) {
			doc.Told[id] = p
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return uitext.Text{}, err
	}
	archive := fmt.Sprintf("%s.v0-%s", path, stamp())
	if err := writeFileAtomic(archive, data); err != nil {
		return uitext.Text{}, fmt.Errorf("%s: cannot archive it before upgrading: %w", path, err)
	}
	if err := writeFileAtomic(path, out); err != nil {
		return uitext.Text{}, fmt.Errorf("%s: cannot upgrade it: %w", path, err)
	}
	return msgQuotaNoticesUpgraded.With("file", QuotaNoticesName, "to", strconv.Itoa(QuotaNoticesVersion), "archive", archive), nil
}
