package trayproto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	msgs := []Message{
		State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990", StartAtLogin: true},
		State{Error: "listen tcp 127.0.0.1:8990: address already in use\nsecond line \"quoted\" — ünïcode"},
		Click{Item: ItemToggleProxy},
		Click{Item: ItemQuit},
		Ready{},
		State{},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, m := range msgs {
		require.NoError(t, w.Write(m))
	}
	assert.Equal(t, len(msgs), strings.Count(buf.String(), "\n"), "one line per message")

	r := NewReader(&buf)
	for i, want := range msgs {
		got, err := r.Next()
		require.NoError(t, err, "message %d", i)
		assert.Equal(t, want, got, "message %d", i)
	}
	_, err := r.Next()
	assert.ErrorIs(t, err, io.EOF)
}

// The wire shape is what the other executable, possibly from another build,
// reads: pin it.
func TestWireFormat(t *testing.T) {
	for _, tc := range []struct {
		msg  Message
		want string
	}{
		{State{ProxyOn: true, Endpoint: "http://127.0.0.1:8990"},
			`{"type":"state","proxyOn":true,"endpoint":"http://127.0.0.1:8990","error":"","startAtLogin":false}`},
		{Click{Item: ItemCopyEndpoint}, `{"type":"click","item":"copy-endpoint"}`},
		{Ready{}, `{"type":"ready"}`},
	} {
		b, err := Marshal(tc.msg)
		require.NoError(t, err)
		assert.Equal(t, tc.want+"\n", string(b))
	}
}

func TestDecodeTolerant(t *testing.T) {
	for _, tc := range []struct {
		name    string
		line    string
		want    Message
		wantErr bool
	}{
		{name: "unknown fields ignored", line: `{"type":"state","proxyOn":true,"future":[{"id":"a"}],"x":1}`, want: State{ProxyOn: true}},
		{name: "missing fields are zero", line: `{"type":"state"}`, want: State{}},
		{name: "unknown type ignored", line: `{"type":"hello","v":2}`, want: nil},
		{name: "unknown item passes", line: `{"type":"click","item":"future-item"}`, want: Click{Item: "future-item"}},
		{name: "ready with extras", line: `{"type":"ready","pid":12}`, want: Ready{}},
		{name: "not JSON", line: `Gtk-WARNING: cannot open display`, wantErr: true},
		{name: "not an object", line: `[1,2]`, wantErr: true},
		{name: "no type", line: `{"proxyOn":true}`, wantErr: true},
		{name: "type not a string", line: `{"type":3}`, wantErr: true},
		{name: "wrong field type", line: `{"type":"state","proxyOn":"yes"}`, wantErr: true},
		{name: "click without item", line: `{"type":"click"}`, wantErr: true},
		{name: "truncated", line: `{"type":"state","proxyOn":tr`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.line))
			if tc.wantErr {
				assert.Error(t, err)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// A stream with noise between messages: every bad line is one LineError
// with its line number, and the good messages around it still arrive.
func TestReaderSkipsBadLines(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"state","proxyOn":true}`,
		``,
		`failed to create temp icon file /tmp/systray_X: No space left`,
		`{"type":"future"}`,
		"{\"type\":\"click\",\"item\":\"open\"}\r", // CRLF from a Windows peer
		`{"type":"click"`,
		`{"type":"ready"}`, // last line without a newline
	}, "\n")
	r := NewReader(strings.NewReader(in))

	m, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, State{ProxyOn: true}, m)

	_, err = r.Next()
	var le *LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3, le.Line)

	m, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, Click{Item: ItemOpen}, m)

	_, err = r.Next()
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 6, le.Line)

	m, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, Ready{}, m)

	_, err = r.Next()
	assert.ErrorIs(t, err, io.EOF)
	_, err = r.Next()
	assert.ErrorIs(t, err, io.EOF, "EOF stays EOF")
}

func TestReaderOversizedLine(t *testing.T) {
	pad := func(n int) string { // a valid state line of exactly n bytes
		base := `{"type":"state","error":""}`
		return `{"type":"state","error":"` + strings.Repeat("e", n-len(base)) + `"}`
	}
	atLimit := pad(MaxLine)
	require.Len(t, atLimit, MaxLine)
	in := pad(MaxLine+1) + "\n" +
		atLimit + "\n" +
		strings.Repeat("x", 10*MaxLine) + "\n" + // far too long, and not JSON either
		`{"type":"click","item":"quit"}` + "\n"
	r := NewReader(strings.NewReader(in))

	_, err := r.Next()
	var le *LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 1, le.Line)
	assert.ErrorIs(t, err, ErrLineTooLong)

	m, err := r.Next()
	require.NoError(t, err, "a line of exactly MaxLine bytes is accepted")
	assert.Len(t, m.(State).Error, MaxLine-len(`{"type":"state","error":""}`))

	_, err = r.Next()
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3, le.Line)
	assert.ErrorIs(t, err, ErrLineTooLong)

	m, err = r.Next()
	require.NoError(t, err, "reading goes on after an oversized line")
	assert.Equal(t, Click{Item: ItemQuit}, m)
}

func TestMarshalRefusesOversizedState(t *testing.T) {
	_, err := Marshal(State{Error: strings.Repeat("e", MaxLine)})
	assert.Error(t, err, "the reader would drop it; refuse at the source")
}

// A read error other than EOF ends the Reader and is returned as is.
func TestReaderPipeError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader(`{"type":"ready"}`+"\n"), iotest.ErrReader(boom)))
	m, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, Ready{}, m)
	_, err = r.Next()
	assert.ErrorIs(t, err, boom)
}
