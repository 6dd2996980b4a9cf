package logging

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/secrets"
)

func TestRingKeepsRecentRedactedLinesAtItsLevel(t *testing.T) {
	var file bytes.Buffer
	ring := NewRing(2)
	level := new(slog.LevelVar)
	level.Set(slog.LevelInfo)
	log := slog.New(Tee(slog.NewTextHandler(&file, &slog.HandlerOptions{Level: slog.LevelDebug}), ring.Handler(level)))

	log.Debug("only in the file")
	log.Info("one", "refreshToken", "rt-secret", "key", secrets.New("kd-secret"))
	log.With("account", "a1").Warn("two")
	log.Error("three")

	assert.Contains(t, file.String(), "only in the file")
	lines := ring.Since(0)
	require.Len(t, lines, 2, "bounded to the last two")
	assert.Equal(t, "warn", lines[0].Level)
	assert.Contains(t, lines[0].Text, "msg=two account=a1")
	assert.Equal(t, "error", lines[1].Level)
	assert.Equal(t, int64(3), lines[1].Seq, "the debug line never reached the ring")
	assert.Empty(t, ring.Since(3))

	level.Set(slog.LevelDebug)
	log.Debug("now kept", "Authorization", "Bearer abc")
	got := ring.Since(3)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Text, "Authorization=[redacted]")
	assert.NotContains(t, got[0].Text, "abc")
}

func TestRingNeverShowsSecrets(t *testing.T) {
	ring := NewRing(10)
	log := slog.New(ring.Handler(slog.LevelDebug))
	log.Info("login", "token", "t-1", "apiKey", "kd-2", "value", secrets.New("s-3"))
	text := ring.Since(0)[0].Text
	for _, s := range []string{"t-1", "kd-2", "s-3"} {
		assert.NotContains(t, text, s)
	}
}
