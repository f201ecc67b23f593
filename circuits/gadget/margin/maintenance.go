package margin

import (
	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// Equity returns E = sum_a b[a]*price[a] + N * sum_j q_j * (mark_j - fundingIndex_j + snap_j), nano quote
// atoms (docs/ENCODING.md "Margin"): a balance valued at cp[a] when b >= 0 and at the debt price dp[a] when
// b < 0 (selected by the balance's sign bit), every position closed at its committed mark with its funding
// settled. Only Cp, Dp of g and Mark, FundingIndex of the entries are read.
func Equity(api frontend.API, bal []Balance, pos []Position, ent []Entry, g Globals) frontend.Variable {
	E := frontend.Variable(0)
	for a := range bal {
		price := api.Add(g.Cp[a], api.Mul(bal[a].Neg, api.Sub(g.Dp[a], g.Cp[a])))
		E = api.Add(E, api.Mul(bal[a].Value, price))
	}
	posValue := frontend.Variable(0)
	for j := range pos {
		unit := api.Add(api.Sub(ent[j].Mark, ent[j].FundingIndex), pos[j].Snap)
		posValue = api.Add(posValue, api.Mul(pos[j].Q, unit))
	}
	return api.Add(E, api.Mul(posValue, encoding.Nano))
}

// MaintenanceLosses returns the per-scenario maintenance losses L[s] = -(sum_a b[a]*C[a][s] + N * sum_j q_j *
// Rmm_j[s]) (nano quote atoms, |L[s]| < 2^LossBits) and the floor charge N * sum_j |q_j| * floorMm_j (nano quote
// atoms), so that MM = (max(0, max_s L[s]) + floor) * tierFactor. Reads C of g and Rmm, FloorMm of the entries.
func MaintenanceLosses(api frontend.API, s encoding.Sizes, bal []Balance, pos []Position, ent []Entry,
	g Globals) (L []frontend.Variable, floor frontend.Variable) {
	L = make([]frontend.Variable, s.S)
	posL := make([]frontend.Variable, s.S)
	for k := range L {
		L[k], posL[k] = 0, 0
	}
	for a := range bal {
		for k := 0; k < s.S; k++ {
			L[k] = api.Sub(L[k], api.Mul(bal[a].Value, g.C[a][k]))
		}
	}
	floor = 0
	for j := range pos {
		absQ := api.Mul(pos[j].Q, api.Sub(1, api.Mul(2, pos[j].QNeg)))
		floor = api.Add(floor, api.Mul(absQ, ent[j].FloorMm))
		for k := 0; k < s.S; k++ {
			posL[k] = api.Add(posL[k], api.Mul(pos[j].Q, ent[j].Rmm[k]))
		}
	}
	for k := range L {
		L[k] = api.Sub(L[k], api.Mul(posL[k], encoding.Nano))
	}
	return L, api.Mul(floor, encoding.Nano)
}

// InitialLosses is MaintenanceLosses with the initial-margin arrays: LIm[s] = -(sum_a b[a]*C[a][s] + N * sum_j
// q_j * Rim_j[s]) and the floor charge N * sum_j |q_j| * floorIm_j, so that IM = (max(0, max_s LIm[s]) + floor) *
// tierFactor. Reads C of g and Rim, FloorIm of the entries.
func InitialLosses(api frontend.API, s encoding.Sizes, bal []Balance, pos []Position, ent []Entry,
	g Globals) (LIm []frontend.Variable, floor frontend.Variable) {
	im := make([]Entry, len(ent))
	for j, e := range ent {
		im[j] = Entry{Mark: e.Mark, FundingIndex: e.FundingIndex, FloorMm: e.FloorIm, Rmm: e.Rim}
	}
	return MaintenanceLosses(api, s, bal, pos, im, g)
}
