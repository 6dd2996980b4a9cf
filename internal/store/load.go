package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"kirodesk/internal/uitext"
)

var (
	// ErrCorrupt: the file cannot be used and no usable backup exists. The
	// file is left where it is for the person to repair or move aside.
	ErrCorrupt = errors.New("state file is damaged")
	// ErrTooNew: the file was written by a newer Kirodesk. It is left
	// untouched: overwriting it would drop what the newer version knows.
	ErrTooNew = errors.New("state file is from a newer Kirodesk")
)

// LoadError says which file failed to load, why, and what the person can do.
type LoadError struct {
	Path   string
	Reason string
	Hint   string
	Err    error // ErrCorrupt or ErrTooNew
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("%s: %s; %s", e.Path, e.Reason, e.Hint)
}

func (e *LoadError) Unwrap() error { return e.Err }

// badFile is a parse failure with a reason a person can read.
type badFile struct {
	reason string
	tooNew bool
}

func (b *badFile) Error() string { return b.reason }

// load reads the file and settles every outcome:
//
//	missing                 -> defaults, written at once (proves the folder is writable);
//	                           if only NAME.bak exists, the backup is loaded instead
//	valid, current version  -> loaded
//	valid, older version    -> migrated; the original is archived as NAME.v<N>-<time>
//	newer version           -> ErrTooNew, file untouched
//	empty, truncated, not JSON, no version, wrong types, invalid values
//	                        -> moved aside to NAME.corrupt-<time> and NAME.bak loaded,
//	                           with a notice; no usable backup -> ErrCorrupt, file untouched
func (f *File[T]) load() error {
	bak := f.path + ".bak"
	data, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		if bdata, berr := os.ReadFile(bak); berr == nil {
			if state, _, fixed, perr := f.parse(bdata); perr == nil {
				f.state = state
				f.notices = append(f.notices, msgBackupLoaded.With("file", f.schema.Name, "backup", bak))
				f.notices = append(f.notices, fixed...)
				return f.writeInitial()
			}
		}
		f.state = f.schema.New()
		return f.writeInitial()
	}
	if err != nil {
		return &LoadError{Path: f.path, Reason: "cannot be read: " + err.Error(),
			Hint: "check the file's owner and permissions", Err: ErrCorrupt}
	}

	state, from, fixed, perr := f.parse(data)
	if perr == nil {
		f.state = state
		if len(fixed) > 0 {
			// Written back at once, so the refused values leave the file.
			for _, n := range fixed {
				f.log.Warn("state file value refused on load", "file", f.path, "notice", n.Text)
			}
			f.notices = append(f.notices, fixed...)
			if from == f.schema.Version {
				return f.writeInitial()
			}
		}
		if from == f.schema.Version {
			f.saved, f.onDisk = data, true
			return nil
		}
		archive := fmt.Sprintf("%s.v%d-%s", f.path, from, stamp())
		if err := f.writeFile(archive, data); err != nil {
			return &LoadError{Path: f.path, Reason: "cannot archive it before migrating: " + err.Error(),
				Hint: "make the config folder writable", Err: ErrCorrupt}
		}
		f.notices = append(f.notices, msgUpgraded.With("file", f.schema.Name, "from", strconv.Itoa(from),
			"to", strconv.Itoa(f.schema.Version), "archive", archive))
		return f.writeInitial()
	}
	var bad *badFile
	errors.As(perr, &bad)
	if bad.tooNew {
		return &LoadError{Path: f.path, Reason: bad.reason,
			Hint: "run a newer Kirodesk, or restore a backup written by this version", Err: ErrTooNew}
	}

	bdata, berr := os.ReadFile(bak)
	if berr != nil {
		return &LoadError{Path: f.path, Reason: bad.reason + " and there is no backup " + bak,
			Hint: "repair the file, or move it aside to start with an empty one", Err: ErrCorrupt}
	}
	bstate, _, bfixed, bperr := f.parse(bdata)
	if bperr != nil {
		return &LoadError{Path: f.path, Reason: bad.reason + "; its backup " + bak + " is not usable either (" + bperr.Error() + ")",
			Hint: "repair one of them, or move both aside to start with an empty file", Err: ErrCorrupt}
	}
	aside := f.path + ".corrupt-" + stamp()
	if err := os.Rename(f.path, aside); err != nil {
		return &LoadError{Path: f.path, Reason: bad.reason + "; could not move it aside: " + err.Error(),
			Hint: "make the config folder writable", Err: ErrCorrupt}
	}
	f.state = bstate
	f.notices = append(f.notices, msgDamagedRestored.With("file", f.schema.Name, "reason", bad.reason, "backup", bak, "aside", aside))
	f.notices = append(f.notices, bfixed...)
	f.log.Warn("state file damaged; restored from backup", "file", f.path, "reason", bad.reason, "kept_as", aside)
	return f.writeInitial()
}

