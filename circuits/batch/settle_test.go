package batch_test

import (
	"testing"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
)

// settleStart is the fixture with instrument 3 settled at 1,500,000 quote atoms a lot (final funding index 50)
// and instrument 5 settled at 0: account 1 long 4 lots of 3 in slot 1 (snapshot 20), account 2 short 4
// (snapshot 0). settled = false keeps instrument 3 unsettled (same mark, no risk), for the control cases.
func settleStart(settled bool) *batchtest.Builder {
	b := batchtest.New(batch.TestSizes)
	e := batchtest.SettledEntry(b.S, 1_500_000, 50)
	if !settled {
		e.Settled, e.SettlementValue = 0, 0
	}
	b.Entries[3] = e
	b.Entries[5] = batchtest.SettledEntry(b.S, 0, 0)
	b.Leaves[1].Slots[1] = batchtest.SlotOf(3, 4, 20)
	b.Leaves[2].Slots[1] = batchtest.SlotOf(3, -4, 0)
	return b.Start()
}

// TestSettleExpirySolves: both holders settled in one batch (the long receives 4 x 1,500,000 less its funding
// 4 x 30, the short pays 4 x 1,500,000 and 4 x 50), unsigned, the slots emptied; then a deposit.
func TestSettleExpirySolves(t *testing.T) {
	b := settleStart(true)
	bal1, bal2 := b.Leaves[1].Balances[0], b.Leaves[2].Balances[0]
	c := b.SettleExpiry(batchtest.SettleSpec{Account: 1, Pos: 1, Row: -1}).
		SettleExpiry(batchtest.SettleSpec{Account: 2, Pos: 1, Row: -1}).Build()
	if d1, d2 := b.Leaves[1].Balances[0]-bal1, b.Leaves[2].Balances[0]-bal2; d1 != 6_000_000-120 || d2 != -6_000_000+200 {
		t.Fatalf("credited %d and %d", d1, d2)
	}
	if b.Leaves[1].Slots[1].Quantity != 0 || b.Leaves[2].Slots[1].InstrumentID != 0 {
		t.Fatal("slots not emptied")
	}
	solves(t, c)
}

// TestSettleExpiryRules: a witness breaking each rule of kind 5 (or trading a settled instrument) fails.
func TestSettleExpiryRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		// slot 0 holds instrument 1, a perp that has not settled
		"rowNotSettled": func() *batch.Circuit {
			return settleStart(true).SettleExpiry(batchtest.SettleSpec{Account: 1, Pos: 0, Row: -1}).Build()
		},
		// slot 1 holds instrument 3, the slot names the row of instrument 5 (settled at 0)
		"wrongInstrumentInSlot": func() *batch.Circuit {
			b := settleStart(true)
			row5 := -1
			for r := 0; r < b.S.R; r++ {
				if b.RowID(r) == 5 {
					row5 = r
				}
			}
			return b.SettleExpiry(batchtest.SettleSpec{Account: 1, Pos: 1, Row: row5}).Build()
		},
		"wrongValueCredited": func() *batch.Circuit {
			return settleStart(true).SettleExpiry(batchtest.SettleSpec{Account: 1, Pos: 1, Row: -1, Skew: 1}).Build()
		},
		"fundingNotSettled": func() *batch.Circuit {
			return settleStart(true).SettleExpiry(batchtest.SettleSpec{Account: 1, Pos: 1, Row: -1, Skew: 4 * 30}).Build()
		},
		"slotNotEmptied": func() *batch.Circuit {
			return settleStart(true).SettleExpiry(batchtest.SettleSpec{Account: 1, Pos: 1, Row: -1, KeepSlot: true}).Build()
		},
		// account 4's slot 0 is empty: nothing to settle
		"emptySlot": func() *batch.Circuit {
			b := settleStart(true)
			b.Leaves[4].Slots[0] = batchtest.SlotOf(0, 0, 0)
			return b.SettleExpiry(batchtest.SettleSpec{Account: 4, Pos: 0, Row: b.RowOf(3)}).Build()
		},
		"tradingASettledInstrument": func() *batch.Circuit {
			b := settleStart(true)
			return b.Trade(sellSettled(b)).Build()
		},
	}
	for name, build := range cases {
		build := build
		t.Run(name, func(t *testing.T) { fails(t, build()) })
	}
}

// TestTradingBeforeSettlementSolves is the control of tradingASettledInstrument: the same trade while the
// instrument is not settled solves.
func TestTradingBeforeSettlementSolves(t *testing.T) {
	b := settleStart(false)
	solves(t, b.Trade(sellSettled(b)).Build())
}

// sellSettled is maker 1 selling 2 lots of instrument 3 at 1,500,000 to taker 2 (both reduce their positions).
func sellSettled(b *batchtest.Builder) batchtest.TradeSpec {
	inst, ratio, price := b.SingleLeg(3, -1, 1_500_000)
	return batchtest.TradeSpec{
		Maker: batchtest.Order{Account: 1, OrderID: 11, Expiry: expiry, Quantity: 2, LimitPrice: -1_000_000},
		Taker: batchtest.Order{Account: 2, OrderID: 12, Expiry: expiry, Quantity: 2, LimitPrice: 2_000_000},
		Inst:  inst, Ratio: ratio, Price: price, Fill: 2,
	}
}
