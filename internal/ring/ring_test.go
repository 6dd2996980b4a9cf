package ring

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type rec struct {
	seq  int64
	name string
}

func push(r *Ring[rec], name string) rec {
	return r.Push(func(seq int64) rec { return rec{seq, name} })
}

func names(rs []rec) []string {
	out := make([]string, len(rs))
	for i, x := range rs {
		out[i] = x.name
	}
	return out
}

func TestPushNumbersInOrder(t *testing.T) {
	r := New[rec](3)
	assert.Equal(t, rec{1, "a"}, push(r, "a"))
	assert.Equal(t, rec{2, "b"}, push(r, "b"))
	assert.Equal(t, []string{"a", "b"}, names(r.Since(0)))
	assert.Equal(t, []string{"b"}, names(r.Since(1)))
	assert.Empty(t, r.Since(2))
	assert.Equal(t, 2, r.Len())
}

func TestWrapAroundKeepsNewestOldestFirst(t *testing.T) {
	r := New[rec](3)
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		push(r, n)
	}
	assert.Equal(t, 3, r.Len())
	got := r.Since(0)
	assert.Equal(t, []string{"e", "f", "g"}, names(got))
	assert.Equal(t, []int64{5, 6, 7}, []int64{got[0].seq, got[1].seq, got[2].seq})
	assert.Equal(t, []string{"g"}, names(r.Since(6)))
	// A reader far behind gets what is left, not an error.
	assert.Equal(t, []string{"e", "f", "g"}, names(r.Since(2)))
}

func TestSizeBelowOneKeepsOne(t *testing.T) {
	r := New[rec](0)
	push(r, "a")
	push(r, "b")
	assert.Equal(t, []string{"b"}, names(r.Since(0)))
}

func TestSinceReturnsACopy(t *testing.T) {
	r := New[rec](2)
	push(r, "a")
	push(r, "b")
	snap := r.Since(0)
	snap[0].name = "changed"
	push(r, "c") // overwrites the slot "a" was in
	assert.Equal(t, []string{"changed", "b"}, names(snap), "the snapshot must not follow the ring")
	assert.Equal(t, []string{"b", "c"}, names(r.Since(0)), "changing the snapshot must not reach the ring")
}

// Run with -race: pushers and readers at once, and every value is numbered
// once, in order, with nothing lost from what the ring keeps.
func TestConcurrentPushAndRead(t *testing.T) {
	const writers, each, size = 8, 500, 64
	r := New[rec](size)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			var last int64
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, x := range r.Since(last) {
					if x.seq <= last {
						t.Errorf("seq %d after %d", x.seq, last)
						return
					}
					last = x.seq
				}
			}
		}()
	}
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				push(r, "x")
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	got := r.Since(0)
	require.Len(t, got, size)
	for i, x := range got {
		assert.Equal(t, int64(writers*each-size+1+i), x.seq)
	}
}
