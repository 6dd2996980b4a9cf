package secrets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Storage format. The item under the key itself is a header that starts with
// one of two prefixes:
//
//	kdsecret1:inline:<value>          the whole value, when it fits one item
//	kdsecret1:chunked:<manifest JSON> the value is in manifest.Chunks items
//
// Every value carries a prefix, so a short secret that happens to look like a
// manifest is stored as "kdsecret1:inline:kdsecret1:chunked:..." and reads
// back unchanged. An item with neither prefix was not written by Kirodesk and
// reads as ErrCorrupt rather than being guessed at.
//
// Chunk items are named <key>#<generation>#<index>. Keys cannot contain '#'
// (validateKey), so chunk names never collide with a key or with another
// key's chunks, and callers cannot address chunk items directly.
const (
	inlinePrefix  = "kdsecret1:inline:"
	chunkedPrefix = "kdsecret1:chunked:"
	chunkSep      = "#"

	// maxValueLen bounds what Set accepts. Real values are a few KB; the
	// bound keeps a bug from writing thousands of keychain items.
	maxValueLen = 256 << 10
	// maxChunks bounds what Get will follow from a manifest, so a damaged
	// manifest cannot send it on millions of keychain calls. It allows for
	// items written with a smaller chunk size than today's.
	maxChunks = 1024
)

// manifest describes a chunked value. It is written after all its chunks,
// so a manifest that is present promises complete chunks; Get checks that
// promise (count, length, SHA-256) to detect sets that were half written or
// changed behind Kirodesk's back.
type manifest struct {
	Chunks int    `json:"chunks"`
	Gen    string `json:"gen"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// header is a parsed header item.
type header struct {
	inline  string
	chunked *manifest
}

func encodeInline(v string) string { return inlinePrefix + v }

func encodeManifest(m manifest) string {
	b, err := json.Marshal(m)
	if err != nil {
		// A struct of ints and strings always marshals.
		panic("secrets: encoding manifest: " + err.Error())
	}
	return chunkedPrefix + string(b)
}

// parseHeader reads a header item. Errors wrap ErrCorrupt and never quote the
// item, which may hold a secret.
func parseHeader(raw string) (header, error) {
	if v, ok := strings.CutPrefix(raw, inlinePrefix); ok {
		return header{inline: v}, nil
	}
	body, ok := strings.CutPrefix(raw, chunkedPrefix)
	if !ok {
		return header{}, fmt.Errorf("%w: the item was not written by Kirodesk (unknown format); store the secret again", ErrCorrupt)
	}
	var m manifest
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return header{}, fmt.Errorf("%w: the chunk manifest is not valid JSON; store the secret again", ErrCorrupt)
	}
	if err := m.validate(); err != nil {
		return header{}, err
	}
	return header{chunked: &m}, nil
}

func (m manifest) validate() error {
	bad := func(what string) error {
		return fmt.Errorf("%w: the chunk manifest has %s; store the secret again", ErrCorrupt, what)
	}
	switch {
	case m.Chunks < 1 || m.Chunks > maxChunks:
		return bad(fmt.Sprintf("an impossible chunk count (%d)", m.Chunks))
	case m.Size < 0 || m.Size > maxValueLen:
		return bad(fmt.Sprintf("an impossible size (%d)", m.Size))
	case !isHex(m.Gen, genLen):
		return bad("a malformed generation id")
	case !isHex(m.SHA256, 2*sha256.Size):
		return bad("a malformed checksum")
	}
	return nil
}

// genLen is the length of a generation id: 8 random bytes in hex. A fresh id
// per Set means the new chunks never overwrite the chunks the current
// manifest points to, so the previous value stays readable until the new
// manifest replaces it.
const genLen = 16

func newGen() string {
	var b [genLen / 2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+)
	return hex.EncodeToString(b[:])
}

func chunkUser(key, gen string, i int) string {
	return key + chunkSep + gen + chunkSep + strconv.Itoa(i)
}

func checksum(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// split cuts v into pieces of at most size bytes. It cuts on UTF-8 rune
// boundaries when it can: go-keyring labels Secret Service items
// "text/plain; charset=utf8", and a piece that ends mid-rune is invalid text
// that a keychain or a keychain viewer may reject or mangle. Bytes that are
// not valid UTF-8 are cut at the size limit.
func split(v string, size int) []string {
	var out []string
	for len(v) > size {
		cut := size
		for cut > 0 && cut > size-utf8.UTFMax && !utf8.RuneStart(v[cut]) {
			cut--
		}
		if cut == 0 || !utf8.RuneStart(v[cut]) {
			cut = size
		}
		out = append(out, v[:cut])
		v = v[cut:]
	}
	return append(out, v)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
