package jsontree

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanCases are bodies at the edges of the grammar: each must give the
// same tree, or the same error, through Parse as through parseSlow.
var scanCases = []string{
	`{}`, `[]`, ` { } `, `{"a":1}`, `{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`,
	`{"a":1}{}`, `{"a":1} x`, `{"a":1}` + "\n\t ", `"top"`, `12`, `null`, `true`, `false`, `nul`, `tru`, `fals`,
	`[0,-0,1.5,-1.5e10,1E+2,2e-3,12345678901234567890123]`, `[01]`, `[1.]`, `[.5]`, `[-]`, `[1e]`, `[1e+]`, `[+1]`, `[0x10]`,
	`["\"\\\/\b\f\n\r\t"]`, `["\u0041\u00e9\u4e2d"]`, `["\ud83d\ude00"]`, `["\ud83d"]`, `["\ud83dx"]`, `["\ude00\ud83d"]`,
	`["\ud83d\u0041"]`, `["\ud83d\uZZZZ"]`, `["\uD83D\uDE00"]`, `["\u00"]`, `["\x"]`, `["\a"]`, "[\"tab\there\"]", `["unterminated`,
	`["a\`, `{"dup":1,"dup":2}`, `{"":""}`, `[[[[]]]]`, `{"a":[{"b":{"c":[true,false,null]}}]}`, "\ufeff{}",
	`{"text":"naïve café – ünïcödé ✓ 😀"}`, `[1 2]`, `[true false]`, `{"a":1,,"b":2}`, `[` + "\u00a0" + `1]`,
	// Long strings with escapes: rewritten by an in-place parse (owned.go).
	"{\n \"a\": \"" + strings.Repeat(`x\n\"\u00e9\ud83d\ude00\ud83d\/`, 12) + "\",\n \"b\": [\"" + strings.Repeat(`\t\\`, 70) + "\", 1]\n}",
	`{"a":"` + strings.Repeat(`\n`, 70) + `\x"}`, `{"a":"` + strings.Repeat(`y`, 130) + `\n"`,
	strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
	strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	strings.Repeat(`{"a":`, MaxDepth) + "1" + strings.Repeat("}", MaxDepth),
	strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1),
}

// TestScannerMatchesDecoder: the fast scanner and the encoding/json
// parser agree on every case, the request fixtures and the fuzz corpora
// of both translators.
func TestScannerMatchesDecoder(t *testing.T) {
	bodies := map[string][]byte{}
	for i, c := range scanCases {
		bodies["case "+strconv.Itoa(i)+" "+c[:min(len(c), 40)]] = []byte(c)
	}
	for _, glob := range []string{"../*/testdata/requests/*.json", "../*/testdata/codex/*.json", "../../kiro/payload/testdata/*.json", "../../bench/testdata/*.json"} {
		files, err := filepath.Glob(glob)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			bodies[f] = b
		}
	}
	corpus, err := filepath.Glob("../*/testdata/fuzz/*/*")
	require.NoError(t, err)
	require.NotEmpty(t, corpus)
	for _, f := range corpus {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		// go test fuzz v1 files: one quoted []byte or string per line.
		for _, line := range strings.Split(string(b), "\n")[1:] {
			line = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(line, "[]byte("), "string("), ")")
			if s, err := strconv.Unquote(line); err == nil {
				bodies[f] = []byte(s)
			}
		}
	}
	require.Greater(t, len(bodies), len(scanCases)+20)
	for name, b := range bodies {
		checkScan(t, name, b)
	}
}

func checkScan(t *testing.T, name string, b []byte) {
	t.Helper()
	want, wantErr := (*Value)(nil), precheck(b)
	if wantErr == nil {
		want, wantErr = parseSlow(b)
	}
	got, gotErr := Parse(b)
	if wantErr != nil {
		assert.Equal(t, wantErr, gotErr, "%s: the error must be the reference parser's", name)
		owned := bytes.Clone(b)
		_, _, ownedErr := ParseDoc(owned, ParseOptions{InPlace: true})
		assert.Equal(t, wantErr, ownedErr, "%s: a body parsed in place gets the same error", name)
		assert.Equal(t, b, owned, "%s: a body that is not valid JSON is not rewritten", name)
		return
	}
	if !assert.NoError(t, gotErr, name) {
		return
	}
	sameTree(t, name, want, got)
	sameCompact(t, name, b, got)
	v, ok := scan(b)
	if assert.True(t, ok, "%s: valid JSON the scanner gave up on", name) {
		sameTree(t, name, want, v)
	}
	checkOwned(t, name, b, want)
}

func sameTree(t *testing.T, where string, want, got *Value) {
	t.Helper()
	if want.Kind != got.Kind || want.Off != got.Off || want.End != got.End || want.B != got.B || want.Num != got.Num || want.Str != got.Str ||
		len(want.Elems) != len(got.Elems) || len(want.Keys) != len(got.Keys) || len(want.Vals) != len(got.Vals) {
		t.Errorf("%s: got %+v, want %+v", where, *got, *want)
		return
	}
	for i := range want.Keys {
		if want.Keys[i] != got.Keys[i] {
			t.Errorf("%s: key %d is %q, want %q", where, i, got.Keys[i], want.Keys[i])
		}
		sameTree(t, where+"."+want.Keys[i], want.Vals[i], got.Vals[i])
	}
	for i := range want.Elems {
		sameTree(t, where+"["+strconv.Itoa(i)+"]", want.Elems[i], got.Elems[i])
	}
}

// FuzzScannerMatchesDecoder: for any body, Parse gives exactly what the
// encoding/json parser gives (tree or error).
func FuzzScannerMatchesDecoder(f *testing.F) {
	for _, c := range scanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScan(t, "fuzz", b)
	})
}

// sameCompact: Compact gives json.Compact's bytes for every node, and the
// body's own bytes, capacity-capped, when they are compact already.
func sameCompact(t *testing.T, where string, body []byte, v *Value) {
	t.Helper()
	var want bytes.Buffer
	require.NoError(t, json.Compact(&want, body[v.Off:v.End]), where)
	got := Compact(body, v)
	assert.Equal(t, want.String(), string(got), "%s: Compact", where)
	if want.Len() == v.End-v.Off {
		assert.Equal(t, len(got), cap(got), "%s: an append must not write into the body", where)
	}
	for _, c := range append(v.Elems, v.Vals...) {
		sameCompact(t, where, body, c)
	}
}
