package payload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxToolNameLen is the longest tool name sent to Kiro
// (kiro-protocol.md section 3: "at most 63-64 characters").
const MaxToolNameLen = 64

// MaxDescriptionRunes is where a tool description is cut (peers cut at
// 9,216-10,237 characters).
const MaxDescriptionRunes = 10_000

// ShortenToolName returns name unchanged when it fits in MaxToolNameLen
// bytes; otherwise its head (cut on a character boundary) followed by "_"
// and the first 8 hex digits of the SHA-256 of the whole name, 64 bytes at
// most. The result depends only on name, so the same long name maps to the
// same short one in every request of a conversation; Built.ToolNames maps
// it back. Invalid UTF-8 is first replaced by U+FFFD, as the JSON encoder
// would, so that the length measured is the length sent.
func ShortenToolName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if len(name) <= MaxToolNameLen {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "_" + hex.EncodeToString(sum[:4])
	cut := MaxToolNameLen - len(suffix)
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + suffix
}

// cutDescription keeps a description within MaxDescriptionRunes
// characters, the note included, and says how much was cut so the model
// knows the text is incomplete.
func cutDescription(d string) string {
	if len(d) <= MaxDescriptionRunes {
		return d // never more runes than bytes
	}
	n := utf8.RuneCountInString(d)
	if n <= MaxDescriptionRunes {
		return d
	}
	note := fmt.Sprintf("\n\n[Description truncated; the full text was %d characters.]", n)
	keep := MaxDescriptionRunes - utf8.RuneCountInString(note)
	i, count := 0, 0
	for i < len(d) && count < keep {
		if d[i] < utf8.RuneSelf { // descriptions are mostly ASCII
			i++
		} else {
			_, size := utf8.DecodeRuneInString(d[i:])
			i += size
		}
		count++
	}
	return d[:i] + note
}
