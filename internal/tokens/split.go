package tokens

import (
	"unicode"
	"unicode/utf8"
)

// This file splits a text into the pieces cl100k encodes one by one, as its
// pattern does:
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// Each alternative is a short scan, so the split is written out here rather
// than run through a backtracking regexp engine: it is the hot loop of
// counting. The tests check it piece by piece against the pattern run by
// regexp2's interpreter. \s is unicode.IsSpace, \p{L} unicode.IsLetter,
// \p{N} unicode.IsNumber, as in regexp2.
//
// tiktoken-go v0.10.0 runs the pattern through code generated for regexp2,
// which differs from the pattern in two places: it ends \s*[\r\n]+ at the
// first line break ("\n\t\n" becomes "\n", "\t\n") and it skips U+007F.
// The split here follows the pattern, as OpenAI's tiktoken does, so a count
// can be one token off tiktoken-go's on a text with a blank line of spaces.

// class is what the pattern needs to know of a rune.
type class uint8

const (
	other   class = iota // none of the below: punctuation, symbols, controls
	letter               // \p{L}
	number               // \p{N}
	space                // \s other than a line break
	newline              // \r or \n (also \s)
)

func classOf(r rune) class {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			return letter
		case '0' <= r && r <= '9':
			return number
		case r == '\r' || r == '\n':
			return newline
		case r == ' ', '\t' <= r && r <= '\f':
			return space
		}
		return other
	}
	switch {
	case unicode.IsLetter(r):
		return letter
	case unicode.IsNumber(r):
		return number
	case unicode.IsSpace(r):
		return space
	}
	return other
}

// at returns the rune at byte i of s (s is valid UTF-8), its class and size.
func at(s string, i int) (rune, class, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), classOf(rune(c)), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return r, classOf(r), n
}

func isSpace(c class) bool { return c == space || c == newline }

// pieceEnd returns where the piece that starts at byte i of s ends; s is
// valid UTF-8 and i < len(s). The alternatives are tried in the pattern's
// order, and the first that matches wins.
func pieceEnd(s string, i int) int {
	r, c, n := at(s, i)
	if r == '\'' {
		if end := contraction(s, i+1); end > 0 {
			return end
		}
	}
	switch c {
	case letter: // [^\r\n\p{L}\p{N}]?\p{L}+ without the optional rune
		return run(s, i+n, letter, -1)
	case number: // \p{N}{1,3}
		return run(s, i+n, number, 2)
	case other:
		if i+n < len(s) {
			if _, c1, _ := at(s, i+n); c1 == letter { // [^\r\n\p{L}\p{N}]\p{L}+
				return run(s, i+n, letter, -1)
			}
		}
		return punctuation(s, i)
	case space:
		if i+n < len(s) {
			_, c1, _ := at(s, i+n)
			if c1 == letter { // [^\r\n\p{L}\p{N}]\p{L}+: a space or tab before a word
				return run(s, i+n, letter, -1)
			}
			if r == ' ' && c1 == other { // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
				return punctuation(s, i+n)
			}
		}
	}
	return whitespace(s, i)
}

// run returns the end of the runes of class c from byte i, at most limit of
// them (-1: no limit).
func run(s string, i int, c class, limit int) int {
	for i < len(s) && limit != 0 {
		_, ci, n := at(s, i)
		if ci != c {
			break
		}
		i += n
		limit--
	}
	return i
}

// punctuation matches [^\s\p{L}\p{N}]+[\r\n]* from byte i, whose rune is
// of class other.
func punctuation(s string, i int) int {
	i = run(s, i, other, -1)
	for i < len(s) && (s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// whitespace matches \s*[\r\n]+|\s+(?!\S)|\s+ from byte i, whose rune is
// a space or a line break.
func whitespace(s string, i int) int {
	end, lastBreak, last := i, -1, i
	for end < len(s) {
		_, c, n := at(s, end)
		if !isSpace(c) {
			break
		}
		if c == newline {
			lastBreak = end
		}
		last = end
		end += n
	}
	switch {
	case lastBreak >= 0: // \s*[\r\n]+ backs off to the run's last line break
		return lastBreak + 1
	case end == len(s) || last == i: // \s+(?!\S) at the end of the text, else \s+ of one rune
		return end
	}
	return last // \s+(?!\S): leave the last space to the word that follows
}

// contraction matches the rest of (?i:'s|'t|'re|'ve|'m|'ll|'d) after the
// apostrophe, at byte i, and returns the end, or 0. Case folding lets ſ
// (U+017F, a long s) stand for s.
func contraction(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	if len(s[i:]) >= 2 && s[i] == 0xC5 && s[i+1] == 0xBF { // ſ
		return i + 2
	}
	a := s[i] | 0x20 // ASCII lower case; only letters land on the letters below
	switch a {
	case 's', 't', 'm', 'd':
		return i + 1
	}
	if i+1 < len(s) {
		b := s[i+1] | 0x20
		if a == 'r' && b == 'e' || a == 'v' && b == 'e' || a == 'l' && b == 'l' {
			return i + 2
		}
	}
	return 0
}
