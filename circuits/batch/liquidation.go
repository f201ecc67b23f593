package batch

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/signature/eddsa"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/margin"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
)

// KindLiquidation is the kind of a liquidation slot (5 is kept for settle-expiry, docs/BATCH.md section 2).
// KindAbsorbLoss is the insurance fund covering a closed-out account's negative quote balance (docs/LIQUIDATION.md
// section 3). A liquidation slot holds one of them or 0 (no-op padding); a generic slot never holds them.
const (
	KindLiquidation = 6
	KindAbsorbLoss  = 7
)

// TagLiquidation tags the liquidator's signed message (docs/LIQUIDATION.md section 8).
const TagLiquidation = 4

// PPM is 10^6 (parts per million).
const PPM = 1_000_000

// LiqSlot is one liquidation slot (docs/LIQUIDATION.md section 8): account A (AccountID) is liquidated at the
// batch's risk root, proven by the scenario s* (Scenario); the liquidator B (LiquidatorID) takes TakeLots[j] lots
// of A's position slot j (into its own slot LiqPos[j]) and TakeAtoms[k] atoms of asset k, at the committed marks
// and debt prices, charges Penalty, and signs all of it (Sig, at its nonce Nonce); Keeper is the L1 address of
// the keeper whose request the liquidation answers (0 = none), paid its share of the penalty as a withdrawal.
// A is opened first, B against the root after A's update.
type LiqSlot struct {
	Kind         frontend.Variable   // KindLiquidation or 0
	AccountID    frontend.Variable   // A, < 2^D
	LiquidatorID frontend.Variable   // B, < 2^D
	Keeper       frontend.Variable   // < 2^160, 0 = none
	Nonce        frontend.Variable   // B's nonce, < 2^63
	Penalty      frontend.Variable   // quote atoms, < 2^63
	Scenario     frontend.Variable   // s* in [0, S]
	TakeLots     []frontend.Variable // P signed words
	TakeAtoms    []frontend.Variable // A, each in [0, 2^63); TakeAtoms[0] = 0
	LiqPos       []frontend.Variable // P, each in [0, P): B's slot for A's slot j
	Sig          eddsa.Signature     // B's signature of the liquidation message
	A, B         Account
}

func newLiqSlot(s Sizes) LiqSlot {
	return LiqSlot{TakeLots: make([]frontend.Variable, s.P), TakeAtoms: make([]frontend.Variable, s.A),
		LiqPos: make([]frontend.Variable, s.P), A: newAccount(s), B: newAccount(s)}
}

// LiqWordCount is the number of words a liquidation slot packs into its data: takeLots (P), takeAtoms (A),
// liqPos (P).
func (s Sizes) LiqWordCount() int { return 2*s.P + s.A }

// LiqDataLen is the number of field elements each liquidation slot contributes to dataHash: kind, accountId,
// liquidatorId, keeper, nonce, penalty, scenario, sig R.X, R.Y, S, then the packed words.
func (s Sizes) LiqDataLen() int { return 10 + encoding.PackedLen(s.LiqWordCount()) }

// LiqWords are the slot's packed words in dataHash order: takeLots[0..P-1], takeAtoms[0..A-1], liqPos[0..P-1].
func (sl *LiqSlot) LiqWords() []frontend.Variable {
	w := append([]frontend.Variable{}, sl.TakeLots...)
	w = append(w, sl.TakeAtoms...)
	return append(w, sl.LiqPos...)
}

// slotData is the liquidation slot's data in dataHash order (docs/LIQUIDATION.md section 8). Every packed word
// is range checked in the slot (takes to words, positions to [0, P)), so the packing is injective.
func (sl *LiqSlot) slotData(api frontend.API) []frontend.Variable {
	d := []frontend.Variable{sl.Kind, sl.AccountID, sl.LiquidatorID, sl.Keeper, sl.Nonce, sl.Penalty, sl.Scenario,
		sl.Sig.R.X, sl.Sig.R.Y, sl.Sig.S}
	return append(d, packWords(api, sl.LiqWords())...)
}

// liqParams are the liquidation parameters of the risk globals (docs/LIQUIDATION.md section 1).
type liqParams struct {
	penaltyPpm, insuranceSharePpm, keeperSharePpm, closeTargetPpm, fundID frontend.Variable
}

