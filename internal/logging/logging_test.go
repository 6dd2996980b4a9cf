package logging

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCredentialNamedAttributesAreRedacted(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	log.Info("req", "Authorization", "Bearer abc123", "refreshToken", "rt-xyz", "x-api-key", "kd-key",
		slog.Group("upstream", "clientSecret", "cs-1"), "model", "claude-sonnet-4.5")
	out := buf.String()
	for _, s := range []string{"abc123", "rt-xyz", "kd-key", "cs-1"} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "model=claude-sonnet-4.5")
	assert.Contains(t, out, "Authorization=[redacted]")
}

func TestParseLevel(t *testing.T) {
	assert.Equal(t, slog.LevelDebug, ParseLevel("debug"))
	assert.Equal(t, slog.LevelWarn, ParseLevel("warn"))
	assert.Equal(t, slog.LevelInfo, ParseLevel("nonsense"))
}
