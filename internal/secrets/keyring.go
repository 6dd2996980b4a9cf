package secrets

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds each keychain call unless WithTimeout says otherwise.
// A healthy keychain answers in milliseconds (macOS spawns a process, still
// well under a second); ten seconds leaves room for a slow machine while a
// person is still waiting for the window to react.
const DefaultTimeout = 10 * time.Second

// Keyring is the production Store: the OS keychain through go-keyring, with
// service = the service name and user = the key (or a chunk item name).
//
// Set writes a value that does not fit one item (chunkSize) in this order:
//
//  1. the chunks, under names that carry a fresh generation id, so the
//     chunks the current manifest points to are untouched;
//  2. the manifest (chunk count, generation, size, SHA-256 of the value)
//     under the key itself, which is the moment the new value takes effect;
//  3. deletion of the previous generation's chunks, if any.
//
// An interruption before step 2 leaves the old value readable and, at
// worst, unreferenced chunks behind; one after step 2 leaves the new value
// readable. Get verifies count, size and checksum and returns ErrCorrupt for
// a set that is not whole. Delete removes the manifest first and the chunks
// second, so an interrupted Delete never leaves something that reads as a
// partial value.
//
// A Keyring runs one operation at a time (see the package doc) and is safe
// for concurrent use.
type Keyring struct {
	service   string
	timeout   time.Duration
	backend   backend
	chunkSize int

	// ops serializes Get/Set/Delete, so a chunked value is never read while
	// it is being replaced and two Sets of one key cannot orphan each
	// other's chunks. A channel rather than a mutex, so waiting for it
	// honours the caller's context.
	ops chan struct{}
	// inflight is held by the goroutine that runs a backend call until that
	// call really returns, which may be long after Keyring gave up on it.
	// While a call hangs (a locked keychain waiting on a prompt), later calls
	// fail with ErrTimeout here (see acquire) instead of each stranding
	// another goroutine on another prompt.
	inflight chan struct{}
	// started is when the call holding inflight began (Unix nanoseconds).
	started atomic.Int64
}

var _ Store = (*Keyring)(nil)

// Option configures a Keyring.
type Option func(*Keyring)

// WithTimeout sets how long each keychain call may take (default
// DefaultTimeout). A context deadline that is sooner wins. Values <= 0 keep
// the default.
func WithTimeout(d time.Duration) Option {
	return func(k *Keyring) {
		if d > 0 {
			k.timeout = d
		}
	}
}

// NewKeyring returns a Store backed by the OS keychain. service is "kirodesk"
// in production; tests use their own service so they never touch the app's
// items. It panics if service is not a valid key-like name, because that is
// a programming error and go-keyring treats an empty service specially.
func NewKeyring(service string, opts ...Option) *Keyring {
	return newKeyring(service, goKeyring{}, opts...)
}

func newKeyring(service string, b backend, opts ...Option) *Keyring {
	if err := validateKey(service); err != nil {
		panic(fmt.Sprintf("secrets: NewKeyring: bad service name: %v", err))
	}
	k := &Keyring{
		service:   service,
		timeout:   DefaultTimeout,
		backend:   b,
		chunkSize: chunkSize,
		ops:       make(chan struct{}, 1),
		inflight:  make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(k)
	}
	return k
}

// Get implements Store.
func (k *Keyring) Get(ctx context.Context, key string) (Secret, error) {
	const op = "get"
	if err := checkCall(ctx, op, key); err != nil {
		return Secret{}, err
	}
	unlock, err := k.lock(ctx, op, key)
	if err != nil {
		return Secret{}, err
	}
	defer unlock()

	raw, err := k.get(ctx, key)
	if err != nil {
		return Secret{}, opErr(op, key, err)
	}
	h, err := parseHeader(raw)
	if err != nil {
		return Secret{}, opErr(op, key, err)
	}
	if h.chunked == nil {
		return New(h.inline), nil
	}
	v, err := k.readChunks(ctx, key, *h.chunked)
	if err != nil {
		return Secret{}, opErr(op, key, err)
	}
	return New(v), nil
}

