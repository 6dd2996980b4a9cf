// Command gencl100k writes cl100k.bin, the cl100k_base vocabulary in the
// compact form internal/tokens reads: for each rank from 0, one byte with the
// token's length and then its bytes.
//
// tiktoken-go embeds the same vocabulary as a Go map literal, which costs a
// process about 7 MB (the map, and the pages of the literal it is built
// from) the moment it is loaded; that was a third of `kirodesk serve`'s idle
// memory. The tokens package keeps the vocabulary as one byte string and two
// small tables instead, and its tests check it against tiktoken-go token by
// token and count by count.
//
// Run with `go generate ./internal/tokens`; TestVocabularyIsTiktokens checks
// the file it wrote.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/tiktoken-go/tokenizer"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gencl100k:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: gencl100k OUTPUT")
	}
	enc, err := tokenizer.Get(tokenizer.Cl100kBase)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for rank := uint(0); ; rank++ {
		tok, err := enc.Decode([]uint{rank})
		if err != nil || tok == "" {
			break // the ranks are dense up to the special tokens, which are not BPE
		}
		if len(tok) > 255 {
			return fmt.Errorf("rank %d is %d bytes, longer than a length byte holds", rank, len(tok))
		}
		out.WriteByte(byte(len(tok)))
		out.WriteString(tok)
	}
	return os.WriteFile(args[0], out.Bytes(), 0o644)
}
