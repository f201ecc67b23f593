package batch_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// The deleverage fixture (docs/LIQUIDATION.md sections 4 and 9): account 9 is long 20 perp lots (mark 60,000,000
// quote atoms a lot, funding index 1,000, snapshot 900) with quote balance dlvBal, so E = dlvBal + 20 x 59,999,900
// = -100,002,001 quote atoms: bankrupt. The insurance fund is account 0 (the fee account, 0 quote). The
// counterparty is account 2 (short 20, 5,000 quote). Closing 3 lots costs B the mark plus the loss
// ceil(100,002,001 x 10^9 x 3 x 60,000,000 / (10^9 x 20 x 60,000,000)) = ceil(15,000,300.15) = 15,000,301.
const (
	dlvBal     = -1_300_000_001
	dlvDeficit = 100_002_001 // quote atoms: ceil(-E / N)
	dlvLoss    = 15_000_301
	dlvTake    = 3
)

// dlvStart is the fixture with account 9 holding quote balance bal, long 20 lots; prep adjusts it before Start.
func dlvStart(bal int64, prep func(b *batchtest.Builder)) *batchtest.Builder {
	b := batchtest.New(batch.TestSizes)
	s := b.S
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.Balances[0] = bal
	l.Slots[0] = batchtest.SlotOf(1, 20, 900)
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	if prep != nil {
		prep(b)
	}
	return b.Start()
}

func dlv(b *batchtest.Builder, counterparty uint64, lots int64) *batchtest.Builder {
	return b.Deleverage(batchtest.DlvSpec{Account: liqAccount, Counterparty: counterparty, TakeLots: []int64{lots, 0}})
}

// TestValidDeleverageSolves: the fixture's deleverage (loss 15,000,301, the fund opened at the end), after a
// trade (the fund, account 0, is then credited with the fees before it is read); the fund one atom under the
// deficit; B left at exactly zero equity; the whole position.
func TestValidDeleverageSolves(t *testing.T) {
	t.Run("afterTrade", func(t *testing.T) {
		b := dlvStart(dlvBal, nil)
		if loss, _ := b.DeleverageLoss(liqAccount, []int64{dlvTake, 0}); loss.Int64() != dlvLoss {
			t.Fatalf("loss %v, want %d", loss, dlvLoss)
		}
		solvesR1CS(t, dlv(b.Trade(sell5(b)), 2, dlvTake).Build())
	})
	t.Run("fundOneAtomShort", func(t *testing.T) {
		b := dlvStart(dlvBal, func(b *batchtest.Builder) { b.Leaves[0].Balances[0] = dlvDeficit - 1 })
		solves(t, dlv(b, 2, dlvTake).Build())
	})
	t.Run("counterpartyAtZeroEquity", func(t *testing.T) {
		// B short 20 at 60,000,000 (funding 100 a lot owed): E_B = bal - 1,199,998,000, then - the loss
		b := dlvStart(dlvBal, func(b *batchtest.Builder) { b.Leaves[2].Balances[0] = 1_199_998_000 + dlvLoss })
		solves(t, dlv(b, 2, dlvTake).Build())
	})
	t.Run("wholePosition", func(t *testing.T) {
		b := dlvStart(dlvBal, nil)
		solves(t, dlv(b, 2, 20).Build())
	})
	t.Run("justBankrupt", func(t *testing.T) { // E = -1 quote atom
		solves(t, dlv(dlvStart(-1_199_998_001, nil), 2, dlvTake).Build())
	})
}

// TestDeleverageRules: each witness breaks one rule of docs/LIQUIDATION.md section 4 (as proven in section 9) and
// fails to solve.
func TestDeleverageRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		"nonNegativeEquity": func() *batch.Circuit { // E = 0 exactly
			return dlv(dlvStart(-1_199_998_000, nil), 2, dlvTake).Build()
		},
		"fundCanCover": func() *batch.Circuit { // the fund holds exactly the deficit
			b := dlvStart(dlvBal, func(b *batchtest.Builder) { b.Leaves[0].Balances[0] = dlvDeficit })
			return dlv(b, 2, dlvTake).Build()
		},
		"fundNotOpened": func() *batch.Circuit { // the fund's balance is not read (its credit would be 0)
			b := dlv(dlvStart(dlvBal, nil), 2, dlvTake)
			b.OpenFund = false
			return b.Build()
		},
		"lotsOfWrongSign": func() *batch.Circuit {
			return dlv(dlvStart(dlvBal, nil), 2, -dlvTake).Build()
		},
		"lotsMoreThanPosition": func() *batch.Circuit {
			b := dlvStart(dlvBal, func(b *batchtest.Builder) { b.Leaves[2].Slots[0] = batchtest.SlotOf(1, -21, 900) })
			return dlv(b, 2, 21).Build()
		},
		"counterpartyNotOpposite": func() *batch.Circuit { // account 1 is long too
			return dlv(dlvStart(dlvBal, nil), 1, dlvTake).Build()
		},
		"counterpartyTooSmall": func() *batch.Circuit { // account 4 is short 2 lots only
			b := dlvStart(dlvBal, func(b *batchtest.Builder) {
				b.Leaves[4].Slots[0] = batchtest.SlotOf(1, -2, 900)
				b.Leaves[4].Balances[0] = 5_000_000_000
			})
			return dlv(b, 4, dlvTake).Build()
		},
		"counterpartyWithoutPosition": func() *batch.Circuit { // account 4 opens a position instead
			b := dlvStart(dlvBal, func(b *batchtest.Builder) { b.Leaves[4].Balances[0] = 5_000_000_000 })
			return dlv(b, 4, dlvTake).Build()
		},
		"counterpartyBankrupt": func() *batch.Circuit { // one atom less than zeroEquity above
			b := dlvStart(dlvBal, func(b *batchtest.Builder) { b.Leaves[2].Balances[0] = 1_199_998_000 + dlvLoss - 1 })
			return dlv(b, 2, dlvTake).Build()
		},
		"sameAccount": func() *batch.Circuit {
			return dlv(dlvStart(dlvBal, nil), liqAccount, dlvTake).Build()
		},
		"twoTakes": func() *batch.Circuit { // a second position closes in the same slot
			b := dlvStart(dlvBal, func(b *batchtest.Builder) {
				b.Leaves[liqAccount].Slots[1] = batchtest.SlotOf(2, 5, 0)
				b.Leaves[2].Slots[1] = batchtest.SlotOf(2, -5, 0)
			})
			return b.Deleverage(batchtest.DlvSpec{Account: liqAccount, Counterparty: 2, TakeLots: []int64{dlvTake, 1}}).Build()
		},
		"fundDeleveraged": func() *batch.Circuit { // the fund is never A of a request slot
			b := batchtest.New(batch.TestSizes)
			b.Globals.InsuranceFundId = liqAccount
			b = dlvStartFrom(b)
			return dlv(b, 2, dlvTake).Build()
		},
		"deleverageReadAsNoop": func() *batch.Circuit {
			c := dlv(dlvStart(dlvBal, nil), 2, dlvTake).Build()
			c.Liquidations[0].Kind = 0
			return c
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}

