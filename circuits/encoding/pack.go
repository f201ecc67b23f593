package encoding

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// WordsPerElement is the number of 64-bit words packed into one field element.
const WordsPerElement = 3

// WordOffset is 2^63: a signed word v is carried as the unsigned u = v + 2^63.
var WordOffset = new(big.Int).Lsh(big.NewInt(1), 63)

// WordToUnsigned returns u = v + 2^63 in [0, 2^64) as a big integer.
func WordToUnsigned(v int64) *big.Int {
	return new(big.Int).SetUint64(uint64(v) ^ (1 << 63))
}

// PackedLen is the number of field elements that n words pack into (ceil(n / 3)).
func PackedLen(n int) int { return (n + WordsPerElement - 1) / WordsPerElement }

// PackBig packs words little-endian, three per element (e = u0 + u1*2^64 + u2*2^128), padding the last
// element with words of value 0, and returns the elements as integers in [0, 2^192).
func PackBig(words []int64) []*big.Int {
	out := make([]*big.Int, PackedLen(len(words)))
	for i := range out {
		e := new(big.Int)
		for k := WordsPerElement - 1; k >= 0; k-- {
			var w int64
			if idx := i*WordsPerElement + k; idx < len(words) {
				w = words[idx]
			}
			e.Lsh(e, 64)
			e.Or(e, WordToUnsigned(w))
		}
		out[i] = e
	}
	return out
}

// Pack is PackBig as field elements.
func Pack(words []int64) []fr.Element {
	b := PackBig(words)
	out := make([]fr.Element, len(b))
	for i := range b {
		out[i].SetBigInt(b[i])
	}
	return out
}

// ElementsFromBig converts integers to field elements (reduced mod r).
func ElementsFromBig(xs []*big.Int) []fr.Element {
	out := make([]fr.Element, len(xs))
	for i := range xs {
		out[i].SetBigInt(xs[i])
	}
	return out
}
