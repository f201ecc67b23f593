package batch

import (
	"math/big"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/margin"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
)

// KindDeleverage is auto-deleveraging in a request slot (docs/LIQUIDATION.md sections 4 and 9): the bankrupt
// account A (AccountID) closes TakeLots[j] lots of its position slot j (exactly one non-zero take) against the
// counterparty B (LiquidatorID), whose opposite position in slot LiqPos[j] is at least that large, at the mark plus
// the position's share of A's deficit (the bankruptcy price), paid by B. It shares the liquidation slot's openings
// of A and B, its takes and its trade legs (liquidation.go); what is its own is here.
//
// Not proven here: that B is the most profitable holder of an opposite position (NOT_MOST_PROFITABLE). A circuit
// that opens only A and B cannot show that no other account ranks higher; the data-availability committee's
// replay (dac ReplayState, through Ledger.deleverage) refuses a batch whose counterparty is not the ledger's
// choice, and without its quorum finalizeBatch reverts.
const KindDeleverage = 10

// DeficitBits bounds a deleverage's deficit: -E of A in [1, 2^DeficitBits] nano quote atoms (2^100 nano atoms is
// about 1.3 x 10^21 quote atoms; Ledger.deleverage refuses more with OVERFLOW), so that D * share stays below
// 2^232 and the bankruptcy-price division is exact in the field.
const DeficitBits = 100

// dlvLossBits bounds the loss a deleverage pays: loss <= ceil(D / N) < 2^71.
const dlvLossBits = 72

// dlvDenBits bounds the divisor N * sum_j |q_j| * mark_j < 2^30 * P * 2^126 <= 2^162 (P <= 64, checkLiqBounds).
const dlvDenBits = 163

// dlvCheck is one deleverage's claim that the insurance fund cannot cover its deficit, checked against the fund's
// balance where the batch opens the fund (fundCannotCover).
type dlvCheck struct{ flag, deficit frontend.Variable }

// deleverageA asserts the rules of a deleverage (flag dlv) on A's old state and returns the loss B pays A (0 when
// dlv is 0): A's equity E0 < 0 with -E0 <= 2^DeficitBits (NO_NEGATIVE_EQUITY), A != B, exactly one non-zero
// position take (its sign and size checked by the liquidation slot: the sign of A's quantity, at most its size), no
// collateral take, and every field the kind does not read 0 (keeper, nonce, penalty, scenario, signature), so a
// kind-10 slot has one encoding. The loss is ceil(D * |t| * mark_j / (N * T)) with D = -E0 and T = sum_j |q_j| *
// mark_j over A's old positions (the whole ceil(D / N) when T = 0), proven as a division with remainder.
// The fund's side (it cannot cover D) is recorded for fundCannotCover.
func (x *context) deleverageA(sl *LiqSlot, dlv, e0 frontend.Variable, oldVals []frontend.Variable, oldW []words.Word,
	ent []margin.Entry, nz []frontend.Variable) frontend.Variable {
	api, s := x.api, x.s
	api.AssertIsEqual(api.Mul(dlv, api.IsZero(api.Sub(sl.AccountID, sl.LiquidatorID))), 0) // SAME_ACCOUNT
	for _, v := range []frontend.Variable{sl.Keeper, sl.Nonce, sl.Penalty, sl.Scenario, sl.Sig.R.X, sl.Sig.R.Y, sl.Sig.S} {
		api.AssertIsEqual(api.Mul(dlv, v), 0)
	}
	for k := 0; k < s.A; k++ {
		api.AssertIsEqual(api.Mul(dlv, sl.TakeAtoms[k]), 0)
	}
	d := api.Neg(e0)
	api.ToBinary(api.Mul(dlv, api.Sub(d, 1)), DeficitBits) // E < 0 and -E <= 2^DeficitBits
	var takes, total, share frontend.Variable = 0, 0, 0
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		sgn := api.Sub(1, api.Mul(2, oldW[o+1].Neg))
		takes = api.Add(takes, nz[j])
		total = api.Add(total, api.Mul(api.Mul(oldVals[o+1], sgn), ent[j].Mark)) // |q| * mark < 2^126
		share = api.Add(share, api.Mul(api.Mul(sl.TakeLots[j], sgn), ent[j].Mark))
	}
	api.AssertIsEqual(api.Mul(dlv, api.Sub(takes, 1)), 0) // one position closes
	zero := api.IsZero(total)
	num := api.Mul(dlv, api.Add(api.Mul(d, share), api.Mul(zero, d))) // < 2^100 * 2^132
	den := api.Add(api.Mul(total, encoding.Nano), api.Mul(zero, encoding.Nano))
	out, err := api.Compiler().NewHint(ceilDivHint, 1, num, den)
	if err != nil {
		panic(err)
	}
	loss := out[0]
	api.ToBinary(loss, dlvLossBits)
	rem := api.Sub(api.Mul(loss, den), num) // loss = ceil(num / den): rem in [0, den)
	api.ToBinary(api.Mul(dlv, rem), dlvDenBits)
	api.ToBinary(api.Mul(dlv, api.Sub(api.Sub(den, 1), rem)), dlvDenBits)
	x.dlv = append(x.dlv, dlvCheck{flag: dlv, deficit: d})
	return api.Mul(dlv, loss)
}