func dlvStartFrom(b *batchtest.Builder) *batchtest.Builder {
	s := b.S
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.Balances[0] = dlvBal
	l.Slots[0] = batchtest.SlotOf(1, 20, 900)
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	return b.Start()
}

// TestDeleverageLossIsTheCeil: a prover that answers the loss hint with one atom less or more than
// ceil(D * share / (N * T)) (15,000,300.15 here), with every leaf consistent with that loss, fails in the compiled
// R1CS at the division's remainder check; the exact answer solves.
func TestDeleverageLossIsTheCeil(t *testing.T) {
	for _, d := range []int64{-1, 0, 1} {
		c := dlvStart(dlvBal, nil).Deleverage(batchtest.DlvSpec{Account: liqAccount, Counterparty: 2,
			TakeLots: []int64{dlvTake, 0}, LossSkew: d}).Build()
		skewed := func(f *big.Int, in, out []*big.Int) error {
			if err := batch.CeilDivHint(f, in, out); err != nil {
				return err
			}
			if in[0].Sign() != 0 {
				out[0].Add(out[0], big.NewInt(d))
			}
			return nil
		}
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
		err = testCS.IsSolved(w, solver.OverrideHint(solver.GetHintID(batch.CeilDivHint), skewed))
		if d == 0 && err != nil {
			t.Fatalf("the exact loss does not solve: %v", err)
		}
		if d != 0 {
			if err == nil {
				t.Fatalf("a loss %+d atom off the ceil solves", d)
			}
			t.Logf("loss %+d: refused: %.300s", d, err)
		}
	}
}

// TestDeleverageUnreadFieldsAreZero: a kind-10 slot whose keeper, nonce, penalty, scenario, signature or collateral
// take is not 0 fails, even with dataHash recomputed over it (one encoding per deleverage).
func TestDeleverageUnreadFieldsAreZero(t *testing.T) {
	cases := map[string]func(c *batch.Circuit){
		"keeper":   func(c *batch.Circuit) { c.Liquidations[0].Keeper = 1 },
		"nonce":    func(c *batch.Circuit) { c.Liquidations[0].Nonce = 1 },
		"penalty":  func(c *batch.Circuit) { c.Liquidations[0].Penalty = 1 },
		"scenario": func(c *batch.Circuit) { c.Liquidations[0].Scenario = 1 },
		"sigS":     func(c *batch.Circuit) { c.Liquidations[0].Sig.S = 1 },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			c := dlv(dlvStart(dlvBal, nil), 2, dlvTake).Build()
			mut(c)
			c.DataHash = batchtest.DataHashOf(c)
			fails(t, c)
		})
	}
}

// TestProductionDeleverageSolves: at production sizes (N = 1, Q = 1; P = 8, A = 4, S = 16) the fixture's
// deleverage solves in the test engine.
func TestProductionDeleverageSolves(t *testing.T) {
	s := batch.ProductionSizes
	s.N, s.Q = 1, 1
	b := batchtest.New(s)
	k := batchtest.Key(10)
	l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	l.Balances[0] = dlvBal
	l.Slots[0] = batchtest.SlotOf(1, 20, 900)
	b.Leaves[liqAccount], b.Keys[liqAccount] = l, k
	b.Start()
	takes := make([]int64, s.P)
	takes[0] = dlvTake
	c := b.Deleverage(batchtest.DlvSpec{Account: liqAccount, Counterparty: 2, TakeLots: takes}).Build()
	if err := test.IsSolved(batch.NewCircuit(s), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
}
