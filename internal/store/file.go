package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"kirodesk/internal/uitext"
)

// ErrClosed is returned by changes made after Close.
var ErrClosed = errors.New("store: closed")

// ErrNotSaved marks a write to disk that failed (disk full, read-only
// folder); the old file is left intact. For an Update (a *SaveError) the
// change was not made. For Touch, Record and Flush the change is kept in
// memory and the batch writer writes it once the disk takes it again.
var ErrNotSaved = errors.New("not saved to disk")

// SaveError is an Update that could not be written: nothing was changed,
// in memory or on disk.
type SaveError struct {
	Name string // file name, e.g. "pool.json"
	Dir  string // the config folder
	Err  error
}

func (e *SaveError) Error() string {
	// The system's own words ("permission denied", "no space left on
	// device") say what to fix; the paths of temporary files do not.
	cause := e.Err.Error()
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		cause = errno.Error()
	}
	return fmt.Sprintf("could not save %s in %s: %s; nothing was changed", e.Name, e.Dir, cause)
}

func (e *SaveError) Unwrap() []error { return []error{ErrNotSaved, e.Err} }

// Schema describes one state file to a File.
type Schema[T any] struct {
	Name    string         // file name inside the config folder, e.g. "pool.json"
	Version int            // the version this build writes
	New     func() *T      // defaults; also the base a loaded file is decoded onto
	Clone   func(*T) *T    // a deep copy: snapshots must not share memory with the owner
	Check   func(*T) error // validation of a whole document, run on load and on Update
	// Repair, if set, runs on load before Check: it puts right in place
	// what an older build accepted and this one refuses (one bad account
	// must not make the whole file unusable), returning a notice per fix.
	Repair  func(*T) []uitext.Text
	Migrate map[int]func(Raw) error // Migrate[n] turns a version-n document into version n+1
}

// Raw is a document's top-level members, for migrations.
type Raw map[string]json.RawMessage

// File owns one JSON state file. All methods are safe for concurrent use.
type File[T any] struct {
	schema Schema[T]
	path   string
	log    *slog.Logger
	every  time.Duration // minimum spacing of batched (Touch) flushes

	mu     sync.RWMutex // guards state, gen, closed and replay
	state  *T
	gen    uint64 // bumped by every change
	closed bool
	// replay is non-nil while an Update is being written: the Touch and
	// Record changes made meanwhile, to apply to the updated state.
	replay []func(*T) *T

	qmu   sync.Mutex
	queue []*update[T] // Updates waiting for the next write

	// writeSem serialises disk writes; a channel so waiting can be cancelled.
	writeSem  chan struct{}
	writeFile writeFunc // guarded by writeSem
	savedGen  uint64    // gen of the last successful write
	saved     []byte    // bytes of the file on disk, known good
	lastWrite time.Time // of the last successful or failed attempt
	onDisk    bool      // path exists with content we loaded or wrote

	kick   chan struct{} // wakes the batch writer
	done   chan struct{}
	exited chan struct{}
	// beforeBatch, if set, runs on the batch writer just before it takes
	// the state to write (SetBeforeBatch).
	beforeBatch atomic.Pointer[func()]

	notices []uitext.Text

	stats writeStats
}

// WriteStats count a File's disk writes since it was opened: what the
// benchmark reports as flush cost under load.
type WriteStats struct {
	Writes  int64         // files actually written (unchanged content is skipped)
	Skipped int64         // flushes whose content was already on disk
	Bytes   int64         // bytes of those files (the .bak link costs none)
	Total   time.Duration // encode + backup + durable write, summed
	Max     time.Duration // the slowest of them
}

type writeStats struct {
	writes, skipped, bytes, total, max atomic.Int64
}

// Stats returns the File's write counters.
func (f *File[T]) Stats() WriteStats {
	return WriteStats{Writes: f.stats.writes.Load(), Skipped: f.stats.skipped.Load(), Bytes: f.stats.bytes.Load(),
		Total: time.Duration(f.stats.total.Load()), Max: time.Duration(f.stats.max.Load())}
}

// FileOptions tune a File; the zero value is production's setting.
type FileOptions struct {
	Logger        *slog.Logger
	FlushInterval time.Duration // default 1s
}

