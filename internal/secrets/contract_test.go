package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/testenv"
)

// testStoreContract checks the Store contract. The real keychain, the
// Keyring over a fake backend and the in-memory twin all run it, so code
// tested against Memory behaves the same in the app.
func testStoreContract(t *testing.T, s Store) {
	run := uniqueSuffix()
	// key returns a per-run key and removes it when the subtest ends. The
	// cleanup uses a fresh context: t.Context() is already cancelled then.
	key := func(t *testing.T, name string) string {
		k := "contract-" + run + "-" + name
		t.Cleanup(func() { _ = s.Delete(context.Background(), k) })
		return k
	}
	set := func(t *testing.T, k, v string) {
		t.Helper()
		require.NoError(t, s.Set(t.Context(), k, New(v)))
	}
	requireValue := func(t *testing.T, k, want string) {
		t.Helper()
		got, err := s.Get(t.Context(), k)
		require.NoError(t, err)
		// Compare lengths first: a 10 KB diff is unreadable.
		require.Equal(t, len(want), len(got.Reveal()), "length of %s", k)
		require.True(t, want == got.Reveal(), "value of %s differs", k)
	}

	t.Run("RoundTrip", func(t *testing.T) {
		k := key(t, "roundtrip")
		set(t, k, "refresh-token-1")
		requireValue(t, k, "refresh-token-1")
	})

	t.Run("Overwrite", func(t *testing.T) {
		k := key(t, "overwrite")
		set(t, k, "old")
		set(t, k, "new")
		requireValue(t, k, "new")
	})

	t.Run("EmptyValue", func(t *testing.T) {
		k := key(t, "empty")
		set(t, k, "")
		got, err := s.Get(t.Context(), k)
		require.NoError(t, err)
		assert.True(t, got.IsZero())
	})

	t.Run("GetMissing", func(t *testing.T) {
		_, err := s.Get(t.Context(), key(t, "never-set"))
		require.ErrorIs(t, err, ErrNotFound)
	})

	t.Run("DeleteMissing", func(t *testing.T) {
		err := s.Delete(t.Context(), key(t, "never-set-either"))
		require.ErrorIs(t, err, ErrNotFound)
	})

	t.Run("Delete", func(t *testing.T) {
		k := key(t, "delete")
		set(t, k, "short")
		require.NoError(t, s.Delete(t.Context(), k))
		_, err := s.Get(t.Context(), k)
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorIs(t, s.Delete(t.Context(), k), ErrNotFound, "second delete")
	})

	t.Run("Large", func(t *testing.T) {
		k := key(t, "large")
		v := tokenLike(10 << 10)
		set(t, k, v)
		requireValue(t, k, v)
	})

	// The overwrite cases check, where the store has keychain items, that
	// the items of the previous value are gone afterwards.
	overwrites := []struct {
		name          string
		first, second string
	}{
		{"LargeWithShort", tokenLike(10 << 10), "short"},
		{"ShortWithLarge", "short", tokenLike(10 << 10)},
		{"LargeWithLarge", tokenLike(10 << 10), tokenLike(7000)},
		{"LargeWithSameLarge", strings.Repeat("x", 9000), strings.Repeat("x", 9000)},
	}
	for _, tc := range overwrites {
		t.Run("Overwrite"+tc.name, func(t *testing.T) {
			k := key(t, "ow-"+strings.ToLower(tc.name))
			set(t, k, tc.first)
			before := storedItems(t, s, k)
			set(t, k, tc.second)
			requireValue(t, k, tc.second)
			requireGoneExcept(t, s, before, storedItems(t, s, k))
		})
	}

	t.Run("DeleteChunked", func(t *testing.T) {
		k := key(t, "delete-chunked")
		set(t, k, tokenLike(10<<10))
		items := storedItems(t, s, k)
		require.NoError(t, s.Delete(t.Context(), k))
		_, err := s.Get(t.Context(), k)
		require.ErrorIs(t, err, ErrNotFound)
		requireGoneExcept(t, s, items, nil)
	})

	t.Run("Unicode", func(t *testing.T) {
		values := []struct{ name, v string }{
			{"latin", "pässwörd-ünïcödé"},
			{"cjk-emoji", "密码🔑🗝️ токен"},
			{"whitespace", "line1\nline2\r\n\ttab "},
			// 1 ASCII byte, then runs of 2-, 3- and 4-byte runes: chunk
			// boundaries fall inside runes unless the split avoids them.
			{"multibyte-chunked", "a" + strings.Repeat("é€🔑", 1200)},
		}
		for _, tc := range values {
			t.Run(tc.name, func(t *testing.T) {
				k := key(t, "unicode-"+tc.name)
				set(t, k, tc.v)
				requireValue(t, k, tc.v)
			})
		}
	})

	// A stored value must read back as itself even if it looks like this
	// package's own header format.
	t.Run("HeaderLookalikes", func(t *testing.T) {
		values := []string{
			encodeManifest(manifest{Chunks: 3, Gen: "0123456789abcdef", Size: 10, SHA256: strings.Repeat("0", 64)}),
			encodeInline("x"),
			inlinePrefix,
			chunkedPrefix,
			chunkedPrefix + "{}",
		}
		for i, v := range values {
			k := key(t, fmt.Sprintf("lookalike-%d", i))
			set(t, k, v)
			requireValue(t, k, v)
		}
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		bad := []struct{ name, key string }{
			{"empty", ""},
			{"chunk-separator", "acct#1"},
			{"looks-like-chunk", "acct#0123456789abcdef#0"},
			{"space", "acct 1"},
			{"slash", "acct/1"},
			{"non-ascii", "äcct"},
			{"nul", "acct\x00"},
			{"newline", "acct\n"},
			{"too-long", strings.Repeat("a", maxKeyLen+1)},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				ctx := t.Context()
				_, err := s.Get(ctx, tc.key)
				require.ErrorIs(t, err, ErrInvalidKey)
				require.ErrorIs(t, s.Set(ctx, tc.key, New("v")), ErrInvalidKey)
				require.ErrorIs(t, s.Delete(ctx, tc.key), ErrInvalidKey)
			})
		}
		t.Run("edges-are-valid", func(t *testing.T) {
			longest := strings.Repeat("k", maxKeyLen-len(run)) + run
			t.Cleanup(func() { _ = s.Delete(context.Background(), longest) })
			for _, k := range []string{key(t, "A.b_c-d@e:f"), longest} {
				set(t, k, "v")
				requireValue(t, k, "v")
			}
		})
	})

	t.Run("CancelledContext", func(t *testing.T) {
		k := key(t, "cancelled")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		require.ErrorIs(t, s.Set(ctx, k, New("v")), context.Canceled)
		_, err := s.Get(ctx, k)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, s.Delete(ctx, k), context.Canceled)
		_, err = s.Get(t.Context(), k)
		require.ErrorIs(t, err, ErrNotFound, "a cancelled Set must not store")
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Several goroutines replace one key with short and chunked values
		// while others read it. Every read must see one complete value.
		k := key(t, "concurrent")
		values := []string{"short-1", tokenLike(5000), "short-2", tokenLike(4500)}
		set(t, k, values[0])
		valid := map[string]bool{}
		for _, v := range values {
			valid[v] = true
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 4 {
			wg.Go(func() {
				for j := range 3 {
					if err := s.Set(t.Context(), k, New(values[(i+j)%len(values)])); err != nil {
						errs <- err
					}
				}
			})
			wg.Go(func() {
				for range 3 {
					got, err := s.Get(t.Context(), k)
					if err != nil {
						errs <- err
					} else if !valid[got.Reveal()] {
						errs <- errors.New("read a value that was never written")
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got, err := s.Get(t.Context(), k)
		require.NoError(t, err)
		require.True(t, valid[got.Reveal()])
	})
}

// storedItems returns the keychain items that hold key's current value (the
// header and its chunks) for a Keyring, read straight from its backend, and
// nil for stores without items.
func storedItems(t *testing.T, s Store, key string) []string {
	t.Helper()
	k, ok := s.(*Keyring)
	if !ok {
		return nil
	}
	raw, err := k.backend.Get(k.service, key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	require.NoError(t, err)
	h, err := parseHeader(raw)
	require.NoError(t, err)
	items := []string{key}
	if m := h.chunked; m != nil {
		for i := range m.Chunks {
			items = append(items, chunkUser(key, m.Gen, i))
		}
	}
	return items
}

// requireGoneExcept checks that each of the items, unless it is in keep, no
// longer exists in the Keyring's backend: no stale chunks are left behind.
func requireGoneExcept(t *testing.T, s Store, items, keep []string) {
	t.Helper()
	k, ok := s.(*Keyring)
	if !ok {
		return
	}
	kept := map[string]bool{}
	for _, u := range keep {
		kept[u] = true
	}
	for _, u := range items {
		if kept[u] {
			continue
		}
		_, err := k.backend.Get(k.service, u)
		require.ErrorIs(t, err, ErrNotFound, "stale item %s left in the keychain", u)
	}
}

func TestMemoryContract(t *testing.T) {
	testStoreContract(t, NewMemory())
}

// TestKeyringContractFake runs the contract over a backend with the Windows
// credential size limit, then checks that nothing at all is left behind.
func TestKeyringContractFake(t *testing.T) {
	fake := newFake()
	fake.limit = 2560
	testStoreContract(t, newKeyring(testService, fake))
	assert.Empty(t, fake.users(), "items left after every test deleted its keys")
}

// TestKeyringContract runs the contract against the real keychain (on Linux:
// gnome-keyring over D-Bus), then checks that a second Keyring on the same
// service reads what the first wrote, as the app does after a restart.
func TestKeyringContract(t *testing.T) {
	testenv.RequireKeychain(t)
	testStoreContract(t, NewKeyring(testService))

	t.Run("Reopen", func(t *testing.T) {
		k := "reopen-" + uniqueSuffix()
		v := tokenLike(6000)
		first := NewKeyring(testService)
		require.NoError(t, first.Set(t.Context(), k, New(v)))
		t.Cleanup(func() { _ = first.Delete(context.Background(), k) })

		got, err := NewKeyring(testService).Get(t.Context(), k)
		require.NoError(t, err)
		require.True(t, v == got.Reveal())
	})
}
