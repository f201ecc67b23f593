package batch

import "github.com/consensys/gnark/frontend"

// KindSettleExpiry is the settle-expiry transition (docs/BATCH.md section 2): account A's position slot
// MakerPos[0] is closed at the settlement value of its instrument, read from the risk table row LegRow[0].
// Its slot data: kind, accountId and the trade word makerPos[0] (every other field 0); nothing is signed.
const KindSettleExpiry = 5

// settleExpiry applies a settle-expiry to A's leaf when flag is 1 and returns balance[0]. It reuses the trade
// leg machinery of leg 0: the row one-hot of readTrade (LegRow[0] in [0, R), its id, used flag, funding index,
// settled flag and settlement value) and a one-hot over the P position slots (MakerPos[0] in [0, P) is checked
// by trade for every slot). Rules: the row is opened, settled, and holds the instrument of the named slot,
// whose quantity q is not 0; funding settles first and the position leaves at its settlement value,
// balance[0] += -q * (fundingIndex - snapshot) + q * settlementValue (|.| < 2^63 * 3 * 2^63: exact; the new
// balance is range checked to a word by the caller's setWord), and the slot is emptied (id, quantity,
// snapshot 0). No IM check: a settled row carries no risk (mark = settlementValue, zero floors and arrays by
// the oracle's rule), and removing a position at its final value cannot make an account worse off.
func (x *context) settleExpiry(l *leaf, sl *Slot, t *tradeLegs, flag, bal0 frontend.Variable) frontend.Variable {
	api, s := x.api, x.s
	sel := make([]frontend.Variable, s.P)
	var qOld, idOld, snapOld frontend.Variable = 0, 0, 0
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		sel[j] = api.IsZero(api.Sub(sl.MakerPos[0], j))
		qOld = api.Add(qOld, api.Mul(sel[j], l.vals[o+1]))
		idOld = api.Add(idOld, api.Mul(sel[j], l.vals[o]))
		snapOld = api.Add(snapOld, api.Mul(sel[j], l.vals[o+2]))
	}
	api.AssertIsEqual(api.Mul(flag, api.Sub(t.rowUsed[0], 1)), 0)   // the row is opened against riskRoot
	api.AssertIsEqual(api.Mul(flag, api.Sub(t.settled[0], 1)), 0)   // ... and settled
	api.AssertIsEqual(api.Mul(flag, api.Sub(t.rowID[0], idOld)), 0) // ... and the slot's instrument
	api.AssertIsEqual(api.Mul(flag, api.IsZero(qOld)), 0)           // the slot holds a position
	// -q (F - snap) + q V = q (V - F + snap)
	bal0 = api.Add(bal0, api.Mul(flag, api.Mul(qOld, api.Add(api.Sub(t.value[0], t.funding[0]), snapOld))))
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		w := api.Mul(flag, sel[j])
		for k := o; k < o+3; k++ {
			l.vals[k] = api.Sub(l.vals[k], api.Mul(w, l.vals[k]))
		}
	}
	return bal0
}
