// Package margin is the margin arithmetic of docs/ENCODING.md "Margin" as a circuit gadget: equity E, the
// per-scenario losses L[s] (maintenance) and LIm[s] (initial), the floors, and the effective-IM check
// E * 10^6 >= max(IM, MM) with prover-supplied bounds m >= MMcore, mIm >= IMcore. The batch circuit uses it
// for every account a trade, withdrawal or transfer touches; the health circuit computes the same numbers
// (kept in place there so that its constraint system, and so its checked-in verifier, stays unchanged).
package margin

import (
	"math/big"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
)

// CheckBits is the width of the final comparisons (as the health circuit's HealthCheckBits).
const CheckBits = 230

// Entry is one instrument's risk entry, as values (every word already range checked where it entered).
type Entry struct {
	Mark, FundingIndex, FloorMm, FloorIm frontend.Variable
	Rmm, Rim                             []frontend.Variable // S each
}

// Position is one position slot: signed quantity (value and sign bit) and funding snapshot.
type Position struct {
	Q, QNeg, Snap frontend.Variable
}

// Globals are the risk globals as values: cp, dp and C[a][s] per asset (cp, dp >= 0 checked where they
// entered).
type Globals struct {
	Cp, Dp []frontend.Variable
	C      [][]frontend.Variable
}

// Balance is one collateral balance: value and sign bit.
type Balance struct {
	Value, Neg frontend.Variable
}

// Check is one non-negativity claim: Expr >= 0 with |Expr| < 2^Bits.
type Check struct {
	Expr frontend.Variable
	Bits int
}

// LossBits is the width of m and every L[s] for the sizes (as health's computeBounds).
func LossBits(s encoding.Sizes) int {
	word2 := new(big.Int).Lsh(big.NewInt(1), 126)
	nP := new(big.Int).Mul(encoding.Nano, big.NewInt(int64(s.P)))
	l := new(big.Int).Mul(big.NewInt(int64(s.A)), word2)
	l.Add(l, new(big.Int).Mul(nP, word2))
	return l.BitLen()
}

// EffectiveIM returns the claims that together prove E * 10^6 >= max(IM, MM) for an account with the given
// balances, positions (with the entry of each; any entry for an empty slot), tier factor and bounds m, mIm:
// m >= 0, m >= L[s], mIm >= 0, mIm >= LIm[s], E*10^6 - MM >= 0, E*10^6 - IM >= 0. The caller asserts each
// (possibly gated by a flag: nonneg.Assert(api, flag*Expr, Bits)).
func EffectiveIM(api frontend.API, s encoding.Sizes, bal []Balance, pos []Position, ent []Entry, g Globals,
	tierFactor, m, mIm frontend.Variable) []Check {
	nano := encoding.Nano
	lossBits := LossBits(s)
	E := frontend.Variable(0)
	L := make([]frontend.Variable, s.S)
	LIm := make([]frontend.Variable, s.S)
	for k := range L {
		L[k], LIm[k] = 0, 0
	}
	for a := range bal {
		price := api.Add(g.Cp[a], api.Mul(bal[a].Neg, api.Sub(g.Dp[a], g.Cp[a])))
		E = api.Add(E, api.Mul(bal[a].Value, price))
		for k := 0; k < s.S; k++ {
			t := api.Mul(bal[a].Value, g.C[a][k])
			L[k] = api.Sub(L[k], t)
			LIm[k] = api.Sub(LIm[k], t)
		}
	}
	posValue, floorMm, floorIm := frontend.Variable(0), frontend.Variable(0), frontend.Variable(0)
	posL := make([]frontend.Variable, s.S)
	posLIm := make([]frontend.Variable, s.S)
	for k := range posL {
		posL[k], posLIm[k] = 0, 0
	}
	for j := range pos {
		q, e := pos[j].Q, ent[j]
		unit := api.Add(api.Sub(e.Mark, e.FundingIndex), pos[j].Snap)
		posValue = api.Add(posValue, api.Mul(q, unit))
		absQ := api.Mul(q, api.Sub(1, api.Mul(2, pos[j].QNeg)))
		floorMm = api.Add(floorMm, api.Mul(absQ, e.FloorMm))
		floorIm = api.Add(floorIm, api.Mul(absQ, e.FloorIm))
		for k := 0; k < s.S; k++ {
			posL[k] = api.Add(posL[k], api.Mul(q, e.Rmm[k]))
			posLIm[k] = api.Add(posLIm[k], api.Mul(q, e.Rim[k]))
		}
	}
	E = api.Add(E, api.Mul(posValue, nano))
	checks := []Check{{m, lossBits}, {mIm, lossBits}}
	for k := 0; k < s.S; k++ {
		checks = append(checks,
			Check{api.Sub(m, api.Sub(L[k], api.Mul(posL[k], nano))), lossBits + 1},
			Check{api.Sub(mIm, api.Sub(LIm[k], api.Mul(posLIm[k], nano))), lossBits + 1})
	}
	mm := api.Mul(api.Add(m, api.Mul(floorMm, nano)), tierFactor)
	im := api.Mul(api.Add(mIm, api.Mul(floorIm, nano)), tierFactor)
	e6 := api.Mul(E, 1_000_000)
	checks = append(checks, Check{api.Sub(e6, mm), CheckBits}, Check{api.Sub(e6, im), CheckBits})
	return checks
}

// AssertAll asserts every claim, each multiplied by flag (a boolean): with flag 0 nothing is claimed.
func AssertAll(api frontend.API, flag frontend.Variable, checks []Check) {
	for _, c := range checks {
		nonneg.Assert(api, api.Mul(flag, c.Expr), c.Bits)
	}
}

// WordBalances and helpers adapt unpacked words.
func WordBalances(ws []words.Word) []Balance {
	out := make([]Balance, len(ws))
	for i, w := range ws {
		out[i] = Balance{w.Value, w.Neg}
	}
	return out
}
