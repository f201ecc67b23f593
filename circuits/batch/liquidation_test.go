package batch_test

import (
	"math/big"

	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// The liquidation fixture: account 9 holds 20 lots of the perp (instrument 1: mark 60,000,000 quote atoms a lot,
// funding index 1,000, snapshot 900) against a quote debt, so that its equity is 49,998,000 quote atoms and its
// maintenance margin (scenario 2: 6,000,000 a lot, floor 1 a lot, tier factor 1) 120,000,020: liquidatable. The
// liquidator is account 2 (short 20 lots, 5,000 quote). The close target (1.25 x effective IM; IM 9,000,002 a
// lot) is first met after a take of 16 lots with a penalty of 1,000,000 (4 lots left: 1.25 x 36,000,008 =
// 45,000,010 <= 48,998,000); 15 lots leave 5 (56,250,012.5 > 48,998,000).
const (
	liqAccount    = 9
	liqDebt       = -1_150_000_000
	liqKeeper     = 0xbeef
	liqPenalty    = 1_000_000
	liqTake       = 16
	liqMaxPenalty = 9_600_000 // ceil(1 % x 16 x 60,000,000)
)

// liqStart is the fixture with account 9 holding quote balance bal0, started.
func liqStart(bal0 int64) *batchtest.Builder {
	b := batchtest.New(batch.TestSizes)
	s := b.S
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.L1Address.SetUint64(0xabc009)
	l.Balances[0] = bal0
	l.Slots[0] = batchtest.SlotOf(1, 20, 900)
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	return b.Start()
}

// liq16 is the valid liquidation of the fixture: 16 lots to account 2, penalty 1,000,000, keeper 0xbeef.
func liq16(b *batchtest.Builder) batchtest.LiqSpec {
	sp := b.Liq(liqAccount, 2, []int64{liqTake, 0}, []int64{0, 0}, liqPenalty)
	sp.Keeper = liqKeeper
	return sp
}

// solvesR1CS asserts the witness solves in the test engine and in the compiled R1CS.
func solvesR1CS(t *testing.T, c *batch.Circuit) {
	t.Helper()
	solves(t, c)
	compileOnce.Do(func() {
		var err error
		if testCS, err = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, batch.NewCircuit(batch.TestSizes)); err != nil {
			panic(err)
		}
	})
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	if err := testCS.IsSolved(w); err != nil {
		t.Fatal(err)
	}
}

// TestValidLiquidationSolves: a trade (fees to account 0), then the liquidation with a keeper: its share
// leaves as a withdrawal, the fund's (account 0, the default) is credited after the fees; and variants.
func TestValidLiquidationSolves(t *testing.T) {
	t.Run("afterTradeWithKeeper", func(t *testing.T) {
		b := liqStart(liqDebt)
		c := b.Trade(sell5(b)).Liquidate(liq16(b)).Build()
		if q := b.Leaves[liqAccount].Slots[0].Quantity; q != 4 {
			t.Fatalf("account 9 keeps %d lots, want 4", q)
		}
		solvesR1CS(t, c)
	})
	t.Run("noKeeperSeparateFund", func(t *testing.T) {
		b := batchtest.New(batch.TestSizes)
		b.Globals.InsuranceFundId = 4 // the fund is another account than the fee account
		b = liqStartFrom(b, liqDebt)
		sp := liq16(b)
		sp.Keeper = 0
		solvesR1CS(t, b.Liquidate(sp).Build())
	})
	t.Run("justBelowBoundary", func(t *testing.T) {
		// one atom under maintenance: 10 lots reach the close target (10 x 1.25 x 9,000,002 <= 120,000,019), 9 do not
		b := liqStart(boundaryDebt - 1)
		solvesR1CS(t, b.Liquidate(b.Liq(liqAccount, 2, []int64{boundaryTake, 0}, []int64{0, 0}, 0)).Build())
	})
	t.Run("maxPenaltyTargetNotMet", func(t *testing.T) {
		// the largest penalty: A does not reach the target after, so no close-factor bound applies
		b := liqStart(liqDebt)
		sp := liq16(b)
		sp.Penalty = liqMaxPenalty
		solvesR1CS(t, b.Liquidate(sp).Build())
	})
}

