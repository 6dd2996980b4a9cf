package secrets

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// fakeBackend is an in-memory keychain with the failure modes of real ones:
// a size limit (Windows rejects blobs over 2,560 bytes), calls that hang
// (a locked Secret Service waiting on a prompt) and injected errors. It also
// records every call so tests can check the write order.
type fakeBackend struct {
	limit int // max len(pass); 0 means no limit

	mu    sync.Mutex
	items map[string]string // user -> pass (one service per fake)
	log   []string          // "get user", "set user", "delete user"
	// fail, if set, is consulted before every call; a non-nil error is
	// returned instead of doing the call.
	fail func(op, user, pass string) error

	// block, if non-nil, makes every call wait until it is closed.
	block chan struct{}
	calls atomic.Int32
}

var errTooBig = errors.New("fake: data passed to Set was too big")

func newFake() *fakeBackend { return &fakeBackend{items: map[string]string{}} }

func (f *fakeBackend) enter(op, user, pass string) error {
	f.calls.Add(1)
	f.mu.Lock()
	block, fail := f.block, f.fail
	f.log = append(f.log, op+" "+user)
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	if fail != nil {
		return fail(op, user, pass)
	}
	return nil
}

func (f *fakeBackend) Get(_, user string) (string, error) {
	if err := f.enter("get", user, ""); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[user]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(_, user, pass string) error {
	if err := f.enter("set", user, pass); err != nil {
		return err
	}
	if f.limit > 0 && len(pass) > f.limit {
		return fmt.Errorf("%w: %d bytes, the limit is %d", errTooBig, len(pass), f.limit)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[user] = pass
	return nil
}

func (f *fakeBackend) Delete(_, user string) error {
	if err := f.enter("delete", user, ""); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[user]; !ok {
		return ErrNotFound
	}
	delete(f.items, user)
	return nil
}

func (f *fakeBackend) setFail(fn func(op, user, pass string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

// users lists the stored item names, sorted.
func (f *fakeBackend) users() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.items))
}

func (f *fakeBackend) raw(user string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.items[user]
	return v, ok
}

func (f *fakeBackend) put(user, pass string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[user] = pass
}

func (f *fakeBackend) remove(user string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.items, user)
}

func (f *fakeBackend) takeLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

// chunkItems returns the names of key's chunk items (any generation), sorted.
func (f *fakeBackend) chunkItems(key string) []string {
	var out []string
	for _, u := range f.users() {
		if strings.HasPrefix(u, key+chunkSep) {
			out = append(out, u)
		}
	}
	return out
}