// OpenFile loads dir/schema.Name (see load for every outcome) and starts its
// batch writer. The caller must hold the folder's instance lock.
func OpenFile[T any](dir string, schema Schema[T], opts FileOptions) (*File[T], error) {
	f := &File[T]{
		schema:    schema,
		path:      filepath.Join(dir, schema.Name),
		log:       opts.Logger,
		every:     opts.FlushInterval,
		writeSem:  make(chan struct{}, 1),
		writeFile: writeFileAtomic,
		kick:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		exited:    make(chan struct{}),
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.every <= 0 {
		f.every = time.Second
	}
	cleanTemps(dir, schema.Name)
	if err := f.load(); err != nil {
		return nil, err
	}
	go f.batchWriter()
	return f, nil
}

// Path is the file's location, for messages.
func (f *File[T]) Path() string { return f.path }

// Notices are the things the person should be told about the load, such as a
// damaged file that was replaced by its backup.
func (f *File[T]) Notices() []string { return uitext.Strings(f.notices) }

// NoticeTexts are the Notices with their codes, for the window.
func (f *File[T]) NoticeTexts() []uitext.Text { return append([]uitext.Text(nil), f.notices...) }

// Snapshot returns a deep copy of the current state.
func (f *File[T]) Snapshot() *T {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.schema.Clone(f.state)
}

// View calls fn with the current state under the read lock, without
// copying: for hot paths (account selection on every request) that only
// read. fn must not keep or modify anything it is given, and must not
// call back into the File.
func (f *File[T]) View(fn func(*T)) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	fn(f.state)
}

// Update applies fn to a copy of the state, validates the copy, writes it to
// disk and only then makes it the state: a change is in effect exactly when
// it is durable (design.md, invariant 4). If fn, validation or the write
// fails, nothing changes; a failed write returns a *SaveError that says so.
// Concurrent Updates share one write (group commit): each fn is applied in
// turn and one that fails drops out alone, but a failed write fails them
// all. Touch and Record go on meanwhile and are carried over onto the new
// state (see replay).
func (f *File[T]) Update(ctx context.Context, fn func(*T) error) error {
	u := &update[T]{fn: fn, done: make(chan error, 1)}
	f.qmu.Lock()
	f.queue = append(f.queue, u)
	f.qmu.Unlock()
	select {
	case f.writeSem <- struct{}{}:
	case err := <-u.done: // another Update's write carried this one
		return err
	case <-ctx.Done():
		f.qmu.Lock()
		i := slices.Index(f.queue, u)
		if i >= 0 {
			f.queue = slices.Delete(f.queue, i, i+1)
		}
		f.qmu.Unlock()
		if i >= 0 {
			return fmt.Errorf("%s: %w; nothing was changed", f.schema.Name, ctx.Err())
		}
		return <-u.done // already being written: its outcome is the answer
	}
	select {
	case err := <-u.done: // written while this one waited for the semaphore
		<-f.writeSem
		return err
	default:
	}
	f.qmu.Lock()
	batch := f.queue
	f.queue = nil
	f.qmu.Unlock()
	f.commit(batch)
	<-f.writeSem
	return <-u.done
}

// update is one Update waiting to be written.
type update[T any] struct {
	fn   func(*T) error
	done chan error // receives the outcome, once
}

// commit applies a batch of Updates to a copy of the state, writes it and
// swaps it in, then tells each Update its outcome. Called with writeSem held.
func (f *File[T]) commit(batch []*update[T]) {
	var next *T // the copy the changes so far apply to; nil: none yet
	var applied []*update[T]
	for _, u := range batch {
		var c *T
		if next == nil {
			f.mu.Lock()
			if f.closed {
				f.mu.Unlock()
				u.done <- ErrClosed
				continue
			}
			c = f.schema.Clone(f.state)
			f.replay = []func(*T) *T{} // from this copy on, Touch and Record log their changes
			f.mu.Unlock()
		} else {
			c = f.schema.Clone(next) // a failing fn must not leave half a change in next
		}
		if err := f.apply(c, u.fn); err != nil {
			u.done <- err
			continue
		}
		next = c
		applied = append(applied, u)
	}
	if next == nil {
		f.mu.Lock()
		f.replay = nil
		f.mu.Unlock()
		return
	}
	err := f.save(next)
	f.mu.Lock()
	replay := f.replay
	f.replay = nil
	if err == nil {
		for _, r := range replay {
			next = r(next)
		}
		f.state = next
		f.gen++
		if len(replay) == 0 {
			f.savedGen = f.gen // the file holds exactly the state
		}
	}
	f.mu.Unlock()
	if err == nil && len(replay) > 0 {
		f.poke()
	}
	for _, u := range applied {
		u.done <- err
	}
}

