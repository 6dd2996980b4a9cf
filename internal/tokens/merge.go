package tokens

// merger counts the tokens of a piece that is not itself a token, by
// byte-pair merging: join the adjacent pair of parts whose joined bytes have
// the lowest rank (the leftmost of equals), until no pair is a token. Its
// slices are kept between pieces of one text.
type merger struct {
	bounds []int    // where each part starts, then the piece's end
	ranks  []uint32 // ranks[i]: rank of parts i and i+1 joined
	nodes  []node
	heap   pairHeap
}

// longPiece is the length from which a piece is merged with a heap: a scan
// for the lowest pair costs O(n) a merge, so O(n²) a piece; long runs of
// letters or symbols (identifiers, hashes, rules of '=') would be slow.
const longPiece = 64

// parts returns how many tokens piece becomes.
func (m *merger) parts(v *vocab, piece string) int {
	if len(piece) >= longPiece {
		return m.partsHeap(v, piece)
	}
	b := m.bounds[:0]
	for i := range len(piece) + 1 {
		b = append(b, i)
	}
	pair := func(i int) uint32 { return v.rank(piece[b[i]:b[i+2]]) }
	r := m.ranks[:0]
	for i := range len(b) - 2 {
		r = append(r, pair(i))
	}
	for len(r) > 0 {
		low := 0
		for i, x := range r {
			if x < r[low] {
				low = i
			}
		}
		if r[low] == noRank {
			break
		}
		b = append(b[:low+1], b[low+2:]...)
		r = append(r[:low], r[low+1:]...)
		if low < len(r) {
			r[low] = pair(low)
		}
		if low > 0 {
			r[low-1] = pair(low - 1)
		}
	}
	m.bounds, m.ranks = b, r
	return len(b) - 1
}

// node is a part in partsHeap's list: where it starts, its neighbours, and
// the rank of it joined with the next part.
type node struct {
	prev, next int32
	rank       uint32
}

// partsHeap is parts in O(n log n): the parts are a linked list and the
// candidate pairs a heap; a pair whose rank changed since it was pushed is
// skipped when it comes up.
func (m *merger) partsHeap(v *vocab, piece string) int {
	n := int32(len(piece))
	nodes := m.nodes[:0]
	for i := range n + 1 {
		nodes = append(nodes, node{prev: i - 1, next: i + 1, rank: noRank})
	}
	nodes[n].next = -1
	joined := func(i int32) uint32 { // rank of part i joined with the next one
		j := nodes[i].next
		if j < 0 || nodes[j].next < 0 {
			return noRank
		}
		return v.rank(piece[i:nodes[j].next])
	}
	h := m.heap[:0]
	for i := range n - 1 {
		if nodes[i].rank = joined(i); nodes[i].rank != noRank {
			h = append(h, pairAt{nodes[i].rank, i})
		}
	}
	h.init()
	count := int(n)
	for len(h) > 0 {
		top := h.pop()
		i := top.at
		if nodes[i].rank != top.rank {
			continue // stale: the part changed since
		}
		j := nodes[i].next
		k := nodes[j].next
		nodes[i].next = k
		nodes[j].rank = noRank
		if k >= 0 {
			nodes[k].prev = i
		}
		count--
		for _, p := range [2]int32{i, nodes[i].prev} {
			if p < 0 {
				continue
			}
			if nodes[p].rank = joined(p); nodes[p].rank != noRank {
				h.push(pairAt{nodes[p].rank, p})
			}
		}
	}
	m.nodes, m.heap = nodes, h
	return count
}

// pairAt is a candidate join: its rank and where its left part starts.
type pairAt struct {
	rank uint32
	at   int32
}

// pairHeap is a min-heap of candidate joins, by rank and then position (the
// leftmost of equal ranks joins first). It is typed rather than
// container/heap so that pushes do not allocate.
type pairHeap []pairAt

func (h pairHeap) less(a, b int) bool {
	return h[a].rank < h[b].rank || h[a].rank == h[b].rank && h[a].at < h[b].at
}

func (h pairHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *pairHeap) push(p pairAt) {
	*h = append(*h, p)
	for i := len(*h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		(*h)[i], (*h)[parent] = (*h)[parent], (*h)[i]
		i = parent
	}
}

func (h *pairHeap) pop() pairAt {
	old := *h
	top := old[0]
	last := len(old) - 1
	old[0] = old[last]
	*h = old[:last]
	h.down(0)
	return top
}

func (h pairHeap) down(i int) {
	for {
		low, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h.less(l, low) {
			low = l
		}
		if r < len(h) && h.less(r, low) {
			low = r
		}
		if low == i {
			return
		}
		h[i], h[low] = h[low], h[i]
		i = low
	}
}