// liquidationParams reads the liquidation parameters from the unpacked globals words (the
// encoding.GlobalsLiquidationWords words after the T tier factors: penaltyPpm, insuranceSharePpm, keeperSharePpm,
// closeTargetPpm, insuranceFundId) and range checks each as the Java LiquidationParams does: the three shares in [0, 10^6]
// with insurance + keeper <= 10^6, closeTargetPpm in [10^6, 10^7], insuranceFundId in [0, 2^32). The oracle
// quorum signs them in the risk root, so a valid batch always meets these.
func liquidationParams(api frontend.API, gw []words.Word, s Sizes) liqParams {
	w := func(k int) frontend.Variable { return gw[s.T+k].Value }
	p := liqParams{penaltyPpm: w(encoding.GlobalsPenaltyPpm), insuranceSharePpm: w(encoding.GlobalsInsuranceSharePpm),
		keeperSharePpm: w(encoding.GlobalsKeeperSharePpm), closeTargetPpm: w(encoding.GlobalsCloseTargetPpm),
		fundID: w(encoding.GlobalsInsuranceFundId)}
	for _, v := range []frontend.Variable{p.penaltyPpm, p.insuranceSharePpm, p.keeperSharePpm} {
		api.ToBinary(v, 20)
		api.ToBinary(api.Sub(PPM, v), 20)
	}
	api.ToBinary(api.Sub(PPM, api.Add(p.insuranceSharePpm, p.keeperSharePpm)), 20)
	api.ToBinary(api.Sub(p.closeTargetPpm, PPM), 24)
	api.ToBinary(api.Sub(10*PPM, p.closeTargetPpm), 24)
	api.ToBinary(p.fundID, 32)
	return p
}

// LiquidationMsg is the liquidator's message: hashMD(4, riskRoot, keeper, pack(accountId, liquidatorId, nonce,
// penalty, takeLots[0..P-1], takeAtoms[0..A-1])...).
func (x *context) liquidationMsg(sl *LiqSlot) frontend.Variable {
	w := []frontend.Variable{sl.AccountID, sl.LiquidatorID, sl.Nonce, sl.Penalty}
	w = append(w, sl.TakeLots...)
	w = append(w, sl.TakeAtoms...)
	return hashMD(x.md, append([]frontend.Variable{TagLiquidation, x.riskRoot, sl.Keeper}, packWords(x.api, w)...)...)
}

// The bit widths of the liquidation comparisons: the penalty bound (|penaltyPpm * notional| < 2^20 * 2^134) and
// the close-target comparisons (E * 10^12 against max(IM, MM) * closeTargetPpm, checked by checkLiqBounds).
const (
	penaltyBoundBits = 160
	closeCheckBits   = margin.CheckBits
)

// checkLiqBounds panics when the sizes could make a close-target comparison exceed closeCheckBits: |E| * 10^12
// + (2^LossBits + N P 2^126) * 2^32 * 10^7 must stay below 2^closeCheckBits (docs/ENCODING.md "Margin" bounds).
func checkLiqBounds(s Sizes) {
	word2 := new(big.Int).Lsh(big.NewInt(1), 126)
	nP := new(big.Int).Mul(encoding.Nano, big.NewInt(int64(s.P)))
	mm := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(margin.LossBits(s.Sizes))), new(big.Int).Mul(nP, word2))
	mm.Lsh(mm, 32)
	mm.Mul(mm, big.NewInt(10*PPM))
	e := new(big.Int).Mul(big.NewInt(int64(s.A)), word2)
	e.Add(e, new(big.Int).Mul(new(big.Int).Mul(nP, big.NewInt(3)), word2))
	e.Mul(e, big.NewInt(PPM*PPM))
	if new(big.Int).Add(mm, e).BitLen() >= closeCheckBits || s.P > 64 {
		panic(fmt.Sprintf("batch: sizes %s overflow the liquidation bounds", s.ID()))
	}
}