func (k *Keyring) readChunks(ctx context.Context, key string, m manifest) (string, error) {
	var b strings.Builder
	b.Grow(m.Size)
	for i := range m.Chunks {
		c, err := k.get(ctx, chunkUser(key, m.Gen, i))
		if errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("%w: chunk %d of %d is missing (a write was interrupted or the item was changed outside Kirodesk); store the secret again",
				ErrCorrupt, i+1, m.Chunks)
		}
		if err != nil {
			return "", err
		}
		if b.Len()+len(c) > m.Size {
			break // the checksum test below reports it
		}
		b.WriteString(c)
	}
	v := b.String()
	if len(v) != m.Size || checksum(v) != m.SHA256 {
		return "", fmt.Errorf("%w: the chunks do not match the manifest's size and checksum (a write was interrupted or the item was changed outside Kirodesk); store the secret again",
			ErrCorrupt)
	}
	return v, nil
}

// Set implements Store.
func (k *Keyring) Set(ctx context.Context, key string, value Secret) error {
	const op = "set"
	if err := checkCall(ctx, op, key); err != nil {
		return err
	}
	v := value.Reveal()
	if len(v) > maxValueLen {
		return fmt.Errorf("secrets: set %q: the secret is %d bytes, the limit is %d", key, len(v), maxValueLen)
	}
	unlock, err := k.lock(ctx, op, key)
	if err != nil {
		return err
	}
	defer unlock()

	// Learn the current generation first, so its chunks can be removed once
	// the new value has taken effect. A header that does not parse has no
	// chunks we can find; it is simply overwritten.
	var prev *manifest
	raw, err := k.get(ctx, key)
	switch {
	case err == nil:
		if h, perr := parseHeader(raw); perr == nil {
			prev = h.chunked
		}
	case errors.Is(err, ErrNotFound):
	default:
		return opErr(op, key, err)
	}

	if len(inlinePrefix)+len(v) <= k.chunkSize {
		if err := k.set(ctx, key, encodeInline(v), v); err != nil {
			return opErr(op, key, err)
		}
	} else if err := k.setChunked(ctx, key, v); err != nil {
		return opErr(op, key, err)
	}

	if prev != nil {
		// Best effort: the new value is committed, so failing Set now would
		// tell the caller the old value is still in place when it is not.
		// Chunks left behind are unreferenced and never read.
		_ = k.deleteChunks(context.WithoutCancel(ctx), key, *prev)
	}
	return nil
}

func (k *Keyring) setChunked(ctx context.Context, key, v string) error {
	pieces := split(v, k.chunkSize)
	m := manifest{Chunks: len(pieces), Gen: newGen(), Size: len(v), SHA256: checksum(v)}
	if m.Chunks > maxChunks {
		return fmt.Errorf("the secret needs %d chunks, the limit is %d", m.Chunks, maxChunks)
	}
	// Cleanup runs without the caller's cancellation (each call still has
	// its timeout), so a cancelled Set does not strand chunks it could have
	// removed.
	cleanup := func(upTo int) {
		_ = k.deleteChunks(context.WithoutCancel(ctx), key, manifest{Chunks: upTo, Gen: m.Gen})
	}
	for i, p := range pieces {
		if err := k.set(ctx, chunkUser(key, m.Gen, i), p, p); err != nil {
			// An abandoned write may still land; leaving the chunks is
			// harmless because no manifest refers to them.
			if !abandoned(err) {
				cleanup(i + 1)
			}
			return err
		}
	}
	if err := k.set(ctx, key, encodeManifest(m), ""); err != nil {
		// An abandoned manifest write may still land later (the cleanup
		// calls would even wait for it on k.inflight), and it must then find
		// its chunks; only a definite failure allows cleanup.
		if !abandoned(err) {
			cleanup(m.Chunks)
		}
		return err
	}
	return nil
}

