package tokens

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
)

func TestTextCounts(t *testing.T) {
	var c Counter
	assert.Equal(t, 0, c.Text(""))
	assert.Equal(t, 2, c.Text("hello world"))
	long := c.Text("The quick brown fox jumps over the lazy dog. ")
	assert.InDelta(t, 11, long, 2)
}

func TestRequestEstimateGrowsWithEveryPart(t *testing.T) {
	var c Counter
	base := &canon.Request{Messages: []canon.Message{{Role: canon.RoleUser, Content: []canon.Block{{Type: canon.BlockText, Text: "hi"}}}}}
	n0 := c.Request(base)
	assert.Positive(t, n0)
	withSystem := *base
	withSystem.System = "You are a careful assistant who writes Go."
	assert.Greater(t, c.Request(&withSystem), n0)
	withTool := *base
	withTool.Tools = []canon.Tool{{Name: "read_file", Description: "Read a file", InputSchema: json.RawMessage(`{"type":"object"}`)}}
	assert.Greater(t, c.Request(&withTool), n0)
	withImage := *base
	withImage.Messages = append([]canon.Message{}, base.Messages...)
	withImage.Messages[0].Content = append([]canon.Block{{Type: canon.BlockImage, Image: &canon.Image{MediaType: "image/png", Data: "AAAA"}}}, base.Messages[0].Content...)
	assert.Equal(t, n0+perImage, c.Request(&withImage))
}

// TestRememberedCountsAreTheCounts: a long text counted again (remembered,
// or after its generation turned over) gives the tokenizer's count, and
// texts of the same length are told apart.
func TestRememberedCountsAreTheCounts(t *testing.T) {
	var c, fresh Counter
	a := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 40)
	b := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipi. ", 40)[:len(a)]
	require.Len(t, b, len(a))
	want := fresh.count(a)
	assert.Equal(t, want, c.Text(a))
	assert.Equal(t, want, c.Text(a), "remembered")
	assert.Equal(t, fresh.count(b), c.Text(b), "same length, other text")
	assert.NotEqual(t, c.Text(a), c.Text(b))

	// Fill a generation: a is then only in the previous one, and still right.
	for i := range cacheGeneration {
		c.Text(a[:minCached] + strconv.Itoa(i))
	}
	assert.Equal(t, want, c.Text(a), "after a turnover")
	assert.LessOrEqual(t, len(c.cur)+len(c.prev), 2*cacheGeneration, "memory stays bounded")
}

// TestCounterIsSafeForConcurrentUse counts the same texts from several
// goroutines (run with -race).
func TestCounterIsSafeForConcurrentUse(t *testing.T) {
	var c Counter
	text := strings.Repeat("concurrent counting of the same long text ", 20)
	want := (&Counter{}).count(text)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				assert.Equal(t, want, c.Text(text))
			}
		})
	}
	wg.Wait()
}