// liquidate applies one liquidation slot (rules: docs/LIQUIDATION.md sections 2 and 8) and returns the root, the
// withdrawal hash (with the keeper's entry) and the requests hash after it.
func (x *context) liquidate(sl *LiqSlot, root, wHash, reqHash frontend.Variable) (frontend.Variable, frontend.Variable, frontend.Variable) {
	api, s, p := x.api, x.s, x.liq
	active := api.IsZero(api.Sub(sl.Kind, KindLiquidation))
	absorb := api.IsZero(api.Sub(sl.Kind, KindAbsorbLoss))
	fw := x.forcedKinds(sl)                                                         // kinds 8, 9 (forced.go)
	api.AssertIsEqual(api.Add(active, absorb, fw.any(api), api.IsZero(sl.Kind)), 1) // kind 6, 7, 8, 9 or a no-op
	touch := api.Add(active, absorb)                                                // A and B are updated

	aBits := api.ToBinary(sl.AccountID, s.D)
	bBits := api.ToBinary(sl.LiquidatorID, s.D)
	api.ToBinary(sl.Keeper, AddressBits)
	api.ToBinary(sl.Nonce, AmountBits)
	api.ToBinary(sl.Penalty, AmountBits)
	api.AssertIsEqual(api.Mul(active, api.IsZero(api.Sub(sl.AccountID, sl.LiquidatorID))), 0) // SAME_ACCOUNT
	api.AssertIsEqual(api.Mul(touch, api.IsZero(api.Sub(sl.AccountID, p.fundID))), 0)         // the fund is never liquidated
	api.AssertIsEqual(api.Mul(absorb, api.Sub(sl.LiquidatorID, p.fundID)), 0)                 // B is the fund that absorbs

	// A, the liquidated account, at its old state
	a := &sl.A
	l := x.openAccount(a, aBits, root, api.Add(touch, fw.any(api)))
	api.AssertIsEqual(api.Mul(touch, a.Empty), 0)
	x.forcedRules(fw, sl, a, l, l.vals[2])
	evalA := api.Add(active, fw.evaluates(api))
	ent := x.positionEntries(a, l, evalA) // the rows of A's positions (the same instruments after the takes)
	tf := x.tierFactor(l, evalA)
	oldVals := append([]frontend.Variable(nil), l.vals...)
	oldW := append([]words.Word(nil), l.w...)

	// liquidatable: E * 10^6 < (L[s*] + floorMm) * tierFactor (circuits/liquidation), s* = S the term 0
	bal0, pos0 := x.marginState(l)
	E0 := margin.Equity(api, bal0, pos0, ent, x.g)
	L0, floor0 := margin.MaintenanceLosses(api, s.Sizes, bal0, pos0, ent, x.g)
	var lSel, hit frontend.Variable = 0, 0
	for k := 0; k <= s.S; k++ {
		is := api.IsZero(api.Sub(sl.Scenario, k))
		hit = api.Add(hit, is)
		if k < s.S {
			lSel = api.Add(lSel, api.Mul(is, L0[k]))
		}
	}
	api.AssertIsEqual(hit, 1) // s* in [0, S]
	mmSel := api.Mul(api.Add(lSel, floor0), tf)
	nonneg.Assert(api, api.Mul(active, api.Sub(api.Sub(mmSel, api.Mul(E0, PPM)), 1)), margin.CheckBits) // NOT_LIQUIDATABLE

	// position takes: the sign of the slot's quantity, at most its size; each moves as a trade leg at the mark
	var any, cash, notional frontend.Variable = 0, 0, 0
	legs := &tradeLegs{}
	posA := make([]frontend.Variable, s.P)
	nz := make([]frontend.Variable, s.P)
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		t := sl.TakeLots[j]
		assertWord(api, t)
		sgn := api.Sub(1, api.Mul(2, oldW[o+1].Neg)) // the sign of q (1 for q = 0)
		absT := api.Mul(t, sgn)
		api.ToBinary(absT, 64)                                      // t has the sign of q (t = 0 when q = 0, below)
		api.ToBinary(api.Sub(api.Mul(oldVals[o+1], sgn), absT), 64) // |t| <= |q|
		nz[j] = api.Sub(1, api.IsZero(t))
		act := api.Mul(active, nz[j])
		any = api.Add(any, nz[j])
		cash = api.Add(cash, api.Mul(act, api.Mul(t, ent[j].Mark))) // |t * mark| < 2^126
		notional = api.Add(notional, api.Mul(act, api.Mul(absT, ent[j].Mark)))
		posA[j] = j
		legs.active = append(legs.active, act)
		legs.delta = append(legs.delta, api.Mul(act, t))
		legs.inst = append(legs.inst, oldVals[o])
		legs.funding = append(legs.funding, ent[j].FundingIndex)
	}
	// A gives the lots (funding settled first, slots emptied at 0) and receives t * mark
	abal0 := x.trade(l, legs, posA, -1)
	abal0 = api.Add(abal0, cash)
	// collateral takes at the debt price: proceeds = floor(c * dp / 10^9)
	proceeds := make([]frontend.Variable, s.A)
	var procSum frontend.Variable = 0
	for k := 0; k < s.A; k++ {
		c := sl.TakeAtoms[k]
		api.ToBinary(c, AmountBits)
		if k == 0 {
			api.AssertIsEqual(c, 0) // BAD_ASSET: the quote asset is not taken
			proceeds[k] = 0
			continue
		}
		any = api.Add(any, api.Sub(1, api.IsZero(c)))
		api.ToBinary(api.Mul(active, api.Sub(oldVals[2+k], c)), 64) // c <= balance[k]
		proceeds[k] = x.floorDiv(api.Mul(c, x.g.Dp[k]), encoding.Nano, 97)
		procSum = api.Add(procSum, api.Mul(active, proceeds[k]))
	}
	api.AssertIsEqual(api.Mul(active, api.IsZero(any)), 0) // BAD_AMOUNT: something is taken
	notional = api.Add(notional, procSum)
	abal0 = api.Add(abal0, procSum)
	for k := 0; k < s.A; k++ {
		v := l.vals[2+k]
		if k == 0 {
			v = abal0
		} else {
			v = api.Sub(v, api.Mul(active, sl.TakeAtoms[k]))
		}
		x.setWord(l, 2+k, v)
	}
	x.setQuantities(l)

	// penalty: penalty * 10^6 <= penaltyPpm * notional + 10^6 - 1, and penalty * N <= E after the moves
	nonneg.Assert(api, api.Mul(active, api.Sub(api.Add(api.Mul(p.penaltyPpm, notional), PPM-1), api.Mul(sl.Penalty, PPM))),
		penaltyBoundBits)
	balM, posM := x.marginState(l)
	eMoves := margin.Equity(api, balM, posM, ent, x.g)
	charged := api.Mul(active, api.Sub(1, api.IsZero(sl.Penalty)))
	nonneg.Assert(api, api.Mul(charged, api.Sub(eMoves, api.Mul(sl.Penalty, encoding.Nano))), margin.CheckBits)
	// shares: floor(penalty * ppm / 10^6); the keeper's only when there is a keeper
	hasKeeper := api.Sub(1, api.IsZero(sl.Keeper))
	fundShare := x.floorDiv(api.Mul(sl.Penalty, p.insuranceSharePpm), big.NewInt(PPM), 64)
	keeperShare := x.floorDiv(api.Mul(hasKeeper, api.Mul(sl.Penalty, p.keeperSharePpm)), big.NewInt(PPM), 64)
	// absorbLoss: A is closed out (no position, no asset but quote) with a negative quote balance, which becomes 0
	for j := 0; j < s.P; j++ {
		api.AssertIsEqual(api.Mul(absorb, oldVals[2+s.A+3*j+1]), 0) // NOT_CLOSED_OUT
	}
	for k := 1; k < s.A; k++ {
		api.AssertIsEqual(api.Mul(absorb, oldVals[2+k]), 0) // NOT_CLOSED_OUT
	}
	api.AssertIsEqual(api.Mul(absorb, api.Sub(1, oldW[2].Neg)), 0) // NO_NEGATIVE_EQUITY
	loss := api.Mul(absorb, oldVals[2])                            // <= 0: what the fund pays (as a balance change)
	x.setWord(l, 2, api.Sub(l.vals[2], api.Add(api.Mul(active, sl.Penalty), loss, fw.debit)))
	root = select1(api, api.Add(touch, fw.paid), x.closeAccount(a, l, aBits), root)

	// close factor: if A meets the close target after, the same takes one unit smaller must not; a forced
	// withdrawal's IM check on the same evaluation of A after (forced.go)
	x.closeFactor(sl, a, l, oldVals, oldW, ent, tf, nz, active, fw)

	// B, the liquidator: opened against the root after A
	b := &sl.B
	lb := x.openAccount(b, bBits, root, touch)
	api.AssertIsEqual(api.Mul(touch, b.Empty), 0)
	api.AssertIsEqual(api.Mul(active, api.Sub(sl.Nonce, lb.vals[0])), 0) // BAD_NONCE
	x.verifySig(active, x.liquidationMsg(sl), lb.pkX, lb.pkY, sl.Sig)
	x.setWord(lb, 0, api.Add(lb.vals[0], active))
	bbal0 := x.trade(lb, legs, sl.LiqPos, 1)
	bbal0 = api.Sub(bbal0, api.Add(cash, procSum))
	bbal0 = api.Add(bbal0, api.Mul(active, api.Sub(sl.Penalty, api.Add(fundShare, keeperShare))))
	bbal0 = api.Add(bbal0, loss)
	api.ToBinary(api.Mul(absorb, bbal0), 64) // INSURANCE_INSUFFICIENT: the fund holds what it pays
	for k := 0; k < s.A; k++ {
		v := lb.vals[2+k]
		if k == 0 {
			v = bbal0
		} else {
			v = api.Add(v, api.Mul(active, sl.TakeAtoms[k]))
		}
		x.setWord(lb, 2+k, v)
	}
	x.setQuantities(lb)
	x.effectiveIM(b, lb, touch) // LIQUIDATOR_IM_BROKEN; the fund after absorbing: INSURANCE_INSUFFICIENT
	root = select1(api, touch, x.closeAccount(b, lb, bBits), root)

	x.fundSum = api.Add(x.fundSum, api.Mul(active, fundShare))
	wHash, reqHash = x.forcedEntries(fw, sl, active, hasKeeper, keeperShare, wHash, reqHash)
	return root, wHash, reqHash
}

