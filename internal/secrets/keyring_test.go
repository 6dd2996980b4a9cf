package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// windowsBlobLimit is CRED_MAX_CREDENTIAL_BLOB_SIZE, the limit go-keyring
// enforces on Windows.
const windowsBlobLimit = 2560

func TestKeyringWindowsLimit(t *testing.T) {
	fake := newFake()
	fake.limit = windowsBlobLimit
	k := newKeyring(testService, fake)
	v := tokenLike(10 << 10)

	// The fake must really enforce the limit, or this test proves nothing.
	require.ErrorIs(t, fake.Set(testService, "direct", v), errTooBig)

	require.NoError(t, k.Set(t.Context(), "acct", New(v)))
	got, err := k.Get(t.Context(), "acct")
	require.NoError(t, err)
	require.True(t, v == got.Reveal())

	users := fake.users()
	assert.Len(t, users, 1+6, "a manifest and ceil(10240/2000) chunks")
	for _, u := range users {
		raw, _ := fake.raw(u)
		assert.LessOrEqual(t, len(raw), windowsBlobLimit, "item %s", u)
	}
}

// TestChunkFitsMacOSCommand rebuilds the command go-keyring pipes to
// /usr/bin/security on macOS for the largest item this package writes (a
// full chunk under the longest chunk name, or a full inline header under the
// longest key) and checks it stays within the 4,096 bytes security accepts.
func TestChunkFitsMacOSCommand(t *testing.T) {
	const securityLineLimit = 4096
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }
	base64Len := func(n int) int { return (n + 2) / 3 * 4 }

	longestKey := strings.Repeat("k", maxKeyLen)
	longestChunk := chunkUser(longestKey, strings.Repeat("f", genLen), maxChunks-1)
	for _, user := range []string{longestKey, longestChunk} {
		pw := "go-keyring-base64:" + strings.Repeat("A", base64Len(chunkSize))
		cmd := fmt.Sprintf("add-generic-password -U -s %s -a %s -w %s\n", quote("kirodesk"), quote(user), quote(pw))
		assert.LessOrEqual(t, len(cmd), securityLineLimit, "command for %s", user)
	}
	assert.LessOrEqual(t, chunkSize, windowsBlobLimit)
}

func TestKeyringMissingChunkIsCorrupt(t *testing.T) {
	fake := newFake()
	k := newKeyring(testService, fake)
	v := tokenLike(10 << 10)
	require.NoError(t, k.Set(t.Context(), "acct", New(v)))

	h := manifestOf(t, fake, "acct")
	fake.remove(chunkUser("acct", h.Gen, 2))

	_, err := k.Get(t.Context(), "acct")
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "chunk 3 of 6 is missing")
	requireNoSecretIn(t, err.Error(), v)

	// Setting the key again repairs it and removes what is left of the old set.
	require.NoError(t, k.Set(t.Context(), "acct", New("fresh")))
	got, err := k.Get(t.Context(), "acct")
	require.NoError(t, err)
	assert.Equal(t, "fresh", got.Reveal())
	assert.Equal(t, []string{"acct"}, fake.users())
}

func TestKeyringChecksumMismatchIsCorrupt(t *testing.T) {
	tamper := []struct {
		name string
		edit func(chunk string) string
	}{
		{"same-length", func(c string) string { return "X" + c[1:] }},
		{"shorter", func(c string) string { return c[:len(c)-1] }},
		{"longer", func(c string) string { return c + "X" }},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			k := newKeyring(testService, fake)
			v := tokenLike(10 << 10)
			require.NoError(t, k.Set(t.Context(), "acct", New(v)))

			user := chunkUser("acct", manifestOf(t, fake, "acct").Gen, 1)
			c, _ := fake.raw(user)
			fake.put(user, tc.edit(c))

			_, err := k.Get(t.Context(), "acct")
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), "checksum")
			requireNoSecretIn(t, err.Error(), v)
		})
	}
}

