// Package nonneg asserts that a field element is a small non-negative integer.
package nonneg

import "github.com/consensys/gnark/frontend"

// Assert constrains x to be in [0, 2^n) by an n-bit decomposition (n + 1 constraints). For a signed
// x with |x| < 2^n and n well below the field size (n <= 250), this is x >= 0: a negative x is the
// field element r - |x| >= r - 2^n > 2^n and has no n-bit decomposition.
func Assert(api frontend.API, x frontend.Variable, n int) {
	if n < 1 || n > 250 {
		panic("nonneg: bit width must be in [1, 250]")
	}
	api.ToBinary(x, n)
}