// closeFactor asserts, when active, the close factor of docs/LIQUIDATION.md section 2 step 6 on A (l: A after
// the liquidation; oldVals, oldW: A before). meets(X) is E * 10^12 >= max(IM, MM) * closeTargetPpm. A hint
// says whether A meets the target after (the prover's choice: either answer must then be proven):
//   - meets: proven with the bounds a.MmBound >= MMcore, a.ImBound >= IMcore of A after (as an IM check), and
//     the "less" state (every non-zero take one unit smaller, the same penalty) must not meet it;
//   - does not meet: nothing else to prove.
//
// "Does not meet" of the state Y (less or after) is proven by one named term of max(IM, MM) (a hint picks the
// largest): E_Y * 10^12 < term * tierFactor * closeTargetPpm with term one of L[s] + floorMm, floorMm,
// LIm[s] + floorIm, floorIm (each at most MM or IM / tierFactor).
//
// A forced withdrawal (fw, forced.go) uses the same evaluation of A after with the target 10^6 (effective IM:
// E * 10^12 >= max(IM, MM) * 10^6): paid, A must meet it (proven by the bounds); refused by the IM check, A must
// not (Y = after).
func (x *context) closeFactor(sl *LiqSlot, a *Account, l *leaf, oldVals []frontend.Variable, oldW []words.Word,
	ent []margin.Entry, tf frontend.Variable, nz []frontend.Variable, active frontend.Variable, fw *forced) {
	api, s, p := x.api, x.s, x.liq
	target := api.Mul(tf, select1(api, fw.evaluates(api), PPM, p.closeTargetPpm))
	const e12 = PPM * PPM

	// A after
	balA, posA := x.marginState(l)
	eA := margin.Equity(api, balA, posA, ent, x.g)
	termsA := x.marginTerms(balA, posA, ent)
	meets := x.hintMeets(api.Mul(eA, e12), target, termsA)
	api.AssertIsBoolean(meets)
	api.AssertIsEqual(api.Mul(fw.paid, api.Sub(1, meets)), 0) // IM_BROKEN: a paid withdrawal leaves A at IM
	api.AssertIsEqual(api.Mul(fw.refusedIMWord, meets), 0)    // a refusal by IM: Y is A after
	flag := api.Mul(api.Add(active, fw.paid), meets)
	// meets(after), by the bounds (as margin.EffectiveIM, with the target in place of 10^6)
	lossBits := margin.LossBits(s.Sizes)
	m, mIm := a.MmBound, a.ImBound
	nonneg.Assert(api, api.Mul(flag, m), lossBits)
	nonneg.Assert(api, api.Mul(flag, mIm), lossBits)
	floorMm, floorIm := termsA[s.S], termsA[2*s.S+1]
	for k := 0; k < s.S; k++ {
		nonneg.Assert(api, api.Mul(flag, api.Sub(api.Add(m, floorMm), termsA[k])), lossBits+1)
		nonneg.Assert(api, api.Mul(flag, api.Sub(api.Add(mIm, floorIm), termsA[s.S+1+k])), lossBits+1)
	}
	nonneg.Assert(api, api.Mul(flag, api.Sub(api.Mul(eA, e12), api.Mul(api.Add(m, floorMm), target))), closeCheckBits)
	nonneg.Assert(api, api.Mul(flag, api.Sub(api.Mul(eA, e12), api.Mul(api.Add(mIm, floorIm), target))), closeCheckBits)

	// the less state, from A before: takes t - sign(t) (funding settled only where that is non-zero), atoms c - 1
	balL := make([]margin.Balance, s.A)
	posL := make([]margin.Position, s.P)
	var bal0 frontend.Variable = oldVals[2]
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		q, snap, neg := oldVals[o+1], oldVals[o+2], oldW[o+1].Neg
		sgn := api.Sub(1, api.Mul(2, neg))
		tl := api.Sub(sl.TakeLots[j], api.Mul(nz[j], sgn))
		act := api.Mul(active, api.Sub(1, api.IsZero(tl)))
		bal0 = api.Sub(bal0, api.Mul(act, api.Mul(q, api.Sub(ent[j].FundingIndex, snap))))
		bal0 = api.Add(bal0, api.Mul(act, api.Mul(tl, ent[j].Mark)))
		// the quantity keeps q's sign or becomes 0 (|tl| < |q|), so q's sign bit serves
		posL[j] = margin.Position{Q: api.Sub(q, api.Mul(act, tl)), QNeg: neg, Snap: select1(api, act, ent[j].FundingIndex, snap)}
	}
	for k := 1; k < s.A; k++ {
		c := sl.TakeAtoms[k]
		cl := api.Sub(c, api.Sub(1, api.IsZero(c)))
		bal0 = api.Add(bal0, api.Mul(active, x.floorDiv(api.Mul(cl, x.g.Dp[k]), encoding.Nano, 97)))
		balL[k] = x.signed(api.Mul(meets, api.Sub(oldVals[2+k], api.Mul(active, cl))))
	}
	// (read only when A meets the target after: as the ledger, which computes the less state only then)
	balL[0] = x.signed(api.Mul(meets, api.Sub(bal0, api.Mul(active, sl.Penalty))))

	// Y = less if A meets after, else after; Y must not meet the target
	balY := make([]margin.Balance, s.A)
	posY := make([]margin.Position, s.P)
	for k := range balY {
		balY[k] = margin.Balance{Value: select1(api, meets, balL[k].Value, balA[k].Value), Neg: select1(api, meets, balL[k].Neg, balA[k].Neg)}
	}
	for j := range posY {
		posY[j] = margin.Position{Q: select1(api, meets, posL[j].Q, posA[j].Q), QNeg: select1(api, meets, posL[j].QNeg, posA[j].QNeg),
			Snap: select1(api, meets, posL[j].Snap, posA[j].Snap)}
	}
	eY := margin.Equity(api, balY, posY, ent, x.g)
	termsY := x.marginTerms(balY, posY, ent)
	idx := x.hintArgMax(termsY)
	var term, hitY frontend.Variable = 0, 0
	for k := range termsY {
		is := api.IsZero(api.Sub(idx, k))
		hitY = api.Add(hitY, is)
		term = api.Add(term, api.Mul(is, termsY[k]))
	}
	api.AssertIsEqual(hitY, 1)
	notMeet := api.Add(active, fw.refusedIMWord)                                                                       // CLOSE_FACTOR; a refusal's IM_BROKEN
	nonneg.Assert(api, api.Mul(notMeet, api.Sub(api.Sub(api.Mul(term, target), api.Mul(eY, e12)), 1)), closeCheckBits) // Y does not meet
}

