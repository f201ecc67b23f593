package batchtest

import (
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	stdeddsa "github.com/consensys/gnark/std/signature/eddsa"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// SettleSpec is a settle-expiry (kind 5) as a test builds it: the account and its position slot; Row is the
// risk table row the slot names (-1: the row of the slot's instrument); Skew is added to what balance[0] is
// credited and KeepSlot leaves the position in the new leaf (both 0/false in a valid slot).
type SettleSpec struct {
	Account  uint64
	Pos      int
	Row      int
	Skew     int64
	KeepSlot bool
}

// SettleExpiry applies a settle-expiry natively (no rule checked) and records its slot: funding settled, then
// balance[0] += q * settlementValue of the slot's instrument, and the slot emptied.
func (b *Builder) SettleExpiry(spec SettleSpec) *Builder {
	s := b.S
	old := b.Leaves[spec.Account]
	nw := clone(old)
	p := old.Slots[spec.Pos]
	e := b.Entries[p.InstrumentID]
	row := spec.Row
	if row < 0 {
		row = b.rowOf[p.InstrumentID]
	}
	var funding, value int64
	if e != nil {
		funding, value = e.FundingIndex, e.SettlementValue
	}
	nw.Balances[0] += -p.Quantity*(funding-p.FundingSnapshot) + p.Quantity*value + spec.Skew
	if !spec.KeepSlot {
		nw.Slots[spec.Pos] = encoding.Slot{}
	}
	sl := batch.Slot{Kind: batch.KindSettleExpiry, AccountID: spec.Account, Amount: 0, Nonce: 0, Address: 0,
		PkX: 0, PkY: 0, Sig: stdeddsa.Signature{S: 0}, ToAccountID: 0, Asset: 0}
	sl.Sig.R.X, sl.Sig.R.Y = 0, 0
	sl.A = b.account(spec.Account, old, nw)
	b.noTrade(&sl)
	sl.MakerPos[0], sl.LegRow[0] = spec.Pos, row
	words := make([]int64, s.TradeWordCount())
	words[10+3] = int64(spec.Pos) // leg 0's makerPos, after the two orders' ten words
	data := []fr.Element{fe(batch.KindSettleExpiry), fe(int64(spec.Account)), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}
	data = append(data, b.tradeTail(words, [3]fr.Element{})...)
	b.push(sl, spec.Account, nw, data)
	return b
}

// SettledEntry returns the entry of an instrument settled at value per lot (risk encoding v2): mark = value,
// zero floors and scenario arrays.
func SettledEntry(s batch.Sizes, value, fundingIndex int64) *encoding.Entry {
	return &encoding.Entry{Mark: value, FundingIndex: fundingIndex, Settled: 1, SettlementValue: value,
		Rmm: make([]int64, s.S), Rim: make([]int64, s.S)}
}

// RowOf returns the risk table row of an instrument (after Start).
func (b *Builder) RowOf(inst int64) int { return b.rowOf[inst] }

// RowID returns the instrument id of risk table row r (after Start; 0 for an unused row).
func (b *Builder) RowID(r int) int64 {
	for id, row := range b.rowOf {
		if row == r {
			return id
		}
	}
	return 0
}