func liqStartFrom(b *batchtest.Builder, bal0 int64) *batchtest.Builder {
	s := b.S
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.Balances[0] = bal0
	l.Slots[0] = batchtest.SlotOf(1, 20, 900)
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	return b.Start()
}

// boundaryDebt makes account 9's equity exactly its maintenance margin: E = 20 x (60,000,000 - 100) + debt =
// 120,000,020 (scenario 2 plus the floor).
const boundaryDebt = 120_000_020 - 20*(60_000_000-100)

// boundaryTake is the close factor's take at the boundary: the smallest that reaches the target.
const boundaryTake = 10

// TestLiquidationRules: each witness breaks one rule of docs/LIQUIDATION.md sections 2 and 8 and fails to prove.
func TestLiquidationRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		"healthyAtBoundary": func() *batch.Circuit { // E * 10^6 == MM: not liquidatable
			b := liqStart(boundaryDebt)
			return b.Liquidate(b.Liq(liqAccount, 2, []int64{boundaryTake, 0}, []int64{0, 0}, 0)).Build()
		},
		"healthyOneAtomAbove": func() *batch.Circuit {
			b := liqStart(boundaryDebt + 1)
			return b.Liquidate(b.Liq(liqAccount, 2, []int64{boundaryTake, 0}, []int64{0, 0}, 0)).Build()
		},
		"wrongScenario": func() *batch.Circuit { // scenario 0: the long position gains there
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.Scenario = 0
			return b.Liquidate(sp).Build()
		},
		"penaltyOneAtomAboveBound": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.Penalty = liqMaxPenalty + 1
			return b.Liquidate(sp).Build()
		},
		"penaltyAboveEquity": func() *batch.Circuit { // within the ppm bound, but more than the equity left
			b := liqStart(-1_199_000_000)
			return b.Liquidate(b.Liq(liqAccount, 2, []int64{20, 0}, []int64{0, 0}, 999_000)).Build()
		},
		"moreThanCloseFactor": func() *batch.Circuit { // 17 lots: 16 already reach the target
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.TakeLots[0] = 17
			return b.Liquidate(sp).Build()
		},
		"liquidatorUnderIM": func() *batch.Circuit { // account 4 (1 quote, no position) takes 16 lots
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.Liquidator = 4
			return b.Liquidate(sp).Build()
		},
		"takeOfWrongSign": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.TakeLots[0] = -16
			return b.Liquidate(sp).Build()
		},
		"takeMoreThanPosition": func() *batch.Circuit {
			b := liqStart(-2_000_000_000)
			return b.Liquidate(b.Liq(liqAccount, 2, []int64{21, 0}, []int64{0, 0}, 0)).Build()
		},
		"takeFromEmptySlot": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.TakeLots[1] = 1
			return b.Liquidate(sp).Build()
		},
		"takeQuoteAsset": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.TakeAtoms[0] = 1
			return b.Liquidate(sp).Build()
		},
		"nothingTaken": func() *batch.Circuit {
			b := liqStart(liqDebt)
			return b.Liquidate(b.Liq(liqAccount, 2, []int64{0, 0}, []int64{0, 0}, 0)).Build()
		},
		"badLiquidatorSignature": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.Key = b.Keys[1]
			return b.Liquidate(sp).Build()
		},
		"signatureOverAnotherPenalty": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.SignedPenalty = 1
			return b.Liquidate(sp).Build()
		},
		"replayedSignature": func() *batch.Circuit { // the liquidator's nonce is 3: a signature made at nonce 2
			b := batchtest.New(batch.TestSizes)
			b.Leaves[2].Nonce = 3
			b = liqStartFrom(b, liqDebt)
			sp := liq16(b)
			sp.Nonce = 2
			return b.Liquidate(sp).Build()
		},
		"wrongFundShare": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.FundSkew = 1 // the fund credited one atom more, the liquidator one less
			return b.Liquidate(sp).Build()
		},
		"wrongKeeperShare": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.KeeperSkew = 1
			return b.Liquidate(sp).Build()
		},
		"liquidatorIsAccount": func() *batch.Circuit {
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.Liquidator = liqAccount
			return b.Liquidate(sp).Build()
		},
		"fundLiquidated": func() *batch.Circuit {
			b := batchtest.New(batch.TestSizes)
			b.Globals.InsuranceFundId = liqAccount
			b = liqStartFrom(b, liqDebt)
			return b.Liquidate(liq16(b)).Build()
		},
		"wrongRequestsHash": func() *batch.Circuit {
			b := liqStart(liqDebt)
			c := b.Liquidate(liq16(b)).Build()
			c.RequestsHash = 0
			return c
		},
		"keeperChangedInData": func() *batch.Circuit { // another keeper than the one signed (and hashed)
			b := liqStart(liqDebt)
			c := b.Liquidate(liq16(b)).Build()
			c.Liquidations[0].Keeper = 0xbeee
			return c
		},
		"liquidationReadAsNoop": func() *batch.Circuit {
			b := liqStart(liqDebt)
			c := b.Liquidate(liq16(b)).Build()
			c.Liquidations[0].Kind = 0
			return c
		},
		"kindTradeInLiquidationSlot": func() *batch.Circuit {
			b := liqStart(liqDebt)
			c := b.Liquidate(liq16(b)).Build()
			c.Liquidations[0].Kind = batch.KindTrade
			return c
		},
		"liquidationKindInGenericSlot": func() *batch.Circuit {
			c := liqStart(liqDebt).Deposit().Build()
			c.Slots[1].Kind = batch.KindLiquidation
			return c
		},
		"liquidatorSlotHoldsOtherInstrument": func() *batch.Circuit {
			b := batchtest.New(batch.TestSizes)
			b.Leaves[2].Slots[1] = batchtest.SlotOf(2, -1, 0)
			b = liqStartFrom(b, liqDebt)
			sp := liq16(b)
			sp.LiqPos = []int{1, 0}
			return b.Liquidate(sp).Build()
		},
		"liquidatorSecondSlotForHeldInstrument": func() *batch.Circuit { // B holds the perp in slot 0
			b := liqStart(liqDebt)
			sp := liq16(b)
			sp.LiqPos = []int{1, 0}
			return b.Liquidate(sp).Build()
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}

