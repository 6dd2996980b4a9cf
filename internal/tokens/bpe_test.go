package tokens

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tiktoken-go/tokenizer"
)

func tiktoken(tb testing.TB) tokenizer.Codec {
	tb.Helper()
	enc, err := tokenizer.Get(tokenizer.Cl100kBase)
	require.NoError(tb, err)
	return enc
}

// reference counts as plainly as possible, for the fast code to be checked
// against: cl100k's pattern run by regexp2's interpreter, and byte-pair
// merging by a scan over a map built from tiktoken-go's vocabulary. The
// pattern is wrapped in a group because tiktoken-go registers generated
// code for the bare pattern, and that code differs from it (split.go).
type reference struct {
	ranks map[string]int
	split *regexp2.Regexp
}

var loadReference = sync.OnceValues(func() (*reference, error) {
	enc, err := tokenizer.Get(tokenizer.Cl100kBase)
	if err != nil {
		return nil, err
	}
	r := &reference{ranks: map[string]int{}}
	for rank := 0; ; rank++ {
		tok, err := enc.Decode([]uint{uint(rank)})
		if err != nil || tok == "" {
			break
		}
		r.ranks[tok] = rank
	}
	r.split, err = regexp2.Compile(`(?:(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)`, regexp2.None)
	return r, err
})

func (r *reference) pieces(tb testing.TB, s string) []string {
	var out []string
	m, err := r.split.FindStringMatch(s)
	for ; m != nil && err == nil; m, err = r.split.FindNextMatch(m) {
		out = append(out, m.String())
	}
	require.NoError(tb, err)
	return out
}

func (r *reference) count(tb testing.TB, s string) int {
	n := 0
	for _, p := range r.pieces(tb, s) {
		parts := make([]string, 0, len(p))
		for i := range len(p) {
			parts = append(parts, p[i:i+1])
		}
		for {
			best, bestRank := -1, 0
			for i := 0; i+1 < len(parts); i++ {
				if rank, ok := r.ranks[parts[i]+parts[i+1]]; ok && (best < 0 || rank < bestRank) {
					best, bestRank = i, rank
				}
			}
			if best < 0 {
				break
			}
			parts = append(parts[:best], append([]string{parts[best] + parts[best+1]}, parts[best+2:]...)...)
		}
		n += len(parts)
	}
	return n
}

func newReference(tb testing.TB) *reference {
	tb.Helper()
	r, err := loadReference()
	require.NoError(tb, err)
	return r
}

// checkCount asserts the count of s and its pieces against the reference.
func checkCount(tb testing.TB, r *reference, v *vocab, s string, msg string) bool {
	tb.Helper()
	var got []string
	valid := s
	if !utf8.ValidString(s) {
		valid = string([]rune(s)) // as count does
	}
	for i := 0; i < len(valid); {
		end := pieceEnd(valid, i)
		got = append(got, valid[i:end])
		i = end
	}
	return assert.Equal(tb, r.pieces(tb, s), got, "pieces of %s", msg) &&
		assert.Equal(tb, r.count(tb, s), v.count(s), "count of %s", msg)
}

func TestVocabularyIsTiktokens(t *testing.T) {
	enc := tiktoken(t)
	v := newVocab(cl100kData)
	require.Len(t, v.start, 100256, "cl100k_base has 100,256 ranked tokens besides the special ones")
	for rank := range uint32(len(v.start)) {
		want, err := enc.Decode([]uint{uint(rank)})
		require.NoError(t, err)
		if !assert.Equal(t, want, v.token(rank), "token %d", rank) || !assert.Equal(t, rank, v.rank(want), "rank of %q", want) {
			return
		}
	}
	assert.Equal(t, uint32(noRank), v.rank("not a token at all"))
	assert.Equal(t, uint32(noRank), v.rank(""))
}

// edgeTexts are the cases of the pattern's alternatives and of the merge.
var edgeTexts = []string{
	"", "a", " ", "  ", "\n", "\r\n", "hello world", "Hello, World!",
	"it's they're we've I'm you'll he'd IT'S THEY'RE WE'VE I'M YOU'LL HE'D 'S 'T 'Re 'vE 'lL",
	"'ſ 'ſo don'ſ", "'x 'sx ''s", "'", "''", "'1", " 's",
	"x = 12345678; y = 3.14159e-10; z = 0x1F", "١٢٣٤٥ Ⅻ ²³ ½",
	"   indented\n\tline\n\n\n  \n \t \nend", "trailing   ", "\n\n\n", " \n ", "a \n b", "a  \n\n  b",
	"tab\tseparated\tvalues\v\fform", "nbsp\u00a0here\u2028line\u2029para\u3000ideographic\u0085nel",
	"naïve café résumé", "cafe\u0301 e\u0301\u0301", "中文文本，混合English和数字123。", "日本語のテキスト", "한국어 텍스트",
	"emoji 😀👍🏽 👨‍👩‍👧 flags 🇨🇳🇺🇸", "math ∑∫√∞ ≤ ≥ ≠", "arrows → ← ↔ ⇒",
	"!!!???...,,,;;;:::---___+++===", " !!!\n\n", " (\r\n", "#include <stdio.h>\nint main(){return 0;}",
	`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`,
	"https://example.com/path?query=value&other=1#frag", "user@example.com",
	strings.Repeat("a", 300), strings.Repeat("ab", 200), strings.Repeat("=", 500), strings.Repeat(" ", 300) + "x",
	strings.Repeat("\n", 50), strings.Repeat("9", 100), strings.Repeat("abc123", 100),
	strings.Repeat("Supercalifragilisticexpialidocious", 20), strings.Repeat("é", 200), strings.Repeat("中", 300),
	"invalid \xff\xfe bytes \xc3 alone \xe2\x82 cut", "\xff", "a\xffb", "\xc3\xa9\xc3",
}