// deleverageB asserts, when dlv is 1, that B's slot LiqPos[j] of each take holds an opposite position at least
// as large as the take (NOT_OPPOSITE): -q_B * sign(q_A) - |t| in [0, 2^64) on B's old leaf lb. A slot named for a
// take must hold the instrument or be free (the trade legs); a free slot fails here.
func (x *context) deleverageB(sl *LiqSlot, dlv frontend.Variable, lb *leaf, oldW []words.Word, nz []frontend.Variable) {
	api, s := x.api, x.s
	for j := 0; j < s.P; j++ {
		var qB frontend.Variable = 0
		for k := 0; k < s.P; k++ {
			qB = api.Add(qB, api.Mul(api.IsZero(api.Sub(sl.LiqPos[j], k)), lb.vals[2+s.A+3*k+1]))
		}
		sgn := api.Sub(1, api.Mul(2, oldW[2+s.A+3*j+1].Neg))
		gap := api.Sub(api.Neg(api.Mul(qB, sgn)), api.Mul(sl.TakeLots[j], sgn))
		api.ToBinary(api.Mul(api.Mul(dlv, nz[j]), gap), 64)
	}
}

// counterpartyCheck replaces the liquidator's effective-IM check of the slot: B meets effective IM after a
// liquidation or an absorbLoss (flag im; LIQUIDATOR_IM_BROKEN, INSURANCE_INSUFFICIENT), and keeps non-negative
// equity after a deleverage (flag dlv; COUNTERPARTY_BANKRUPT). One selection of B's risk rows serves both.
func (x *context) counterpartyCheck(b *Account, lb *leaf, im, dlv frontend.Variable) {
	api := x.api
	ent := x.positionEntries(b, lb, api.Add(im, dlv))
	tf := x.tierFactor(lb, im)
	bal, pos := x.marginState(lb)
	margin.AssertAll(api, im, margin.EffectiveIM(api, x.s.Sizes, bal, pos, ent, x.g, tf, b.MmBound, b.ImBound))
	nonneg.Assert(api, api.Mul(dlv, margin.Equity(api, bal, pos, ent, x.g)), margin.CheckBits)
}

// fundCannotCover asserts each deleverage's INSURANCE_AVAILABLE rule against the insurance fund's opening at the
// end of the batch (creditFund: the fund's leaf after every slot and the fee credit, before the batch's fund
// shares), which a deleverage forces open: fundBalance * N < D, i.e. the fund's quote balance is below the
// deficit ceil(D / N) in quote atoms. D <= 2^100 and |fundBalance * N| < 2^93, so the difference fits 102 bits.
func (x *context) fundCannotCover(fund *Account, fundBalance frontend.Variable) {
	api := x.api
	for _, c := range x.dlv {
		api.AssertIsEqual(api.Mul(c.flag, fund.Empty), 0)
		api.ToBinary(api.Mul(c.flag, api.Sub(api.Sub(c.deficit, api.Mul(fundBalance, encoding.Nano)), 1)), DeficitBits+2)
	}
}

func init() { solver.RegisterHint(ceilDivHint) }

// ceilDivHint: ceil(n / d) for integers n >= 0, d > 0 (0 when d = 0).
func ceilDivHint(_ *big.Int, in []*big.Int, out []*big.Int) error {
	if in[1].Sign() == 0 {
		out[0].SetInt64(0)
		return nil
	}
	q, r := new(big.Int).QuoRem(in[0], in[1], new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	out[0].Set(q)
	return nil
}
