package batch_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
)

// The fixture (batchtest.New): account 1 long 20 lots of instrument 1 (a perp, mark 60,000,000, funding index
// 1,000; snapshots 900), account 2 short 20; instrument 2 a put (mark 2,000,000). Expiry far after batchTime.
const expiry = 1_800_000_000

// sell5 is maker 1 selling 5 lots of instrument 1 at 60,000,000 to taker 2 (who closes part of its short):
// the maker receives at least 59,000,000 a lot, the taker pays at most 61,000,000; fees 1,000 and 2,000 a unit.
func sell5(b *batchtest.Builder) batchtest.TradeSpec {
	inst, ratio, price := b.SingleLeg(1, -1, 60_000_000)
	return batchtest.TradeSpec{
		Maker: batchtest.Order{Account: 1, OrderID: 5, Expiry: expiry, Quantity: 20, LimitPrice: -59_000_000, FeePerUnit: 1_000},
		Taker: batchtest.Order{Account: 2, OrderID: 9, Expiry: expiry, Quantity: 20, LimitPrice: 61_000_000, FeePerUnit: 2_000},
		Inst:  inst, Ratio: ratio, Price: price, Fill: 5,
	}
}

// combo is maker 1 buying 2 units of a two-leg combo (1 lot of instrument 1, minus 2 lots of instrument 2 per
// unit) from taker 2: both open instrument 2 in their free slot 1.
func combo(b *batchtest.Builder) batchtest.TradeSpec {
	return batchtest.TradeSpec{
		Maker: batchtest.Order{Account: 1, OrderID: 6, Expiry: expiry, Quantity: 2, LimitPrice: 57_000_000, FeePerUnit: 0},
		Taker: batchtest.Order{Account: 2, OrderID: 7, Expiry: expiry, Quantity: 3, LimitPrice: -55_000_000, FeePerUnit: 500},
		Inst:  []int64{1, 2}, Ratio: []int64{1, -2}, Price: []int64{60_000_000, 2_000_000}, Fill: 2,
	}
}