// apply runs fn on c and validates the result.
func (f *File[T]) apply(c *T, fn func(*T) error) error {
	if err := fn(c); err != nil {
		return err
	}
	if err := f.schema.Check(c); err != nil {
		return fmt.Errorf("%s: change rejected: %w", f.schema.Name, err)
	}
	return nil
}

// save writes next, the state an Update is about to swap in. Called with
// writeSem held.
func (f *File[T]) save(next *T) error {
	data, err := f.encode(next)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", f.schema.Name, err)
	}
	start := time.Now()
	wrote, err := f.write(data)
	f.count(wrote, err, start, len(data))
	if err != nil {
		f.log.Error("state file not saved; the change was not made", "file", f.path, "err", err)
		return f.unsaved(err)
	}
	return nil
}

// Record applies fn to the state at once and writes it before returning. It
// is for facts learnt from upstream (a cooldown, a quota reading, a login
// that expired): they hold whether or not the disk takes them, so a failed
// write keeps the change in memory, the batch writer retries it (as for
// Touch), and the error wraps ErrNotSaved. If fn or validation fails,
// nothing changes.
func (f *File[T]) Record(ctx context.Context, fn func(*T) error) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return ErrClosed
	}
	next := f.schema.Clone(f.state)
	if err := fn(next); err != nil {
		f.mu.Unlock()
		return err
	}
	if err := f.schema.Check(next); err != nil {
		f.mu.Unlock()
		return fmt.Errorf("%s: change rejected: %w", f.schema.Name, err)
	}
	f.state = next
	f.gen++
	gen := f.gen
	if f.replay != nil {
		f.replay = append(f.replay, func(s *T) *T {
			c := f.schema.Clone(s)
			if fn(c) != nil || f.schema.Check(c) != nil {
				return s // does not apply to the updated state: dropped
			}
			return c
		})
	}
	f.mu.Unlock()
	return f.flushTo(ctx, gen)
}

// Touch applies fn to the state in place and leaves the write to the batch
// writer (about once per FlushInterval, and on Close). It is for high-churn
// counters whose last second may be lost in a power cut; fn must keep the
// state valid and must not block, since it runs under the state lock. While
// an Update is being written fn is kept, and applied to the updated state
// too when that is swapped in: fn must work on any state (an account may
// have gone).
func (f *File[T]) Touch(fn func(*T)) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	fn(f.state)
	f.gen++
	if f.replay != nil {
		f.replay = append(f.replay, func(s *T) *T { fn(s); return s })
	}
	f.mu.Unlock()
	f.poke()
}

// Flush writes any pending change now.
func (f *File[T]) Flush(ctx context.Context) error {
	f.mu.RLock()
	gen := f.gen
	f.mu.RUnlock()
	return f.flushTo(ctx, gen)
}

// Close stops the batch writer and writes what is pending. Later changes fail
// with ErrClosed.
func (f *File[T]) Close(ctx context.Context) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	gen := f.gen
	f.mu.Unlock()
	close(f.done)
	<-f.exited
	return f.flushTo(ctx, gen)
}

// SetBeforeBatch has the batch writer call fn each time it is about to take
// the state for a batched write. A writer of the File that gathers changes
// of its own between Touches (the usage ledger) hands them over there, so
// they reach disk with this write instead of waiting for the next one. fn
// may Touch the File; it must not wait on a write.
func (f *File[T]) SetBeforeBatch(fn func()) { f.beforeBatch.Store(&fn) }