func TestKeyringCorruptHeader(t *testing.T) {
	good := manifest{Chunks: 2, Gen: "0123456789abcdef", Size: 10, SHA256: strings.Repeat("a", 64)}
	headers := []struct{ name, raw string }{
		{"foreign", "hunter2-not-written-by-kirodesk"},
		{"bad-json", chunkedPrefix + "{"},
		{"zero-chunks", encodeManifest(manifest{Chunks: 0, Gen: good.Gen, Size: 0, SHA256: good.SHA256})},
		{"too-many-chunks", encodeManifest(manifest{Chunks: maxChunks + 1, Gen: good.Gen, Size: 10, SHA256: good.SHA256})},
		{"negative-size", encodeManifest(manifest{Chunks: 2, Gen: good.Gen, Size: -1, SHA256: good.SHA256})},
		{"path-in-gen", encodeManifest(manifest{Chunks: 2, Gen: "../../../etc/pw", Size: 10, SHA256: good.SHA256})},
		{"short-checksum", encodeManifest(manifest{Chunks: 2, Gen: good.Gen, Size: 10, SHA256: "abc"})},
	}
	for _, tc := range headers {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			fake.put("acct", tc.raw)
			k := newKeyring(testService, fake)

			_, err := k.Get(t.Context(), "acct")
			require.ErrorIs(t, err, ErrCorrupt)
			assert.NotContains(t, err.Error(), "hunter2")

			// A corrupt item can be replaced, and deleted.
			require.NoError(t, k.Set(t.Context(), "acct", New("v")))
			fake.put("acct", tc.raw)
			require.NoError(t, k.Delete(t.Context(), "acct"))
			assert.Empty(t, fake.users())
		})
	}
}

// TestKeyringWriteOrder pins the order that makes interrupted writes safe:
// new chunks, then the manifest, then the old chunks' removal; and for
// Delete, the manifest before the chunks.
func TestKeyringWriteOrder(t *testing.T) {
	fake := newFake()
	k := newKeyring(testService, fake)
	require.NoError(t, k.Set(t.Context(), "acct", New(tokenLike(5000))))
	old := manifestOf(t, fake, "acct")
	fake.takeLog()

	require.NoError(t, k.Set(t.Context(), "acct", New(tokenLike(4500))))
	cur := manifestOf(t, fake, "acct")
	require.NotEqual(t, old.Gen, cur.Gen, "each Set uses a fresh generation")
	assert.Equal(t, []string{
		"get acct",
		"set " + chunkUser("acct", cur.Gen, 0),
		"set " + chunkUser("acct", cur.Gen, 1),
		"set " + chunkUser("acct", cur.Gen, 2),
		"set acct",
		"delete " + chunkUser("acct", old.Gen, 0),
		"delete " + chunkUser("acct", old.Gen, 1),
		"delete " + chunkUser("acct", old.Gen, 2),
	}, fake.takeLog())

	require.NoError(t, k.Delete(t.Context(), "acct"))
	assert.Equal(t, []string{
		"get acct",
		"delete acct",
		"delete " + chunkUser("acct", cur.Gen, 0),
		"delete " + chunkUser("acct", cur.Gen, 1),
		"delete " + chunkUser("acct", cur.Gen, 2),
	}, fake.takeLog())
	assert.Empty(t, fake.users())
}

// TestKeyringInterruptedSetKeepsOldValue fails the keychain in the middle of
// writing a chunked value: the previous value must still read back whole, and
// the new generation's chunks must be removed.
func TestKeyringInterruptedSetKeepsOldValue(t *testing.T) {
	failAt := []struct {
		name string
		// fails reports whether the call should fail.
		fails func(op, user string) bool
	}{
		{"third-chunk", func(op, user string) bool { return op == "set" && strings.HasSuffix(user, chunkSep+"2") }},
		{"manifest", func(op, user string) bool { return op == "set" && user == "acct" }},
	}
	olds := []struct{ name, v string }{
		{"short", "old-short"},
		{"chunked", tokenLike(6000)},
	}
	for _, fa := range failAt {
		for _, old := range olds {
			t.Run(fa.name+"/old-"+old.name, func(t *testing.T) {
				fake := newFake()
				k := newKeyring(testService, fake)
				require.NoError(t, k.Set(t.Context(), "acct", New(old.v)))
				before := fake.users()

				var armed sync.Once
				fake.setFail(func(op, user, _ string) error {
					var err error
					if fa.fails(op, user) {
						armed.Do(func() { err = errors.New("fake: keychain went away") })
					}
					return err
				})
				newV := tokenLike(10 << 10)
				err := k.Set(t.Context(), "acct", New(newV))
				require.Error(t, err)
				assert.Contains(t, err.Error(), "keychain went away")
				requireNoSecretIn(t, err.Error(), newV)
				fake.setFail(nil)

				got, err := k.Get(t.Context(), "acct")
				require.NoError(t, err)
				require.True(t, old.v == got.Reveal(), "the old value must survive")
				assert.Equal(t, before, fake.users(), "the new chunks must be cleaned up")
			})
		}
	}
}

