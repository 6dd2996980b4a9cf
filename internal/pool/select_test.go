package pool

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
)

func accts(requests ...int64) []*store.Account {
	out := make([]*store.Account, len(requests))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, r := range requests {
		out[i] = &store.Account{ID: fmt.Sprintf("a%d", i), Counters: store.Counters{Requests: r, LastUsed: base.Add(time.Duration(i) * time.Minute)}}
	}
	return out
}

func TestSelectors(t *testing.T) {
	cases := []struct {
		name string
		sel  selector
		c    []*store.Account
		keys []string
		want []string
	}{
		{"fill-first stays on the first", fillFirst{}, accts(9, 0, 0), []string{"", "", ""}, []string{"a0", "a0", "a0"}},
		{"least-used takes the fewest", leastUsed{}, accts(5, 2, 7), []string{""}, []string{"a1"}},
		{"least-used breaks ties by oldest use", leastUsed{}, accts(3, 3, 3), []string{""}, []string{"a0"}},
		{"round-robin cycles", &roundRobin{}, accts(0, 0, 0), []string{"", "", "", ""}, []string{"a0", "a1", "a2", "a0"}},
		{"sticky keeps a conversation", newSticky(), accts(4, 1, 8), []string{"c1", "c1", "c1"}, []string{"a1", "a1", "a1"}},
		{"sticky without a key is least-used", newSticky(), accts(4, 1, 8), []string{""}, []string{"a1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, k := range tc.keys {
				got = append(got, tc.sel.pick(tc.c, k).ID)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStickyMovesOnWhenItsAccountIsGoneAndForgetsOldConversations(t *testing.T) {
	s := newSticky()
	all := accts(0, 5, 9)
	assert.Equal(t, "a0", s.pick(all, "conv").ID)
	all[0].Counters.Requests = 100 // busy now, but the conversation stays
	assert.Equal(t, "a0", s.pick(all, "conv").ID)
	assert.Equal(t, "a1", s.pick(all[1:], "conv").ID, "a0 not usable: the least used of the rest")
	assert.Equal(t, "a1", s.pick(all, "conv").ID, "and it stays there")

	for i := range stickyMax + 10 {
		s.pick(all, fmt.Sprint("k", i))
	}
	assert.Equal(t, stickyMax, s.order.Len())
	_, remembered := s.where["conv"]
	assert.False(t, remembered, "the oldest conversations are forgotten")
}

func TestStickyIsTheDefaultAndSpreadsNewConversations(t *testing.T) {
	f := newFixture(t, 3, time.Now().Add(time.Hour))
	ctx := context.Background()
	first, err := f.pool.Pick(nil, "conversation-1", "")
	require.NoError(t, err)
	f.pool.Report(ctx, first.ID, Outcome{})
	require.NoError(t, f.st.Pool.Flush(ctx))
	f.assertPicks(t, 3, first.ID, nil, "conversation-1", "")
	other, err := f.pool.Pick(nil, "conversation-2", "")
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, other.ID, "a new conversation goes to a less used account")

	// A throttled account hands its conversation over.
	f.pool.Report(ctx, first.ID, Outcome{Err: &kiro.UpstreamError{Status: 429, Class: kiro.ClassThrottle}})
	moved, err := f.pool.Pick(nil, "conversation-1", "")
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, moved.ID)
}
