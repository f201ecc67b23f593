// Package merkle recomputes a sparse Merkle root in a circuit (docs/ENCODING.md "Field, hash, tree":
// index bits little-endian, bit k = 1 means the node at level k is a right child,
// parent = Poseidon2 Compress(left, right)).
package merkle

import (
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash"
	"github.com/consensys/gnark/std/permutation/poseidon2"
)

// Hasher is the 2-to-1 compression used for parents (gnark's std/hash Compressor).
type Hasher = hash.Compressor

// NewHasher returns gnark's Poseidon2 permutation with the default BN254 parameters (width 2).
func NewHasher(api frontend.API) (Hasher, error) { return poseidon2.NewPoseidon2(api) }

// Root recomputes the root from leaf, siblings (leaf level first) and index bits (little-endian, one
// per level; each must already be constrained boolean). One constraint per level plus the hash.
func Root(api frontend.API, h Hasher, leaf frontend.Variable, siblings, indexBits []frontend.Variable) frontend.Variable {
	if len(siblings) != len(indexBits) {
		panic("merkle: need one index bit per sibling")
	}
	cur := leaf
	for k := range siblings {
		// left = bit ? sibling : cur; right = cur + sibling - left
		left := api.Add(cur, api.Mul(indexBits[k], api.Sub(siblings[k], cur)))
		right := api.Sub(api.Add(cur, siblings[k]), left)
		cur = h.Compress(left, right)
	}
	return cur
}
