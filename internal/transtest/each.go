package transtest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"kirodesk/internal/canon"
)

// Recordings loads every testdata/stream/*.json as an R (strictly, see
// LoadStrict), failing unless there are at least min of them: the recorded
// streams must be where the tests expect them. The map's keys are the paths.
func Recordings[R any](t *testing.T, min int) ([]string, map[string]R) {
	t.Helper()
	files, err := filepath.Glob("testdata/stream/*.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), min, "the recorded streams are where the test expects them")
	recs := make(map[string]R, len(files))
	for _, f := range files {
		recs[f] = LoadStrict[R](t, f)
	}
	return files, recs
}

// EachRecording runs run as a subtest per recorded stream (see Recordings),
// named after its file; path is the file's, for the golden beside it.
func EachRecording[R any](t *testing.T, min int, run func(t *testing.T, path string, rec R)) {
	t.Helper()
	files, recs := Recordings[R](t, min)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			run(t, f, recs[f])
		})
	}
}

// EachRequestGolden parses every golden request input (RequestInputs, at
// least five) with parse, in a subtest named after the file, and compares
// what parse returns, as JSON, with the .canon.json golden beside it.
func EachRequestGolden(t *testing.T, parse func(t *testing.T, name string, body []byte) any) {
	t.Helper()
	inputs := RequestInputs(t)
	require.GreaterOrEqual(t, len(inputs), 5)
	for _, f := range inputs {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			Golden(t, strings.TrimSuffix(f, ".json")+".canon.json", DumpJSON(t, parse(t, name, body)))
		})
	}
}

// Play replays steps through the writer newWriter makes over a buffer and
// returns the text written, the number of flushes, and the canon.Response
// the same events aggregate to (with the error Append returned, if any).
func Play(t *testing.T, steps []Step, id, model string, newWriter func(w io.Writer, flush func()) Player) (text string, flushes int, want canon.Response, streamErr error) {
	t.Helper()
	var buf bytes.Buffer
	Replay(t, newWriter(&buf, func() { flushes++ }), steps)
	want, streamErr = Aggregate(steps, id, model)
	return buf.String(), flushes, want, streamErr
}

// FailWriter accepts N writes and then fails every one, as a client that
// went away does.
type FailWriter struct{ N int }

func (f *FailWriter) Write(p []byte) (int, error) {
	if f.N == 0 {
		return 0, errors.New("client went away")
	}
	f.N--
	return len(p), nil
}

// EachCase runs run as a subtest per case, named by name; a table with
// fewer than min cases, or two cases of one name (the second would hide
// behind the first in the output), fails the test.
func EachCase[C any](t *testing.T, cases []C, min int, name func(C) string, run func(t *testing.T, tc C)) {
	t.Helper()
	require.GreaterOrEqual(t, len(cases), min)
	seen := map[string]bool{}
	for _, tc := range cases {
		n := name(tc)
		require.False(t, seen[n], "duplicate case name %q", n)
		seen[n] = true
		t.Run(n, func(t *testing.T) { run(t, tc) })
	}
}