// Delete implements Store.
func (k *Keyring) Delete(ctx context.Context, key string) error {
	const op = "delete"
	if err := checkCall(ctx, op, key); err != nil {
		return err
	}
	unlock, err := k.lock(ctx, op, key)
	if err != nil {
		return err
	}
	defer unlock()

	raw, err := k.get(ctx, key)
	if err != nil {
		return opErr(op, key, err)
	}
	// A header that does not parse is still deleted: removing a corrupt item
	// is how a caller recovers from ErrCorrupt.
	h, perr := parseHeader(raw)
	if err := k.del(ctx, key); err != nil {
		return opErr(op, key, err)
	}
	if perr == nil && h.chunked != nil {
		if err := k.deleteChunks(context.WithoutCancel(ctx), key, *h.chunked); err != nil {
			// Unlike Set, report it: the caller asked for the secret to be
			// gone and some of it is still in the keychain.
			return opErr(op, key, fmt.Errorf("the secret no longer reads, but some of its chunk items could not be removed: %w", err))
		}
	}
	return nil
}

// deleteChunks removes chunks 0..m.Chunks-1 of generation m.Gen. Missing
// chunks are fine (an earlier attempt may have removed them). It stops at the
// first timeout, since every further call would wait for the same hung one.
func (k *Keyring) deleteChunks(ctx context.Context, key string, m manifest) error {
	var errs []error
	for i := range m.Chunks {
		err := k.del(ctx, chunkUser(key, m.Gen, i))
		if err == nil || errors.Is(err, ErrNotFound) {
			continue
		}
		errs = append(errs, fmt.Errorf("chunk %d of %d: %w", i+1, m.Chunks, err))
		if errors.Is(err, ErrTimeout) || abandoned(err) {
			break
		}
	}
	return errors.Join(errs...)
}

func (k *Keyring) get(ctx context.Context, user string) (string, error) {
	var v string
	err := k.call(ctx, func() error {
		var err error
		v, err = k.backend.Get(k.service, user)
		return err
	})
	return v, err
}

// set writes one item. secretPart is the part of pass that is secret; if the
// keychain echoes it in an error message, the message is withheld, because
// errors end up in logs and in the UI.
func (k *Keyring) set(ctx context.Context, user, pass, secretPart string) error {
	err := k.call(ctx, func() error { return k.backend.Set(k.service, user, pass) })
	if err != nil && leaks(err.Error(), secretPart) {
		return fmt.Errorf("the keychain refused to store item %q (its error message was withheld because it contained the secret)", user)
	}
	return err
}

func (k *Keyring) del(ctx context.Context, user string) error {
	return k.call(ctx, func() error { return k.backend.Delete(k.service, user) })
}

// call runs one backend call with a deadline: the caller's, or k.timeout,
// whichever is sooner.
//
// go-keyring cannot be cancelled: on Linux a locked collection makes it call
// Prompt and wait for the Completed signal with no timeout, so with no
// prompter (or a prompt nobody sees) it blocks forever. The call therefore
// runs in its own goroutine, and when time is up call returns ErrTimeout and
// leaves that goroutine behind. It ends if the keychain ever answers (for
// example once the person unlocks it); until then it holds k.inflight, so at
// most one such goroutine exists per Keyring.
func (k *Keyring) call(ctx context.Context, fn func() error) error {
	limit := k.timeout
	if dl, ok := ctx.Deadline(); ok {
		limit = max(0, min(limit, time.Until(dl)))
	}
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	// Checked first because select picks at random among ready cases: an
	// expired context must not start a call.
	if ctx.Err() != nil {
		return ctxErr(ctx, limit, "")
	}
	if err := k.acquire(ctx, limit); err != nil {
		return err
	}

	done := make(chan error, 1) // buffered: the goroutine must not block if nobody reads
	go func() {
		err := protect(fn)
		// Release before reporting: a caller that has its answer must never
		// find the slot still taken by the call that gave it.
		<-k.inflight
		done <- err
	}()

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done: // answered just in time
			return err
		default:
		}
		return &abandonedError{ctxErr(ctx, limit, "")}
	}
}