// writeInitial writes the loaded state without touching NAME.bak, which may
// be the only good copy.
func (f *File[T]) writeInitial() error {
	data, err := f.encode(f.state)
	if err == nil {
		err = f.writeFile(f.path, data)
	}
	if err != nil {
		return &LoadError{Path: f.path, Reason: "cannot be written: " + err.Error(),
			Hint: "make the config folder writable and check free disk space", Err: ErrCorrupt}
	}
	f.saved, f.onDisk = data, true
	return nil
}

// parse decodes, repairs and validates a document, migrating older
// versions. It returns the state, the version the data was written with and
// the notices of what Repair changed.
func (f *File[T]) parse(data []byte) (*T, int, []uitext.Text, error) {
	if len(data) == 0 {
		return nil, 0, nil, &badFile{reason: "the file is empty"}
	}
	var head struct {
		Version *json.Number `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, 0, nil, &badFile{reason: "not valid JSON (" + err.Error() + ")"}
	}
	if head.Version == nil {
		return nil, 0, nil, &badFile{reason: `it has no "version" field`}
	}
	v64, err := head.Version.Int64()
	if err != nil || v64 < 1 {
		return nil, 0, nil, &badFile{reason: fmt.Sprintf("unknown version %s", head.Version)}
	}
	from := int(v64)
	if v64 > int64(f.schema.Version) {
		return nil, 0, nil, &badFile{tooNew: true, reason: fmt.Sprintf(
			"it was written by a newer Kirodesk (file version %d; this build reads up to %d)", v64, f.schema.Version)}
	}
	if from < f.schema.Version {
		if data, err = f.migrate(data, from); err != nil {
			return nil, 0, nil, &badFile{reason: err.Error()}
		}
	}
	state := f.schema.New()
	if err := json.Unmarshal(data, state); err != nil {
		return nil, 0, nil, &badFile{reason: "unexpected content (" + err.Error() + ")"}
	}
	var fixed []uitext.Text
	if f.schema.Repair != nil {
		fixed = f.schema.Repair(state)
	}
	if err := f.schema.Check(state); err != nil {
		return nil, 0, nil, &badFile{reason: "invalid content (" + err.Error() + ")"}
	}
	return state, from, fixed, nil
}

func (f *File[T]) migrate(data []byte, from int) ([]byte, error) {
	var raw Raw
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object (%v)", err)
	}
	for v := from; v < f.schema.Version; v++ {
		step := f.schema.Migrate[v]
		if step == nil {
			return nil, fmt.Errorf("no upgrade from version %d", v)
		}
		if err := step(raw); err != nil {
			return nil, fmt.Errorf("upgrade from version %d failed (%v)", v, err)
		}
	}
	raw["version"] = json.RawMessage(fmt.Sprint(f.schema.Version))
	return json.Marshal(raw)
}

// stamp names aside files; no colons, so it is valid on Windows too.
func stamp() string {
	return time.Now().UTC().Format("20060102T150405.000Z")
}

// openRestarting opens a file that only keeps a record (quota warnings
// given, usage history, the last update check). Unlike config.json and
// pool.json, a damaged one with no usable backup does not stop Kirodesk and
// is never silently replaced: it is moved aside to NAME.corrupt-<time>
// (where it can still be read or repaired), a new one is started, and the
// notice restarted says so.
func openRestarting[T any](dir string, schema Schema[T], opts FileOptions, restarted uitext.Msg) (*File[T], []uitext.Text, error) {
	f, err := OpenFile(dir, schema, opts)
	var le *LoadError
	if err == nil || !errors.As(err, &le) || !errors.Is(err, ErrCorrupt) {
		return f, nil, err
	}
	path := filepath.Join(dir, schema.Name)
	aside := path + ".corrupt-" + stamp()
	if rerr := os.Rename(path, aside); rerr != nil {
		return nil, nil, err // nothing to move aside (it could not be written): the load error says why
	}
	if f, err = OpenFile(dir, schema, opts); err != nil {
		return nil, nil, err
	}
	return f, []uitext.Text{restarted.With("file", schema.Name, "reason", le.Reason, "aside", aside)}, nil
}