// TestKeyringAbandonedManifestWriteKeepsChunks: when Set gives up on the
// manifest write (timeout or cancellation), that write may still complete
// later. Set must then not have removed the chunks the manifest points to.
func TestKeyringAbandonedManifestWriteKeepsChunks(t *testing.T) {
	cases := []struct {
		name    string
		timeout time.Duration
		ctx     func(t *testing.T) context.Context
		wantErr error
	}{
		{"timeout", 100 * time.Millisecond, func(t *testing.T) context.Context { return t.Context() }, ErrTimeout},
		{"cancel", time.Hour, func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx
		}, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			k := newKeyring(testService, fake, WithTimeout(tc.timeout))
			release := make(chan struct{})
			fake.setFail(func(op, user, _ string) error {
				if op == "set" && user == "acct" {
					<-release // the manifest write hangs, then lands
				}
				return nil
			})
			v := tokenLike(10 << 10)
			err := k.Set(tc.ctx(t), "acct", New(v))
			require.ErrorIs(t, err, tc.wantErr)
			close(release)

			require.Eventually(t, func() bool {
				got, err := k.Get(t.Context(), "acct")
				return err == nil && got.Reveal() == v
			}, 2*time.Second, 10*time.Millisecond, "the late manifest must find its chunks")
		})
	}
}

// TestKeyringInterruptedDelete: when a chunk cannot be removed, Delete says
// so, and the value no longer reads (the manifest went first).
func TestKeyringInterruptedDelete(t *testing.T) {
	fake := newFake()
	k := newKeyring(testService, fake)
	v := tokenLike(6000)
	require.NoError(t, k.Set(t.Context(), "acct", New(v)))
	fake.setFail(func(op, user, _ string) error {
		if op == "delete" && strings.HasSuffix(user, chunkSep+"1") {
			return errors.New("fake: access denied")
		}
		return nil
	})
	err := k.Delete(t.Context(), "acct")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not be removed")
	assert.Contains(t, err.Error(), "chunk 2 of 3")
	requireNoSecretIn(t, err.Error(), v)

	_, err = k.Get(t.Context(), "acct")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestKeyringHangingBackendTimesOut(t *testing.T) {
	ops := []struct {
		name string
		do   func(ctx context.Context, k *Keyring) error
	}{
		{"Get", func(ctx context.Context, k *Keyring) error { _, err := k.Get(ctx, "acct"); return err }},
		{"Set", func(ctx context.Context, k *Keyring) error { return k.Set(ctx, "acct", New("v")) }},
		{"Delete", func(ctx context.Context, k *Keyring) error { return k.Delete(ctx, "acct") }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			fake := newFake()
			fake.block = make(chan struct{})
			k := newKeyring(testService, fake, WithTimeout(100*time.Millisecond))

			start := time.Now()
			err := op.do(t.Context(), k)
			elapsed := time.Since(start)
			require.ErrorIs(t, err, ErrTimeout)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.GreaterOrEqual(t, elapsed, 100*time.Millisecond)
			assert.Less(t, elapsed, 2*time.Second)
			assert.Contains(t, err.Error(), "did not answer within 100ms")
			assert.Contains(t, err.Error(), "locked and waiting for a password prompt")

			// While the first call still hangs, a second one fails at once,
			// without piling another goroutine onto the keychain.
			calls := fake.calls.Load()
			start = time.Now()
			err = op.do(t.Context(), k)
			require.ErrorIs(t, err, ErrTimeout)
			assert.Less(t, time.Since(start), 50*time.Millisecond, "a hung keychain is reported at once")
			assert.Contains(t, err.Error(), "has not answered an earlier request")
			assert.Contains(t, err.Error(), "locked and waiting for a password prompt")
			assert.Equal(t, calls, fake.calls.Load())

			// Once the keychain answers, the Keyring works again.
			fake.mu.Lock()
			close(fake.block)
			fake.block = nil
			fake.mu.Unlock()
			require.Eventually(t, func() bool {
				_, err := k.Get(t.Context(), "acct")
				return err == nil || errors.Is(err, ErrNotFound)
			}, 2*time.Second, 10*time.Millisecond)
		})
	}
}

func TestKeyringContextDeadlineWins(t *testing.T) {
	fake := newFake()
	fake.block = make(chan struct{})
	t.Cleanup(func() { close(fake.block) })
	k := newKeyring(testService, fake, WithTimeout(time.Hour))

	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := k.Get(ctx, "acct")
	require.ErrorIs(t, err, ErrTimeout)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, err.Error(), "did not answer within 150ms")
}

// TestKeyringWaitsForCancelledCall: a call abandoned because its caller
// cancelled may be healthy, so the next operation waits for it (within the
// timeout) instead of reporting the keychain as hung.
func TestKeyringWaitsForCancelledCall(t *testing.T) {
	fake := newFake()
	release := make(chan struct{})
	fake.setFail(func(op, user, _ string) error {
		if op == "get" {
			<-release
		}
		return nil
	})
	k := newKeyring(testService, fake, WithTimeout(5*time.Second))

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := k.Get(ctx, "acct")
	require.ErrorIs(t, err, context.Canceled)

	fake.setFail(nil)
	time.AfterFunc(100*time.Millisecond, func() { close(release) })
	require.NoError(t, k.Set(t.Context(), "acct", New("v")))
}

