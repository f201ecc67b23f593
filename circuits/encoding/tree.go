package encoding

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// MaxDepth is the largest supported sparse Merkle tree depth.
const MaxDepth = 32

// SparseTree is a sparse Merkle tree (docs/ENCODING.md "Field, hash, tree"): leaf index bits
// little-endian, parent = Compress(left, right), absent leaves are 0 and empty subtrees hash as
// z0 = 0, z(k+1) = Compress(zk, zk). Only non-empty nodes are stored.
type SparseTree struct {
	depth int
	zero  []fr.Element            // zero[k]: root of an empty subtree of height k
	nodes []map[uint64]fr.Element // nodes[k][i]: node i at level k (k = 0: leaves)
}

// NewSparseTree returns an empty tree of the given depth in [1, 32].
func NewSparseTree(depth int) *SparseTree {
	if depth < 1 || depth > MaxDepth {
		panic(fmt.Sprintf("encoding: tree depth must be in [1, %d], was %d", MaxDepth, depth))
	}
	t := &SparseTree{depth: depth, zero: EmptyHashes(depth), nodes: make([]map[uint64]fr.Element, depth+1)}
	for k := range t.nodes {
		t.nodes[k] = map[uint64]fr.Element{}
	}
	return t
}

// EmptyHashes returns z0..z(depth).
func EmptyHashes(depth int) []fr.Element {
	z := make([]fr.Element, depth+1)
	for k := 1; k <= depth; k++ {
		z[k] = Compress(z[k-1], z[k-1])
	}
	return z
}

// Depth is the tree depth.
func (t *SparseTree) Depth() int { return t.depth }

func (t *SparseTree) node(level int, i uint64) fr.Element {
	if v, ok := t.nodes[level][i]; ok {
		return v
	}
	return t.zero[level]
}

func (t *SparseTree) checkIndex(index uint64) {
	if t.depth < 64 && index>>uint(t.depth) != 0 {
		panic(fmt.Sprintf("encoding: leaf index %d out of range for depth %d", index, t.depth))
	}
}

// Set stores leaf at index (0 removes it) and updates the path to the root.
func (t *SparseTree) Set(index uint64, leaf fr.Element) {
	t.checkIndex(index)
	cur := leaf
	i := index
	for k := 0; k <= t.depth; k++ {
		if cur.Equal(&t.zero[k]) {
			delete(t.nodes[k], i)
		} else {
			t.nodes[k][i] = cur
		}
		if k == t.depth {
			break
		}
		if i&1 == 0 {
			cur = Compress(cur, t.node(k, i^1))
		} else {
			cur = Compress(t.node(k, i^1), cur)
		}
		i >>= 1
	}
}

// Leaf returns the leaf at index (0 if absent).
func (t *SparseTree) Leaf(index uint64) fr.Element {
	t.checkIndex(index)
	return t.node(0, index)
}

// Root returns the root.
func (t *SparseTree) Root() fr.Element { return t.node(t.depth, 0) }

// Path returns the siblings of leaf index, leaf level first.
func (t *SparseTree) Path(index uint64) []fr.Element {
	t.checkIndex(index)
	out := make([]fr.Element, t.depth)
	i := index
	for k := 0; k < t.depth; k++ {
		out[k] = t.node(k, i^1)
		i >>= 1
	}
	return out
}

// RootFromPath recomputes the root from a leaf, its index and its siblings (leaf level first).
func RootFromPath(leaf fr.Element, index uint64, path []fr.Element) fr.Element {
	cur := leaf
	for k := range path {
		if (index>>uint(k))&1 == 0 {
			cur = Compress(cur, path[k])
		} else {
			cur = Compress(path[k], cur)
		}
	}
	return cur
}