// acquire takes k.inflight for a new call. Operations are serialized, so
// the slot can only be held by a call that an earlier operation abandoned
// (it timed out, or its caller cancelled). That call gets the rest of its
// own k.timeout to finish, since a call abandoned by a cancelled caller may
// be healthy; once it has run longer than k.timeout it counts as hung, and
// the keychain is reported as not answering straight away instead of
// making every later operation wait out another timeout behind it.
func (k *Keyring) acquire(ctx context.Context, limit time.Duration) error {
	select {
	case k.inflight <- struct{}{}:
		k.started.Store(time.Now().UnixNano())
		return nil
	default:
	}
	age := time.Since(time.Unix(0, k.started.Load()))
	grace := k.timeout - age
	if grace <= 0 {
		return hungErr(age)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case k.inflight <- struct{}{}:
		k.started.Store(time.Now().UnixNano())
		return nil
	case <-t.C:
		return hungErr(k.timeout)
	case <-ctx.Done():
		return ctxErr(ctx, limit, "an earlier keychain request is still waiting for an answer; ")
	}
}

// protect runs fn, turning a panic into an error. A panic in the call's
// goroutine would otherwise kill the whole app; go-keyring has unchecked
// type assertions on D-Bus replies.
func protect(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the keychain library panicked: %v", r)
		}
	}()
	return fn()
}

func hungErr(age time.Duration) error {
	return &timeoutError{msg: fmt.Sprintf(
		"the keychain has not answered an earlier request for %s: it may be locked and waiting for a password prompt; unlock it%s and try again",
		roundLimit(age), unlockHint())}
}

// abandonedError marks a call that was started and then given up on (timeout
// or cancellation): unlike any other error, it does not say whether the
// keychain did the work. Its message is the wrapped error's.
type abandonedError struct{ err error }

func (e *abandonedError) Error() string { return e.err.Error() }
func (e *abandonedError) Unwrap() error { return e.err }

// abandoned reports whether err comes from a call whose outcome is unknown.
func abandoned(err error) bool {
	var a *abandonedError
	return errors.As(err, &a)
}

// ctxErr explains why a call's context ended: cancellation by the caller is
// passed through; a deadline becomes ErrTimeout with advice.
func ctxErr(ctx context.Context, limit time.Duration, detail string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("keychain request cancelled: %w", ctx.Err())
	}
	return &timeoutError{msg: fmt.Sprintf(
		"the keychain did not answer within %s: %sit may be locked and waiting for a password prompt; unlock it%s and try again",
		roundLimit(limit), detail, unlockHint())}
}

// lock takes k.ops, honouring ctx.
func (k *Keyring) lock(ctx context.Context, op, key string) (unlock func(), err error) {
	select {
	case k.ops <- struct{}{}:
		return func() { <-k.ops }, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, opErr(op, key, ctx.Err())
		}
		return nil, opErr(op, key, &timeoutError{msg: "the keychain did not answer in time: another keychain operation is still running"})
	}
}

// timeoutError is both ErrTimeout and context.DeadlineExceeded, so callers
// may test for either.
type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }

func (e *timeoutError) Is(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded
}

func opErr(op, key string, err error) error {
	return fmt.Errorf("secrets: %s %q: %w", op, key, err)
}

// roundLimit makes a duration readable in a message ("10s", "2.5s",
// "150ms") without hiding a very short one.
func roundLimit(d time.Duration) time.Duration {
	step := 10 * time.Millisecond
	if d >= time.Second {
		step = 100 * time.Millisecond
	}
	if r := d.Round(step); r > 0 {
		return r
	}
	return d
}

// unlockHint names the tool a person would use to unlock the keychain.
func unlockHint() string {
	switch runtime.GOOS {
	case "darwin":
		return " (for example with Keychain Access)"
	case "windows":
		return ""
	}
	return " (for example with Seahorse, \"Passwords and Keys\")"
}

// leaks reports whether msg contains secret, or its first 16 bytes (a
// truncated echo).
func leaks(msg, secret string) bool {
	if secret == "" {
		return false
	}
	if strings.Contains(msg, secret) {
		return true
	}
	return len(secret) >= 16 && strings.Contains(msg, secret[:16])
}
