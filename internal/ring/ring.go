// Package ring is a fixed-size, concurrency-safe buffer of the most recent
// values, each numbered in order of arrival. The Logs window's two lists
// (log lines in package logging, requests in package reqlog) keep their
// recent history in one, and page through it with Since(last seq seen).
package ring

import "sync"

// Ring keeps the last size values pushed. The zero value is not usable; call
// New. All methods are safe for concurrent use.
type Ring[T any] struct {
	mu    sync.Mutex
	items []item[T]
	next  int // where the next value goes once full
	seq   int64
	size  int
}

type item[T any] struct {
	seq int64
	v   T
}

// New returns a Ring holding at most size values (at least one).
func New[T any](size int) *Ring[T] {
	if size < 1 {
		size = 1
	}
	return &Ring[T]{size: size, items: make([]item[T], 0, min(size, 1024))}
}

// Push stores the value build returns for the next sequence number (1, 2,
// ...) and returns that value. build runs under the ring's lock, so sequence
// numbers follow the order of the values; it must not call back into the
// ring.
func (r *Ring[T]) Push(build func(seq int64) T) T {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	it := item[T]{seq: r.seq, v: build(r.seq)}
	if len(r.items) < r.size {
		r.items = append(r.items, it)
	} else {
		r.items[r.next] = it
		r.next = (r.next + 1) % r.size
	}
	return it.v
}

// Since returns, oldest first, a copy of the values whose sequence number is
// greater than after; Since(0) is everything kept.
func (r *Ring[T]) Since(after int64) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, 0, len(r.items))
	for i := range r.items {
		it := r.items[(r.next+i)%len(r.items)]
		if it.seq > after {
			out = append(out, it.v)
		}
	}
	return out
}

// Len is the number of values kept.
func (r *Ring[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.items)
}
