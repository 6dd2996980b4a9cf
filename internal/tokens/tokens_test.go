package tokens

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

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
