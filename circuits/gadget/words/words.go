// Package words unpacks a field element that packs three signed 64-bit words
// (docs/ENCODING.md "Words and packing": e = u0 + u1*2^64 + u2*2^128, u = v + 2^63).
package words

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// PerElement is the number of words in one packed element.
const PerElement = 3

// Bits is the width of one word.
const Bits = 64

// Word is one unpacked word.
type Word struct {
	// Value is the signed value v = u - 2^63 in [-2^63, 2^63) (a linear expression, no constraint).
	Value frontend.Variable
	// Neg is 1 if v < 0 and 0 otherwise (it is 1 - bit 63 of u; a linear expression).
	Neg frontend.Variable
	// Bits are the 64 bits of u, little-endian; for v >= 0 the low 63 bits are the bits of v.
	Bits []frontend.Variable
}

// AssertNonNegative constrains v >= 0 (bit 63 of u is 1). One constraint.
func (w Word) AssertNonNegative(api frontend.API) { api.AssertIsEqual(w.Neg, 0) }

var offset = new(big.Int).Lsh(big.NewInt(1), 63)

// Unpack decomposes e into 192 bits with one api.ToBinary (193 constraints), which also proves
// e < 2^192, and returns the three words, least significant first.
func Unpack(api frontend.API, e frontend.Variable) [PerElement]Word {
	bits := api.ToBinary(e, PerElement*Bits)
	var out [PerElement]Word
	for k := 0; k < PerElement; k++ {
		b := bits[k*Bits : (k+1)*Bits]
		// v = u - 2^63 = low63 + 2^63*bit63 - 2^63 = low63 - 2^63*(1 - bit63); linear, no constraint
		neg := api.Sub(1, b[Bits-1])
		out[k] = Word{Value: api.Sub(Recompose(api, b[:Bits-1]), api.Mul(neg, offset)), Neg: neg, Bits: b}
	}
	return out
}

// UnpackAll unpacks a sequence of packed elements and returns the first n words.
func UnpackAll(api frontend.API, elements []frontend.Variable, n int) []Word {
	out := make([]Word, 0, len(elements)*PerElement)
	for _, e := range elements {
		w := Unpack(api, e)
		out = append(out, w[:]...)
	}
	if n > len(out) {
		panic("words: not enough packed elements")
	}
	return out[:n]
}

// Recompose returns sum bits[i]*2^i as a linear expression (no constraint; the bits must already be
// constrained boolean).
func Recompose(api frontend.API, bits []frontend.Variable) frontend.Variable {
	var acc frontend.Variable = 0
	c := big.NewInt(1)
	for _, b := range bits {
		acc = api.Add(acc, api.Mul(b, new(big.Int).Set(c)))
		c.Lsh(c, 1)
	}
	return acc
}

// AssertInRange constrains 0 <= v < 2^n for 1 <= n <= 63 with one constraint: bit 63 of u is 1 and
// bits n..62 of u are 0 (their weighted sum plus Neg, a sum of non-negative small terms, is zero).
func (w Word) AssertInRange(api frontend.API, n int) {
	if n < 1 || n > Bits-1 {
		panic("words: range width must be in [1, 63]")
	}
	api.AssertIsEqual(api.Add(Recompose(api, w.Bits[n:Bits-1]), w.Neg), 0)
}