func solves(t *testing.T, c *batch.Circuit) {
	t.Helper()
	if err := test.IsSolved(batch.NewCircuit(batch.TestSizes), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
}

// TestValidTradesSolve: a partial fill, then the rest of both orders (both positions close to empty); a
// two-leg fill opening a second instrument; a trade after a deposit.
func TestValidTradesSolve(t *testing.T) {
	t.Run("partialThenRest", func(t *testing.T) {
		b := start()
		first := sell5(b)
		rest := sell5(b)
		rest.Fill = 15
		c := b.Trade(first).Trade(rest).Build()
		if q := b.Leaves[1].Slots[0].Quantity; q != 0 || b.Leaves[1].Slots[0].InstrumentID != 0 {
			t.Fatalf("maker position not closed: %+v", b.Leaves[1].Slots[0])
		}
		solves(t, c)
	})
	t.Run("multiLeg", func(t *testing.T) { solves(t, start().Trade(combo(start())).Deposit().Build()) })
	t.Run("twoLegsThenSingle", func(t *testing.T) {
		b := start()
		solves(t, b.Trade(combo(b)).Trade(sell5(b)).Build())
	})
}

func TestTradeRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		"makerBadSignature": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.MakerKey = b.Keys[2]
			return b.Trade(sp).Build()
		},
		"takerBadSignature": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.TakerKey = b.Keys[1]
			return b.Trade(sp).Build()
		},
		"makerSignatureReplayedOnAnotherOrder": func() *batch.Circuit {
			b := start()
			c := b.Trade(sell5(b)).Build()
			c.Slots[0].Maker.LimitPrice = -50_000_000 // the data now says another order than the one signed
			return c
		},
		"takerSignatureReplayedOnAnotherOrder": func() *batch.Circuit {
			b := start()
			c := b.Trade(sell5(b)).Build()
			c.Slots[0].Taker.Quantity = 40
			return c
		},
		"replayedFillBeyondQuantity": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Maker.Quantity, sp.Taker.Quantity = 5, 30
			return b.Trade(sp).Trade(sp).Build() // the same signed orders filled again: overfill
		},
		"overfill": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Fill = 21
			return b.Trade(sp).Build()
		},
		"olderOrderIdInSlot": func() *batch.Circuit {
			b := start()
			first := sell5(b)
			older := sell5(b)
			older.Maker.OrderID = 1 // slot 1 mod 4, as order 5: order 5 took it
			return b.Trade(first).Trade(older).Build()
		},
		"makerPriceBeyondLimit": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Price[0] = 58_999_999
			return b.Trade(sp).Build()
		},
		"takerPriceBeyondLimit": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Price[0] = 61_000_001
			return b.Trade(sp).Build()
		},
		"legLeftOut": func() *batch.Circuit {
			b := start()
			sp := combo(b)
			sp.TakerRatio = []int64{-1, 0} // the taker signed one leg; the slot moves two
			return b.Trade(sp).Build()
		},
		"mismatchedRatio": func() *batch.Circuit {
			b := start()
			sp := combo(b)
			sp.TakerRatio = []int64{-1, 4}
			return b.Trade(sp).Build()
		},
		"legDroppedFromSlot": func() *batch.Circuit {
			b := start()
			c := b.Trade(combo(b)).Build()
			c.Slots[0].Ratio[1], c.Slots[0].InstrumentID[1] = 0, 0 // both signed two legs
			return c
		},
		"makerExpired": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Maker.Expiry = b.BatchTime - 1
			return b.Trade(sp).Build()
		},
		"takerExpired": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Taker.Expiry = b.BatchTime - 1
			return b.Trade(sp).Build()
		},
		"makerImBroken": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Maker.Quantity, sp.Taker.Quantity, sp.Fill = 2_000, 2_000, 2_000 // maker short 1,980 lots
			return b.Trade(sp).Build()
		},
		"takerImBroken": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Ratio[0], sp.Price[0], sp.Maker.LimitPrice, sp.Taker.LimitPrice = 1, 60_000_000, 61_000_000, -59_000_000
			sp.Maker.Quantity, sp.Taker.Quantity, sp.Fill = 2_000, 2_000, 2_000 // taker short 2,020 lots
			return b.Trade(sp).Build()
		},
		"quoteMovedWrongly": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.TakerSkew = 1
			return b.Trade(sp).Build()
		},
		"makerPaysLessFee": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.MakerSkew = 1_000
			return b.Trade(sp).Build()
		},
		"feeAccountCreditedMore": func() *batch.Circuit {
			b := start()
			b.FeeSkew = 1
			return b.Trade(sell5(b)).Build()
		},
		"fundingNotSettled": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.SkipFunding = true
			return b.Trade(sp).Build()
		},
		"positionSlotOfAnotherInstrument": func() *batch.Circuit {
			b := start()
			b.Leaves[1].Slots[1] = batchtest.SlotOf(2, 3, 0) // maker holds 3 puts in slot 1
			b.Start()
			sp := sell5(b)
			sp.MakerPos = []int{1, 0} // the perp leg named into the put's slot
			return b.Trade(sp).Build()
		},
		"secondSlotForHeldInstrument": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.MakerPos = []int{1, 0} // slot 1 is free, but slot 0 already holds instrument 1
			return b.Trade(sp).Build()
		},
		"sameAccountBothSides": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Taker.Account = 1
			return b.Trade(sp).Build()
		},
		"zeroFill": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Fill = 0
			return b.Trade(sp).Build()
		},
		"ratioAbove2^16": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Ratio[0], sp.Price[0], sp.Maker.LimitPrice, sp.Taker.LimitPrice = -(1<<16 + 1), 1, 0, 1<<17
			return b.Trade(sp).Build()
		},
		"orderIdZero": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Maker.OrderID = 0
			return b.Trade(sp).Build()
		},
		"negativeFee": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Maker.FeePerUnit = -1
			return b.Trade(sp).Build()
		},
		"unusedLegWithInstrument": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Inst[1] = 2 // ratio 0
			return b.Trade(sp).Build()
		},
		"legInstrumentNotInTable": func() *batch.Circuit {
			b := start()
			sp := sell5(b)
			sp.Inst[0] = 3 // no row
			return b.Trade(sp).Build()
		},
		"tradeFieldsOnADeposit": func() *batch.Circuit {
			c := start().Deposit().Build()
			c.Slots[0].Ratio[0] = 1 << 17 // out of range, even where not read
			return c
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}
