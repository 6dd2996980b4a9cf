package tokens

import (
	_ "embed"
	"hash/maphash"
	"math"
	"unicode/utf8"
)

//go:generate go run ../../scripts/gencl100k cl100k.bin

// cl100kData is the cl100k_base vocabulary: for each rank from 0, a byte with
// the token's length and then the token's bytes (gencl100k writes it from
// tiktoken-go's copy). It stays in the binary's read-only data: only the
// pages a count touches are ever in memory.
//
//go:embed cl100k.bin
var cl100kData string

// vocab finds a token's rank. tiktoken-go builds a map[string]uint of
// 100,256 entries from a map literal, about 7 MB of a process's memory;
// this is 1.4 MB: an offset per rank into cl100kData and an open-addressing
// table of ranks by hash.
type vocab struct {
	data  string
	start []uint32 // start[rank]: where the token's length byte is
	slots []uint32 // by hash of the token: rank+1 (rankBits), and above it more bits of the hash; 0 is empty
	mask  uint64
	seed  maphash.Seed
}

func newVocab(data string) *vocab {
	v := &vocab{data: data, seed: maphash.MakeSeed()}
	n := 0
	for i := 0; i < len(data); i += 1 + int(data[i]) {
		n++
	}
	if n >= rankMask {
		panic("tokens: the vocabulary has more ranks than a slot holds")
	}
	v.start = make([]uint32, 0, n)
	for i := 0; i < len(data); i += 1 + int(data[i]) {
		v.start = append(v.start, uint32(i))
	}
	size := 1
	for size < 2*len(v.start) { // at most half full: probes stay short
		size <<= 1
	}
	v.slots, v.mask = make([]uint32, size), uint64(size-1)
	for rank := range v.start {
		full := maphash.String(v.seed, v.token(uint32(rank)))
		h := full & v.mask
		for v.slots[h] != 0 {
			h = (h + 1) & v.mask
		}
		v.slots[h] = uint32(rank) + 1 | tag(full)
	}
	return v
}

// rankBits hold a rank+1 in a slot (cl100k's ranks are below 2^17); the
// other bits of the slot are a tag from the top of the token's hash, so that
// most probes of a text that is not a token (most of what merging asks)
// end without comparing bytes.
const (
	rankBits = 17
	rankMask = 1<<rankBits - 1
)

func tag(hash uint64) uint32 { return uint32(hash>>(64-(32-rankBits))) << rankBits }

func (v *vocab) token(rank uint32) string {
	i := v.start[rank]
	return v.data[i+1 : i+1+uint32(v.data[i])]
}

// rank returns the rank of token s, or noRank.
func (v *vocab) rank(s string) uint32 {
	full := maphash.String(v.seed, s)
	want := tag(full)
	for h := full & v.mask; ; h = (h + 1) & v.mask {
		slot := v.slots[h]
		if slot == 0 {
			return noRank
		}
		if slot&^rankMask == want {
			if r := slot&rankMask - 1; v.token(r) == s {
				return r
			}
		}
	}
}

// noRank: not a token, so the pair it would join never merges.
const noRank = math.MaxUint32

// count returns how many tokens cl100k encodes s into.
func (v *vocab) count(s string) int {
	if !utf8.ValidString(s) {
		// tiktoken-go's pattern engine reads the text as runes, so each
		// byte that is not UTF-8 becomes U+FFFD before encoding.
		s = string([]rune(s))
	}
	n := 0
	var m merger
	for i := 0; i < len(s); {
		end := pieceEnd(s, i)
		piece := s[i:end]
		if len(piece) == 1 || v.rank(piece) != noRank {
			n++
		} else {
			n += m.parts(v, piece)
		}
		i = end
	}
	return n
}