func TestKeyringCancelWhileWaiting(t *testing.T) {
	fake := newFake()
	fake.block = make(chan struct{})
	t.Cleanup(func() { close(fake.block) })
	k := newKeyring(testService, fake, WithTimeout(time.Hour))

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := k.Get(ctx, "acct")
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrTimeout, "the caller cancelled; the keychain did not time out")
}

// TestKeyringNoSecretInErrors drives every failure path that sees a secret
// and checks that no error message carries it, even when the keychain's own
// error message echoes what it was given.
func TestKeyringNoSecretInErrors(t *testing.T) {
	short := "sk-" + tokenLike(40)
	long := tokenLike(10 << 10)
	cases := []struct {
		name  string
		value string
		setup func(f *fakeBackend)
	}{
		{"echoing-keychain-short", short, func(f *fakeBackend) {
			f.fail = func(op, _, pass string) error {
				if op == "set" {
					return fmt.Errorf("cannot store %q", pass)
				}
				return nil
			}
		}},
		{"echoing-keychain-chunk", long, func(f *fakeBackend) {
			f.fail = func(op, _, pass string) error {
				if op == "set" {
					return fmt.Errorf("cannot store %s...", pass[:min(20, len(pass))])
				}
				return nil
			}
		}},
		{"too-small-limit", long, func(f *fakeBackend) { f.limit = 100 }},
		{"hanging", long, func(f *fakeBackend) { f.block = make(chan struct{}) }},
		{"delete-fails", long, func(f *fakeBackend) {
			f.fail = func(op, _, _ string) error {
				if op == "delete" {
					return errors.New("fake: denied")
				}
				return nil
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			tc.setup(fake)
			t.Cleanup(func() {
				if fake.block != nil {
					close(fake.block)
				}
			})
			k := newKeyring(testService, fake, WithTimeout(100*time.Millisecond))
			var msgs []string
			if err := k.Set(t.Context(), "acct", New(tc.value)); err != nil {
				msgs = append(msgs, err.Error())
			}
			if _, err := k.Get(t.Context(), "acct"); err != nil {
				msgs = append(msgs, err.Error())
			}
			if err := k.Delete(t.Context(), "acct"); err != nil {
				msgs = append(msgs, err.Error())
			}
			require.NotEmpty(t, msgs, "the case must produce errors")
			for _, m := range msgs {
				requireNoSecretIn(t, m, tc.value)
			}
		})
	}
}

// TestKeyringConcurrentNoOrphans hammers one key with Sets of different
// sizes and checks that, afterwards, exactly the final value's items exist:
// concurrent Sets must not orphan each other's chunks.
func TestKeyringConcurrentNoOrphans(t *testing.T) {
	fake := newFake()
	k := newKeyring(testService, fake)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 5 {
				n := 100 + (i*j*997)%9000
				assert.NoError(t, k.Set(t.Context(), "acct", New(tokenLike(n))))
			}
		})
	}
	wg.Wait()
	want := storedItems(t, k, "acct")
	slices.Sort(want)
	assert.Equal(t, want, fake.users())
}

func TestKeyringRejectsOversizedValue(t *testing.T) {
	k := newKeyring(testService, newFake())
	err := k.Set(t.Context(), "acct", New(strings.Repeat("x", maxValueLen+1)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the limit is")
}

func TestNewKeyringRejectsBadService(t *testing.T) {
	for _, s := range []string{"", "kiro desk", "kiro#desk"} {
		assert.Panics(t, func() { NewKeyring(s) }, "service %q", s)
	}
	assert.NotPanics(t, func() { NewKeyring("kirodesk") })
}

func TestWithTimeout(t *testing.T) {
	assert.Equal(t, DefaultTimeout, NewKeyring("kirodesk").timeout)
	assert.Equal(t, time.Second, NewKeyring("kirodesk", WithTimeout(time.Second)).timeout)
	assert.Equal(t, DefaultTimeout, NewKeyring("kirodesk", WithTimeout(0)).timeout, "non-positive keeps the default")
}

// manifestOf reads and parses the manifest under key straight from the fake.
func manifestOf(t *testing.T, f *fakeBackend, key string) manifest {
	t.Helper()
	raw, ok := f.raw(key)
	require.True(t, ok, "no item %s", key)
	h, err := parseHeader(raw)
	require.NoError(t, err)
	require.NotNil(t, h.chunked, "item %s is not chunked", key)
	return *h.chunked
}
