package response

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"kirodesk/internal/canon"
	"kirodesk/internal/kiro/eventstream"
)

// FuzzDecoder feeds random upstream event sequences, decoded from the fuzz
// bytes by fuzzScript, interleaved with early End and Fail calls. The decoder
// must never panic, must produce exactly one terminal event whatever is
// called after it, must keep every delta valid UTF-8 (so the concatenated
// text never holds a partial character), must only send JSON-object tool
// inputs, and with thinking off must pass the valid text through unchanged.
// Seeds live in testdata/fuzz/FuzzDecoder and are added here too.
func FuzzDecoder(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts, actions := fuzzScript(data)
		d := NewDecoder(opts)
		var out []canon.Event
		var fedText strings.Builder
		validText := true
		ended := false
		for _, a := range actions {
			switch a.kind {
			case actFeed:
				if !ended && a.ev.Kind == eventstream.KindText {
					fedText.WriteString(a.ev.Text)
					validText = validText && utf8.ValidString(a.ev.Text)
				}
				out = d.Feed(out, a.ev)
			case actEnd:
				out = d.End(out)
			case actFail:
				out = d.Fail(out, fmt.Errorf("fuzz failure"))
			}
			ended = ended || hasTerminal(out)
		}
		out = d.End(out)
		out = d.Fail(out, nil)
		out = d.End(out)
		if err := checkShape(out); err != nil {
			t.Fatalf("%v\nevents: %+v", err, out)
		}
		s := summarize(out)
		if !utf8.ValidString(s.Text) || !utf8.ValidString(s.Thinking) {
			t.Fatalf("partial UTF-8 in output: %q / %q", s.Text, s.Thinking)
		}
		if !opts.Thinking && validText && s.Text != fedText.String() {
			t.Fatalf("thinking off changed the text: got %q, fed %q", s.Text, fedText.String())
		}
		if s.Usage != nil && (s.Usage.InputTokens < 0 || s.Usage.OutputTokens < 0) {
			t.Fatalf("negative usage %+v", *s.Usage)
		}
	})
}

func hasTerminal(evs []canon.Event) bool {
	for _, ev := range evs {
		if ev.Kind == canon.EventStop || ev.Kind == canon.EventError {
			return true
		}
	}
	return false
}

type actKind int

const (
	actFeed actKind = iota
	actEnd
	actFail
)

type action struct {
	kind actKind
	ev   eventstream.Event
}

// Dictionaries let short fuzz inputs reach tags, split characters and whole
// tool calls.
var (
	fuzzTexts = []string{"<thinking>", "</thinking>", "<thin", "king>", "</", "<", "\n\n", " ", "日本", "\xe6", "\x97\xa5", "🙂"[:2], "🙂"[2:], "a"}
	fuzzInput = []string{"", "{", "}", `"k"`, ":", "1", `{"k":`, `"v"}`, "{}", "[1]", `"日`, `本"`}
	fuzzNames = []string{"read", "short_1", ""}
	fuzzExc   = []string{"ThrottlingException", "ContentLengthExceededException", "ValidationException", ""}
	fuzzRsn   = []string{"", "INSUFFICIENT_MODEL_CAPACITY", "CONTENT_LENGTH_EXCEEDS_THRESHOLD"}
)

// fuzzScript decodes fuzz bytes. The first byte sets the options (bit 0:
// thinking); then each op byte (mod 10) is followed by its operands; a
// string is either a dictionary entry (flag byte >= 128) or a length byte
// (mod 32) and that many raw bytes. Missing bytes read as zero.
func fuzzScript(data []byte) (Options, []action) {
	p := 0
	next := func() byte {
		if p >= len(data) {
			p++
			return 0
		}
		p++
		return data[p-1]
	}
	str := func(dict []string) string {
		if b := next(); b >= 128 {
			return dict[int(b)%len(dict)]
		}
		n := int(next() % 32)
		start := min(p, len(data))
		end := min(p+n, len(data))
		p += n
		return string(data[start:end])
	}
	flags := next()
	opts := Options{
		Thinking:      flags&1 != 0,
		ToolNames:     map[string]string{"short_1": "a_much_longer_client_tool_name"},
		EstimateInput: int(flags) * 7,
		ContextWindow: 200_000,
	}
	if flags&2 != 0 {
		opts.CountOutput = func(s string) int { return utf8.RuneCountInString(s) }
	}
	var acts []action
	for p < len(data) && len(acts) < 256 {
		var ev eventstream.Event
		switch next() % 10 {
		case 0:
			ev = text(str(fuzzTexts))
		case 1:
			id := fmt.Sprintf("t%d", next()%3)
			ev = tool(id, fuzzNames[int(next())%len(fuzzNames)], str(fuzzInput), next()&1 != 0)
		case 2:
			ev = reasoning(str(fuzzTexts), str([]string{"", "sig"}))
		case 3:
			ev = metering(float64(next()) / 10)
		case 4:
			ev = contextUsage(float64(next()))
		case 5:
			ev = tokenUsage(eventstream.TokenUsage{UncachedInput: int(next()), CacheRead: int(next()), CacheWrite: int(next()), Output: int(int8(next()))})
		case 6:
			ev = exception(fuzzExc[int(next())%len(fuzzExc)], str(fuzzTexts), fuzzRsn[int(next())%len(fuzzRsn)])
		case 7:
			ev = ignored("somethingNew")
		case 8:
			acts = append(acts, action{kind: actEnd})
			continue
		case 9:
			acts = append(acts, action{kind: actFail})
			continue
		}
		acts = append(acts, action{kind: actFeed, ev: ev})
	}
	return opts, acts
}