// collStart is a fixture whose account 9 holds only collateral: 1,000 atoms of asset 1 (valued at cp 540 quote
// atoms an atom, taken at dp 600.000000123) against a quote debt of 500,000: equity 40,000 quote atoms,
// maintenance 60,000 (scenario 0 moves asset 1 by 60 an atom), so it is liquidatable. With a penalty of 1,000 the
// close target (1.25 x IM, IM = 60 an atom held) is first met after a take of 267 atoms (135 x 267 >= 36,000).
func collStart() *batchtest.Builder {
	b := batchtest.New(batch.TestSizes)
	b.Globals.Dp[1] = 600_000_000_123 // proceeds round down: floor(267 x 600.000000123) = 160,200
	s := b.S
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.Balances[0], l.Balances[1] = -500_000, 1_000
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	return b.Start()
}

// TestCollateralLiquidation: collateral taken at the debt price (proceeds rounded down), the close factor on
// atoms, and a take beyond the balance.
func TestCollateralLiquidation(t *testing.T) {
	take := func(atoms, penalty int64) *batch.Circuit {
		b := collStart()
		sp := b.Liq(liqAccount, 2, []int64{0, 0}, []int64{0, atoms}, penalty)
		sp.Keeper = liqKeeper
		return b.Liquidate(sp).Build()
	}
	t.Run("valid", func(t *testing.T) { solvesR1CS(t, take(267, 1_000)) })
	t.Run("moreThanCloseFactor", func(t *testing.T) { fails(t, take(268, 1_000)) })
	t.Run("moreThanHeld", func(t *testing.T) { fails(t, take(1_001, 0)) })
	t.Run("penaltyAboveBound", func(t *testing.T) { fails(t, take(267, 1_603)) }) // ceil(1 % x 160,200) = 1,602
}

