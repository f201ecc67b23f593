// Package encoding is the native Go reference of docs/ENCODING.md: Poseidon2 compression and
// Merkle-Damgard hashing, word packing, the sparse Merkle tree, the account leaf, the risk vector
// (instrument entries, globals, riskRoot) and the exact margin arithmetic. Go tests use it to build
// witnesses independently of the Java implementation.
package encoding

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
)

// Modulus returns a fresh copy of the BN254 scalar field modulus r.
func Modulus() *big.Int { return fr.Modulus() }

var perm = poseidon2.NewDefaultPermutation()

// Compress is the Poseidon2 2-to-1 compression perm(l, r)[1] + r (gnark's Compress, width 2).
func Compress(l, r fr.Element) fr.Element {
	x := [2]fr.Element{l, r}
	if err := perm.Permutation(x[:]); err != nil {
		panic(err) // width is fixed to 2: cannot happen
	}
	var out fr.Element
	out.Add(&x[1], &r)
	return out
}

// HashMD is the Merkle-Damgard hash with IV 0 and no length padding:
// s = 0; for x in xs: s = Compress(s, x).
func HashMD(xs ...fr.Element) fr.Element {
	var s fr.Element
	for _, x := range xs {
		s = Compress(s, x)
	}
	return s
}

// FromBig reduces a non-negative or negative integer into the field (x mod r).
func FromBig(x *big.Int) fr.Element {
	var e fr.Element
	e.SetBigInt(x)
	return e
}

// ToBig returns the canonical integer in [0, r) of e.
func ToBig(e fr.Element) *big.Int {
	var b big.Int
	e.BigInt(&b)
	return &b
}