// marginTerms returns the 2S + 2 terms whose maximum times the tier factor is max(IM, MM) (nano quote atoms):
// L[s] + floorMm (s < S), floorMm, LIm[s] + floorIm (s < S), floorIm.
func (x *context) marginTerms(bal []margin.Balance, pos []margin.Position, ent []margin.Entry) []frontend.Variable {
	api, s := x.api, x.s
	L, fMm := margin.MaintenanceLosses(api, s.Sizes, bal, pos, ent, x.g)
	LIm, fIm := margin.InitialLosses(api, s.Sizes, bal, pos, ent, x.g)
	out := make([]frontend.Variable, 0, 2*s.S+2)
	for k := 0; k < s.S; k++ {
		out = append(out, api.Add(L[k], fMm))
	}
	out = append(out, fMm)
	for k := 0; k < s.S; k++ {
		out = append(out, api.Add(LIm[k], fIm))
	}
	return append(out, fIm)
}

// signed range checks v to a word and returns it with its sign bit.
func (x *context) signed(v frontend.Variable) margin.Balance {
	bits := x.api.ToBinary(x.api.Add(v, twoTo63), 64)
	return margin.Balance{Value: v, Neg: x.api.Sub(1, bits[63])}
}

// floorDiv returns floor(n / d) for an integer 0 <= n < d * 2^qBits: a hint computes it, and n = q * d + rem with
// q < 2^qBits and rem in [0, d) is asserted (so the quotient is the only one).
func (x *context) floorDiv(n frontend.Variable, d *big.Int, qBits int) frontend.Variable {
	api := x.api
	out, err := api.Compiler().NewHint(divHint, 1, n, d)
	if err != nil {
		panic(err)
	}
	q := out[0]
	rem := api.Sub(n, api.Mul(q, d))
	rb := d.BitLen()
	api.ToBinary(q, qBits)
	api.ToBinary(rem, rb)
	api.ToBinary(api.Sub(new(big.Int).Sub(d, big.NewInt(1)), rem), rb)
	return q
}

