package uitext

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithFillsEnglishAndKeepsArgs(t *testing.T) {
	m := Define("test.with.fills", "{{file}} was damaged ({{reason}}); kept as {{file}}.corrupt")
	got := m.With("file", "pool.json", "reason", "not JSON")
	assert.Equal(t, Text{Code: "test.with.fills", Args: map[string]string{"file": "pool.json", "reason": "not JSON"},
		Text: "pool.json was damaged (not JSON); kept as pool.json.corrupt"}, got)
	assert.Equal(t, got.Text, got.String())
}

func TestWithLeavesAMissingArgumentVisible(t *testing.T) {
	m := Define("test.with.missing", "listening at {{addr}}")
	assert.Equal(t, "listening at {{addr}}", m.With().Text)
	assert.Nil(t, m.With().Args)
}

func TestValidCode(t *testing.T) {
	assert.True(t, ValidCode("doctor.port.free"))
	assert.True(t, ValidCode("account.creditsUsed402"))
	for _, bad := range []string{"nodot", "Test.upper", "test.with space", "test..double", "test.", ".test", "test.9lead"} {
		assert.False(t, ValidCode(bad), bad)
	}
}

func TestDefineIsAPlainValue(t *testing.T) {
	m := Define("test.defined.value", "a {{b}}")
	assert.Equal(t, "test.defined.value", m.Code())
	assert.Equal(t, Define("test.defined.value", "a {{b}}"), m, "defining twice gives equal values; the source scan refuses doubles")
	assert.Equal(t, Text{Code: "test.defined.value", Args: map[string]string{"b": "x"}, Text: "a x"}, m.With("b", "x"))
}

func TestPlaceholders(t *testing.T) {
	assert.Equal(t, []string{"a", "count"}, Placeholders("{{count, number}} of {{a}} and {{a}}"))
	assert.Empty(t, Placeholders("none"))
}

func TestPlainAndJoin(t *testing.T) {
	ts := []Text{Plain("one"), Define("test.join.two", "two {{n}}").With("n", "2")}
	assert.Empty(t, ts[0].Code)
	assert.Equal(t, "one; two 2", Join(ts, "; "))
	assert.Equal(t, []string{"one", "two 2"}, Strings(ts))
}

func TestTextsOfAnError(t *testing.T) {
	port := Define("test.err.port", "port {{value}} is outside 1-65535")
	plain := errors.New("version 2, want 1")
	err := fmt.Errorf("config.json: change rejected: %w", errors.Join(port.Err("value", "70000"), plain))
	assert.Equal(t, "config.json: change rejected: port 70000 is outside 1-65535\nversion 2, want 1", err.Error())
	assert.Equal(t, []Text{port.With("value", "70000"), Plain("version 2, want 1")}, Texts(err))

	wrapped := fmt.Errorf("saving: %w", port.Err("value", "0"))
	assert.Equal(t, []Text{port.With("value", "0")}, Texts(wrapped), "a wrapper's words are context, the code is the text")
	assert.Nil(t, Texts(plain), "no code anywhere: the English is shown")
	assert.Nil(t, Texts(nil))
}

func TestForWindow(t *testing.T) {
	m := Define("test.forWindow.port", "port {{value}} is taken")
	assert.Equal(t, "plain failure", ForWindow(errors.New("plain failure")))
	err := fmt.Errorf("saving: %w", m.Err("value", "8317"))
	assert.Equal(t, map[string]any{"message": "saving: port 8317 is taken", "texts": []Text{m.With("value", "8317")}}, ForWindow(err))
}
