package batchtest

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// DlvSpec is a deleverage (kind 10, docs/LIQUIDATION.md sections 4 and 9) as a test builds it: the bankrupt
// account closes TakeLots (P, one non-zero) against the counterparty's slots LiqPos (nil: the slot holding the
// instrument, else the first free one). LossSkew is added to the loss B pays A (0 in a valid batch).
type DlvSpec struct {
	Account, Counterparty uint64
	TakeLots              []int64
	LiqPos                []int
	LossSkew              int64
}

// DeleverageLoss is the bankruptcy-price loss of a deleverage of the account's takeLots now:
// ceil(-E * sum_j |t_j| mark_j / (N * sum_j |q_j| mark_j)) (ceil(-E / N) when the marks sum to 0), and -E.
func (b *Builder) DeleverageLoss(id uint64, takeLots []int64) (loss, deficit *big.Int) {
	l := b.Leaves[id]
	m, err := encoding.ComputeMargin(l, b.entriesOf(l), b.Globals)
	if err != nil {
		panic(err)
	}
	d := new(big.Int).Neg(m.E)
	total, share := new(big.Int), new(big.Int)
	for j, sl := range l.Slots {
		if sl.Quantity == 0 {
			continue
		}
		mark := big.NewInt(b.Entries[sl.InstrumentID].Mark)
		total.Add(total, new(big.Int).Mul(new(big.Int).Abs(big.NewInt(sl.Quantity)), mark))
		share.Add(share, new(big.Int).Mul(new(big.Int).Abs(big.NewInt(takeLots[j])), mark))
	}
	num, den := new(big.Int).Mul(d, share), new(big.Int).Mul(total, encoding.Nano)
	if total.Sign() == 0 {
		num, den = new(big.Int).Set(d), new(big.Int).Set(encoding.Nano)
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q, d
}

// Deleverage applies a deleverage natively (no rule checked) and records its request slot; the insurance fund is
// opened at the batch's end (OpenFund). Call it after the batch's generic transitions.
func (b *Builder) Deleverage(spec DlvSpec) *Builder {
	s := b.S
	aID, bID := spec.Account, spec.Counterparty
	loss, _ := b.DeleverageLoss(aID, spec.TakeLots)
	lossV := loss.Int64() + spec.LossSkew
	oldA := b.Leaves[aID]
	na := clone(oldA)
	rowIdxA := zeros(s.P)
	liqPos := make([]int, s.P)
	type move struct {
		inst, t int64
		e       *encoding.Entry
	}
	moves := []move{}
	for j := 0; j < s.P; j++ {
		if oldA.Slots[j].Quantity != 0 {
			rowIdxA[j] = b.rowOf[oldA.Slots[j].InstrumentID]
		}
		t := spec.TakeLots[j]
		if t == 0 {
			continue
		}
		inst := oldA.Slots[j].InstrumentID
		e := b.Entries[inst]
		if e == nil {
			e = &encoding.Entry{}
		}
		settleTake(na, j, -t, e)
		na.Balances[0] += t * e.Mark
		moves = append(moves, move{inst, t, e})
	}
	na.Balances[0] += lossV
	ls := batch.LiqSlot{Kind: batch.KindDeleverage, AccountID: aID, LiquidatorID: bID, Keeper: 0, Nonce: 0, Penalty: 0,
		Scenario: 0, TakeLots: make([]frontend.Variable, s.P), TakeAtoms: zeros(s.A), LiqPos: make([]frontend.Variable, s.P)}
	ls.Sig.R.X, ls.Sig.R.Y, ls.Sig.S = 0, 0, 0
	ls.A = b.account(aID, oldA, na)
	ls.A.RowIdx = rowIdxA // the rows of A's old instruments
	b.Leaves[aID] = na
	b.tree.Set(aID, na.Hash())
	// B against the root after A (A itself when a test names A as its own counterparty)
	oldB := b.Leaves[bID]
	nb := clone(oldB)
	k := 0
	for j := 0; j < s.P; j++ {
		if spec.TakeLots[j] == 0 {
			continue
		}
		mv := moves[k]
		k++
		p := choosePos(nb, mv.inst)
		if spec.LiqPos != nil {
			p = spec.LiqPos[j]
		}
		liqPos[j] = p
		if nb.Slots[p].Quantity == 0 {
			nb.Slots[p].InstrumentID = mv.inst
		}
		settleTake(nb, p, mv.t, mv.e)
		nb.Balances[0] -= mv.t * mv.e.Mark
	}
	nb.Balances[0] -= lossV
	words := append([]int64{}, spec.TakeLots...)
	words = append(words, make([]int64, s.A)...)
	for j := 0; j < s.P; j++ {
		ls.TakeLots[j], ls.LiqPos[j] = spec.TakeLots[j], liqPos[j]
		words = append(words, int64(liqPos[j]))
	}
	ls.B = b.account(bID, oldB, nb)
	b.Leaves[bID] = nb
	b.tree.Set(bID, nb.Hash())
	b.liqs = append(b.liqs, ls)
	b.liqData = append(b.liqData, fe(batch.KindDeleverage), fe(int64(aID)), fe(int64(bID)))
	b.liqData = append(b.liqData, make([]fr.Element, 7)...)
	b.liqData = append(b.liqData, encoding.Pack(words)...)
	b.OpenFund = true
	return b
}

// DataHashOf recomputes the dataHash of an assignment from its slots' fields (docs/BATCH.md section 4): a test
// that changes a field keeps dataHash consistent with it, so the rule it breaks is the one that fails.
func DataHashOf(c *batch.Circuit) *big.Int {
	el := func(v frontend.Variable) fr.Element {
		var e fr.Element
		e.SetBigInt(varBig(v))
		return e
	}
	ints := func(vs []frontend.Variable) []int64 {
		out := make([]int64, len(vs))
		for i, v := range vs {
			out[i] = varBig(v).Int64()
		}
		return out
	}
	data := []fr.Element{}
	for i := range c.Slots {
		sl := &c.Slots[i]
		for _, v := range []frontend.Variable{sl.Kind, sl.AccountID, sl.Amount, sl.Nonce, sl.Address, sl.PkX, sl.PkY,
			sl.Sig.R.X, sl.Sig.R.Y, sl.Sig.S, sl.ToAccountID, sl.Asset} {
			data = append(data, el(v))
		}
		data = append(data, encoding.Pack(ints(sl.TradeWords()))...)
		data = append(data, el(sl.TakerSig.R.X), el(sl.TakerSig.R.Y), el(sl.TakerSig.S))
	}
	for i := range c.Liquidations {
		ls := &c.Liquidations[i]
		for _, v := range []frontend.Variable{ls.Kind, ls.AccountID, ls.LiquidatorID, ls.Keeper, ls.Nonce, ls.Penalty,
			ls.Scenario, ls.Sig.R.X, ls.Sig.R.Y, ls.Sig.S} {
			data = append(data, el(v))
		}
		data = append(data, encoding.Pack(ints(ls.LiqWords()))...)
	}
	return encoding.ToBig(encoding.HashMD(data...))
}

// varBig reads an assigned value (an integer type, *big.Int, big.Int or []byte) as a signed integer.
func varBig(v frontend.Variable) *big.Int {
	switch x := v.(type) {
	case int:
		return big.NewInt(int64(x))
	case int64:
		return big.NewInt(x)
	case uint64:
		return new(big.Int).SetUint64(x)
	default:
		return new(big.Int).Set(toBig(v))
	}
}