func (x *context) hintMeets(e12 frontend.Variable, target frontend.Variable, terms []frontend.Variable) frontend.Variable {
	out, err := x.api.Compiler().NewHint(meetsHint, 1, append([]frontend.Variable{e12, target}, terms...)...)
	if err != nil {
		panic(err)
	}
	return out[0]
}

func (x *context) hintArgMax(terms []frontend.Variable) frontend.Variable {
	out, err := x.api.Compiler().NewHint(argMaxHint, 1, terms...)
	if err != nil {
		panic(err)
	}
	return out[0]
}

// creditFund credits the batch's insurance-fund shares to account insuranceFundId's balance[0] after the fee
// credit (one leaf update per batch) and returns the new root. fund.Empty = 1 skips it, allowed only when the
// shares are 0.
func (x *context) creditFund(fund *Account, root frontend.Variable) frontend.Variable {
	api, s := x.api, x.s
	open := api.Sub(1, fund.Empty)
	bits := api.ToBinary(api.Mul(open, x.liq.fundID), s.D) // the fund's id is an account index when opened
	l := x.openAccount(fund, bits, root, open)
	api.AssertIsEqual(api.Mul(fund.Empty, x.fundSum), 0)
	x.setWord(l, 2, api.Add(l.vals[2], x.fundSum)) // fundSum < Q * 2^63: the new balance is range checked
	return select1(api, open, x.closeAccount(fund, l, bits), root)
}