func TestCountsFollowThePattern(t *testing.T) {
	r, v := newReference(t), newVocab(cl100kData)
	for _, s := range edgeTexts {
		checkCount(t, r, v, s, strconv.Quote(s))
	}
}

// TestCountsAreTiktokenGos: where tiktoken-go's generated pattern code does
// not differ from the pattern (split.go), the counts are tiktoken-go's; and
// where it does, the difference is the one split.go names.
func TestCountsAreTiktokenGos(t *testing.T) {
	enc, v := tiktoken(t), newVocab(cl100kData)
	for _, s := range edgeTexts {
		if strings.ContainsRune(s, 0x7f) || strings.Contains(s, "\n\t\n") || strings.Contains(s, "\n \n") {
			continue
		}
		want, err := enc.Count(s)
		require.NoError(t, err)
		assert.Equal(t, want, v.count(s), "%q", s)
	}
	quirks := map[string]struct{ tiktokenGo, pattern int }{
		"\x7f":     {0, 1},
		"a\n\t\nb": {4, 3},
	}
	for s, want := range quirks {
		got, err := enc.Count(s)
		require.NoError(t, err)
		assert.Equal(t, want.tiktokenGo, got, "tiktoken-go %q", s)
		assert.Equal(t, want.pattern, v.count(s), "%q", s)
	}
}

// TestCountsOfRealTextsFollowThePattern counts real texts of the kinds a
// coding agent sends: Go and TypeScript sources, prose, JSON fixtures of
// recorded requests, and the Chinese catalog.
func TestCountsOfRealTextsFollowThePattern(t *testing.T) {
	r, v := newReference(t), newVocab(cl100kData)
	root := filepath.Join("..", "..")
	var files []string
	for _, pattern := range []string{"*.md", "frontend/src/i18n/*.json", "frontend/src/views/*.tsx", "internal/translate/*/*.go", "internal/translate/*/testdata/*/*.json"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		require.NoError(t, err)
		require.NotEmpty(t, m, pattern)
		files = append(files, m...)
	}
	bytes := 0
	for _, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		checkCount(t, r, v, string(b), path)
		bytes += len(b)
	}
	t.Logf("%d files, %d bytes", len(files), bytes)
}

// TestCountsOfRandomTextsFollowThePattern draws texts from an alphabet that
// mixes every class the pattern tells apart.
func TestCountsOfRandomTextsFollowThePattern(t *testing.T) {
	r, v := newReference(t), newVocab(cl100kData)
	alphabet := []string{"a", "Z", "é", "中", "ß", "9", "٣", "½", " ", "  ", "\t", "\n", "\r", "\u00a0", "\u3000",
		"'", "'s", "'RE", "'ll", "ſ", "\u2028", "\v", " \n", "\r\n", ".", ",", "!", "{", "\"", "=", "😀", "\u0301", "\xff", "the", "ing", " func", "\n\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(60) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		if s := b.String(); !checkCount(t, r, v, s, strconv.Quote(s)) {
			return
		}
	}
}

func FuzzCountFollowsThePattern(f *testing.F) {
	for _, s := range edgeTexts {
		f.Add(s)
	}
	r, v := newReference(f), newVocab(cl100kData)
	f.Fuzz(func(t *testing.T, s string) {
		checkCount(t, r, v, s, strconv.Quote(s))
	})
}

// BenchmarkCount compares a count of a 100 KB conversation-like text with
// tiktoken-go's (both loaded).
func BenchmarkCount(b *testing.B) {
	text := benchText(100 << 10)
	b.Run("kirodesk", func(b *testing.B) {
		v := newVocab(cl100kData)
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			v.count(text)
		}
	})
	b.Run("tiktoken-go", func(b *testing.B) {
		enc := tiktoken(b)
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			_, _ = enc.Count(text)
		}
	})
}

// BenchmarkLoad is the vocabulary's first use.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		newVocab(cl100kData)
	}
}

func benchText(size int) string {
	parts := []string{
		"You are Claude Code, Anthropic's official CLI for Claude. ",
		"func (s *Server) handle(w http.ResponseWriter, r *http.Request) {\n\tctx := r.Context()\n}\n",
		`{"type":"tool_result","tool_use_id":"toolu_01","content":"total 48\ndrwxr-xr-x 2 root root 4096"}`,
		"请帮我修复这个函数中的错误，并解释原因。", "   \n\n", "The quick brown fox jumps over the lazy dog. It's 12:45.\n",
	}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(parts[i%len(parts)])
	}
	return b.String()
}