func (f *File[T]) poke() {
	select {
	case f.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// flushTo makes sure generation gen (or a later one) is on disk. Concurrent
// callers share one write: whoever holds writeSem writes the newest state,
// and the others find their generation already saved (group commit).
func (f *File[T]) flushTo(ctx context.Context, gen uint64) error {
	select {
	case f.writeSem <- struct{}{}:
	case <-ctx.Done():
		f.poke() // the change is in memory; let the batch writer save it
		return fmt.Errorf("%s: %w (kept in memory; will retry): %w", f.schema.Name, ErrNotSaved, ctx.Err())
	}
	defer func() { <-f.writeSem }()
	if f.savedGen >= gen {
		return nil
	}
	start := time.Now()
	f.mu.RLock()
	data, err := f.encode(f.state)
	cur := f.gen
	f.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("%s: encode: %w", f.schema.Name, err)
	}
	wrote, err := f.write(data)
	f.count(wrote, err, start, len(data))
	if err != nil {
		f.log.Error("state file not saved; will retry", "file", f.path, "err", err)
		f.poke()
		return fmt.Errorf("%s: %w (kept in memory; will retry): %w", f.path, ErrNotSaved, err)
	}
	f.savedGen = cur
	return nil
}

// count adds a write attempt to the stats. Called with writeSem held.
func (f *File[T]) count(wrote bool, err error, start time.Time, n int) {
	switch {
	case wrote:
		d := int64(time.Since(start))
		f.stats.writes.Add(1)
		f.stats.bytes.Add(int64(n))
		f.stats.total.Add(d)
		if d > f.stats.max.Load() { // only the writeSem holder stores it
			f.stats.max.Store(d)
		}
	case err == nil:
		f.stats.skipped.Add(1)
	}
}

// unsaved turns a failed write of an Update into its SaveError. A write
// that failed after the new file was renamed into place (the folder could
// not be synced) has changed the file even so: the previous content is put
// back, or, failing that, the batch writer is left to rewrite the state,
// so the file does not keep a change the caller is told was not made.
// Called with writeSem held.
func (f *File[T]) unsaved(err error) error {
	if errors.Is(err, errNotSynced) && f.onDisk {
		if rerr := f.writeFile(f.path, f.saved); rerr != nil && !errors.Is(rerr, errNotSynced) {
			f.log.Error("could not put the previous content back; will retry", "file", f.path, "err", rerr)
			f.saved = nil // unknown: the next flush must write
			f.mu.Lock()
			f.gen++
			f.mu.Unlock()
			f.poke()
		}
	}
	return &SaveError{Name: f.schema.Name, Dir: filepath.Dir(f.path), Err: err}
}

// write puts data on disk after keeping the current file as the backup.
// Called with writeSem held. It reports whether it wrote the file.
func (f *File[T]) write(data []byte) (bool, error) {
	f.lastWrite = time.Now()
	if f.onDisk && string(data) == string(f.saved) {
		return false, nil // nothing changed: spare the disk
	}
	if f.onDisk {
		if err := keepBackup(f.path, f.path+".bak", f.saved, f.writeFile); err != nil {
			return false, fmt.Errorf("keep backup: %w", err)
		}
	}
	if err := f.writeFile(f.path, data); err != nil {
		return false, err
	}
	f.saved = data
	f.onDisk = true
	return true, nil
}

// encode renders the document for people too: indented, one member a line.
func (f *File[T]) encode(v *T) ([]byte, error) {
	var raw []byte
	var err error
	if m, ok := any(v).(json.Marshaler); ok {
		raw, err = m.MarshalJSON() // direct: json.Marshal would re-scan the output once more
	} else {
		raw, err = json.Marshal(v)
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(raw) + len(raw)/4)
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// batchWriter saves Touch changes, at most once per f.every, and retries
// failed writes with a growing pause.
func (f *File[T]) batchWriter() {
	defer close(f.exited)
	retry := f.every
	for {
		select {
		case <-f.kick:
		case <-f.done:
			return
		}
		f.wait(time.Until(f.lastWriteAtomic().Add(f.every)))
		if f.isDone() {
			return
		}
		if fn := f.beforeBatch.Load(); fn != nil {
			(*fn)()
		}
		f.mu.RLock()
		gen := f.gen
		f.mu.RUnlock()
		if err := f.flushTo(context.Background(), gen); err != nil {
			// flushTo has logged and re-armed the kick; back off before the
			// next attempt so a full disk is not hammered.
			f.wait(retry)
			retry = min(retry*2, time.Minute)
			continue
		}
		retry = f.every
	}
}

func (f *File[T]) lastWriteAtomic() time.Time {
	f.writeSem <- struct{}{}
	defer func() { <-f.writeSem }()
	return f.lastWrite
}

func (f *File[T]) wait(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-f.done:
	}
}

func (f *File[T]) isDone() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}