// TestLiquidationRangeRules: values outside their ranges where they enter, and the fund's credit.
func TestLiquidationRangeRules(t *testing.T) {
	cases := map[string]func(c *batch.Circuit){
		"scenarioAboveS":      func(c *batch.Circuit) { c.Liquidations[0].Scenario = batch.TestSizes.S + 1 },
		"liqPosOutOfRange":    func(c *batch.Circuit) { c.Liquidations[0].LiqPos[0] = batch.TestSizes.P },
		"keeper2^160":         func(c *batch.Circuit) { c.Liquidations[0].Keeper = new(big.Int).Lsh(big.NewInt(1), 160) },
		"penaltyNegative":     func(c *batch.Circuit) { c.Liquidations[0].Penalty = -1 },
		"liquidatorEmptyLeaf": func(c *batch.Circuit) { c.Liquidations[0].B.Empty = 1 },
		"fundNotCredited":     func(c *batch.Circuit) { c.Fund.Empty = 1 },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			b := liqStart(liqDebt)
			c := b.Liquidate(liq16(b)).Build()
			mut(c)
			fails(t, c)
		})
	}
}

// absorbStart is the fixture with account 9 holding quote balance bal0 and the given position, and account 1 (10,000
// quote, long 20 lots) as the insurance fund.
func absorbStart(bal0 int64, pos encoding.Slot) *batchtest.Builder {
	b := batchtest.New(batch.TestSizes)
	b.Globals.InsuranceFundId = 1
	s := b.S
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.Balances[0] = bal0
	l.Slots[0] = pos
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	return b.Start()
}

// TestAbsorbLoss: the insurance fund covers a closed-out account's negative quote balance (kind 7 in a
// liquidation slot), after a liquidation took the account's last position; and each rule broken.
func TestAbsorbLoss(t *testing.T) {
	t.Run("valid", func(t *testing.T) {
		solvesR1CS(t, absorbStart(-5_000_000, encoding.Slot{}).AbsorbLoss(liqAccount, 1).Build())
	})
	cases := map[string]func() *batch.Circuit{
		"fundDebitedWithoutNegativeEquity": func() *batch.Circuit {
			return absorbStart(5_000_000, encoding.Slot{}).AbsorbLoss(liqAccount, 1).Build()
		},
		"zeroBalance": func() *batch.Circuit {
			return absorbStart(0, encoding.Slot{}).AbsorbLoss(liqAccount, 1).Build()
		},
		"notClosedOut": func() *batch.Circuit {
			return absorbStart(-5_000_000, batchtest.SlotOf(2, 1, 0)).AbsorbLoss(liqAccount, 1).Build()
		},
		"collateralLeft": func() *batch.Circuit {
			b := batchtest.New(batch.TestSizes)
			b.Globals.InsuranceFundId = 1
			b = liqStartFrom(b, -5_000_000)
			b.Leaves[liqAccount].Slots[0] = encoding.Slot{}
			b.Leaves[liqAccount].Balances[1] = 1
			return b.Start().AbsorbLoss(liqAccount, 1).Build()
		},
		"paidByAnotherAccount": func() *batch.Circuit {
			return absorbStart(-5_000_000, encoding.Slot{}).AbsorbLoss(liqAccount, 2).Build()
		},
		"insuranceInsufficient": func() *batch.Circuit { // the fund holds 10,000 quote
			return absorbStart(-10_000_000_001, encoding.Slot{}).AbsorbLoss(liqAccount, 1).Build()
		},
		"fundAbsorbsItsOwnLoss": func() *batch.Circuit {
			b := absorbStart(-5_000_000, encoding.Slot{})
			return b.AbsorbLoss(1, 1).Build()
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}