// The hints below only help the prover find values the constraints then check; a wrong answer makes the proof
// fail, never pass. Registered globally, so the test engine, the solver and the native library find them.
func init() { solver.RegisterHint(divHint, meetsHint, argMaxHint) }

// divHint: floor(n / d) for integers n >= 0, d > 0 (0 when d = 0).
func divHint(_ *big.Int, in []*big.Int, out []*big.Int) error {
	if in[1].Sign() == 0 {
		out[0].SetInt64(0)
		return nil
	}
	out[0].Quo(in[0], in[1])
	return nil
}

// signedOf reads a field element as a signed integer in (-r/2, r/2).
func signedOf(field, v *big.Int) *big.Int {
	h := new(big.Int).Rsh(field, 1)
	if v.Cmp(h) > 0 {
		return new(big.Int).Sub(v, field)
	}
	return new(big.Int).Set(v)
}

// meetsHint: in = (E * 10^12, tierFactor * target, terms...); 1 if E * 10^12 >= max(terms) * tierFactor * target.
func meetsHint(field *big.Int, in []*big.Int, out []*big.Int) error {
	e := signedOf(field, in[0])
	mx := signedOf(field, in[2])
	for _, t := range in[3:] {
		if v := signedOf(field, t); v.Cmp(mx) > 0 {
			mx = v
		}
	}
	if e.Cmp(mx.Mul(mx, in[1])) >= 0 {
		out[0].SetInt64(1)
	} else {
		out[0].SetInt64(0)
	}
	return nil
}

// argMaxHint: the index of the largest term (signed), the first one on ties.
func argMaxHint(field *big.Int, in []*big.Int, out []*big.Int) error {
	best := 0
	mx := signedOf(field, in[0])
	for i, t := range in {
		if v := signedOf(field, t); v.Cmp(mx) > 0 {
			mx, best = v, i
		}
	}
	out[0].SetInt64(int64(best))
	return nil
}