// seedBuilder writes fuzz bytes in fuzzScript's format.
type seedBuilder []byte

func (b seedBuilder) raw(s string) seedBuilder { return append(append(b, 0, byte(len(s))), s...) }
func (b seedBuilder) dict(i int) seedBuilder   { return append(b, byte(128+i)) }
func (b seedBuilder) text(s string) seedBuilder {
	return append(b, 0).raw(s)
}
func (b seedBuilder) tool(id, name byte, input string, stop bool) seedBuilder {
	st := byte(0)
	if stop {
		st = 1
	}
	return append(append(b, 1, id, name).raw(input), st)
}

func fuzzSeeds() [][]byte {
	return [][]byte{
		// thinking on: a block cut inside both tags, a split character, text
		seedBuilder{1}.text("<thin").text("king>plan 日").text("\x97\xa5</thinki").text("ng>\n\nAnswer"),
		// tools interleaved, one mapped, one truncated, usage
		seedBuilder{0}.text("Calling").tool(0, 1, `{"a":`, false).tool(1, 0, `{}`, true).tool(0, 1, `1}`, true).
			tool(2, 0, `{"x":"cut`, false),
		// reasoning, metering, context usage, token usage, clean end
		append(append(seedBuilder{3, 2}.dict(0).dict(1).text("ok"), 3, 5, 4, 40, 5, 10, 20, 30, 40), 8),
		// thinking off, tags pass through, then a throttling exception
		append(seedBuilder{0}.text("<thinking>x</thinking>"), 6, 0, 0, 4, 'b', 'u', 's', 'y', 1),
		// content-length exception, then a broken stream
		append(seedBuilder{1}.text("long"), 6, 1, 0, 0, 0, 9),
	}
}

// TestWriteFuzzSeeds rewrites the committed corpus: go test -run TestWriteFuzzSeeds -update-seeds
func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("pass -update-seeds to rewrite testdata/fuzz/FuzzDecoder")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecoder")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i+1)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the FuzzDecoder seed corpus")

// TestFuzzSeedsDecode checks the seeds mean what their comments say.
func TestFuzzSeedsDecode(t *testing.T) {
	seeds := fuzzSeeds()
	opts, acts := fuzzScript(seeds[0])
	if !opts.Thinking || len(acts) != 4 || acts[3].ev.Text != "ng>\n\nAnswer" {
		t.Fatalf("seed 1 decodes to %+v %+v", opts, acts)
	}
	_, acts = fuzzScript(seeds[1])
	if len(acts) != 5 || acts[4].ev.ToolUse == nil || acts[4].ev.ToolUse.Input != `{"x":"cut` {
		t.Fatalf("seed 2 decodes to %+v", acts)
	}
	_, acts = fuzzScript(seeds[2])
	if len(acts) != 6 || acts[0].ev.Kind != eventstream.KindReasoning || acts[4].ev.Kind != eventstream.KindUsage || acts[5].kind != actEnd {
		t.Fatalf("seed 3 decodes to %+v", acts)
	}
	_, acts = fuzzScript(seeds[3])
	if len(acts) != 2 || acts[1].ev.Exception == nil || acts[1].ev.Exception.Type != "ThrottlingException" || acts[1].ev.Exception.Message != "busy" {
		t.Fatalf("seed 4 decodes to %+v", acts)
	}
	_, acts = fuzzScript(seeds[4])
	if len(acts) != 3 || acts[1].ev.Exception == nil || acts[1].ev.Exception.Type != "ContentLengthExceededException" || acts[2].kind != actFail {
		t.Fatalf("seed 5 decodes to %+v", acts)
	}
}
