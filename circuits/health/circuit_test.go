package health_test

import (
	"fmt"
	"math/big"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

var sizes = encoding.TestSizes

var (
	compileOnce sync.Once
	compiled    constraint.ConstraintSystem
	compileErr  error
)

// testCS is the test-size circuit compiled once to R1CS.
func testCS(t *testing.T) constraint.ConstraintSystem {
	t.Helper()
	compileOnce.Do(func() {
		compiled, compileErr = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, health.NewCircuit(sizes))
	})
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiled
}

// solves reports whether the assignment satisfies the test engine AND the compiled R1CS; the two must
// agree. It checks what gnark's CheckCircuit checks (restricted to BN254 and Groth16, as the gadget tests
// use it through gnarktest.Check), but against the one shared compiled R1CS: CheckCircuit compiles the
// circuit twice per call, which took the failing-witness tests from 2.7 s to 29 s of CPU (circuits/README.md).
func solves(t *testing.T, c *health.Circuit) bool {
	t.Helper()
	engineErr := test.IsSolved(health.NewCircuit(sizes), c, ecc.BN254.ScalarField())
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatalf("witness: %v", err)
	}
	csErr := testCS(t).IsSolved(w)
	if (engineErr == nil) != (csErr == nil) {
		t.Fatalf("test engine and R1CS disagree: engine %v, r1cs %v", engineErr, csErr)
	}
	if engineErr != nil {
		t.Logf("unsatisfied as expected: %v", firstLine(engineErr.Error()))
	}
	return csErr == nil
}

func mustSolve(t *testing.T, c *health.Circuit) {
	t.Helper()
	if !solves(t, c) {
		t.Fatal("valid witness does not solve")
	}
}

func mustFail(t *testing.T, c *health.Circuit) {
	t.Helper()
	if solves(t, c) {
		t.Fatal("broken witness solves")
	}
}

// TestValidWitnessProvesGroth16 is the one real Groth16 round trip at the test size: setup, prove,
// verify, and verification fails when a public input changes.
func TestValidWitnessProvesGroth16(t *testing.T) {
	f := healthtest.New(sizes)
	if !f.Margin().Healthy(f.ThresholdBps) {
		t.Fatal("fixture should be healthy")
	}
	w, c := f.Build()
	ccs := testCS(t)
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	full, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pk, full)
	if err != nil {
		t.Fatal(err)
	}
	public, err := full.Public()
	if err != nil {
		t.Fatal(err)
	}
	if err := groth16.Verify(proof, vk, public); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}
	// the public witness is exactly stateRoot, riskRoot, accountAndThreshold
	vec := public.Vector().(fr.Vector)
	want := w.PublicInputs()
	if len(vec) != len(want) {
		t.Fatalf("public inputs: got %d, want %d", len(vec), len(want))
	}
	for i := range vec {
		if vec[i].String() != want[i] {
			t.Fatalf("public input %d: got %s, want %s", i, vec[i].String(), want[i])
		}
	}
	// raise the threshold by one bps in the public input: the proof must not verify
	c.AccountAndThreshold = new(big.Int).Add(c.AccountAndThreshold.(*big.Int), big.NewInt(1))
	changed, err := frontend.NewWitness(c, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := groth16.Verify(proof, vk, changed); err == nil {
		t.Fatal("proof verified against a changed public input")
	}
}

func TestValidVariantsSolve(t *testing.T) {
	t.Run("exact", func(t *testing.T) { _, c := healthtest.New(sizes).Build(); mustSolve(t, c) })
	t.Run("largerBound", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.MmBound = new(big.Int).Add(f.Margin().MMcore, big.NewInt(1_000))
		_, c := f.Build()
		mustSolve(t, c)
	})
	t.Run("emptySlotWithGarbageId", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Leaf.Slots[1] = encoding.Slot{InstrumentID: -77, Quantity: 0, FundingSnapshot: 12}
		_, c := f.Build()
		mustSolve(t, c)
	})
	t.Run("allEmptyThresholdAtEdge", func(t *testing.T) {
		f := healthtest.New(sizes)
		for j := range f.Leaf.Slots {
			f.Leaf.Slots[j] = encoding.Slot{}
		}
		f.Leaf.Balances[1] = 0
		f.ThresholdBps = 1<<32 - 1
		if !f.Margin().Healthy(f.ThresholdBps) {
			t.Fatal("only quote collateral, no positions: healthy at any threshold")
		}
		_, c := f.Build()
		mustSolve(t, c)
	})
	t.Run("accountAtLastIndex", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Others = map[uint64]*encoding.Leaf{0: f.Leaf}
		f.AccountID = 1<<uint(sizes.D) - 1
		_, c := f.Build()
		mustSolve(t, c)
	})
}

func TestUnhealthyFails(t *testing.T) {
	f := healthtest.New(sizes)
	m := f.Margin()
	// the largest threshold at which the account is healthy: floor(E * 10^10 / MM)
	limit := new(big.Int).Div(new(big.Int).Mul(m.E, big.NewInt(10_000_000_000)), m.MM)
	if !limit.IsUint64() || limit.Uint64() >= 1<<32 {
		t.Fatalf("fixture limit out of range: %s", limit)
	}
	f.ThresholdBps = uint32(limit.Uint64())
	_, c := f.Build()
	mustSolve(t, c)
	f.ThresholdBps++
	if f.Margin().Healthy(f.ThresholdBps) {
		t.Fatal("native model should call it unhealthy")
	}
	_, c = f.Build()
	mustFail(t, c)
}

func TestWrongRootsFail(t *testing.T) {
	t.Run("stateRoot", func(t *testing.T) {
		_, c := healthtest.New(sizes).Build()
		c.StateRoot = new(big.Int).Add(c.StateRoot.(*big.Int), big.NewInt(1))
		mustFail(t, c)
	})
	t.Run("riskRoot", func(t *testing.T) {
		_, c := healthtest.New(sizes).Build()
		c.RiskRoot = new(big.Int).Add(c.RiskRoot.(*big.Int), big.NewInt(1))
		mustFail(t, c)
	})
	t.Run("otherAccount", func(t *testing.T) {
		f := healthtest.New(sizes)
		_, c := f.Build()
		c.AccountAndThreshold = new(big.Int).Add(c.AccountAndThreshold.(*big.Int), new(big.Int).Lsh(big.NewInt(1), 32))
		mustFail(t, c)
	})
	t.Run("instrumentsRoot", func(t *testing.T) {
		_, c := healthtest.New(sizes).Build()
		c.InstrumentsRoot = big.NewInt(1)
		mustFail(t, c)
	})
}

func TestTamperedLeafFails(t *testing.T) {
	f := healthtest.New(sizes)
	_, honest := f.Build()
	f.Leaf.Balances[0] += 1_000_000 // richer than committed; paths and roots stay the original ones
	_, c := f.Build()
	c.StateRoot, c.StatePath = honest.StateRoot, honest.StatePath
	mustFail(t, c)

	f = healthtest.New(sizes)
	f.Leaf.Slots[1].Quantity = -1 // hides most of a short position
	_, c = f.Build()
	c.StateRoot, c.StatePath = honest.StateRoot, honest.StatePath
	mustFail(t, c)
}

func TestTamperedEntryFails(t *testing.T) {
	f := healthtest.New(sizes)
	_, honest := f.Build()
	f.Entries[5].Rmm[0] = 0 // the put's loss in scenario 0 hidden; paths and riskRoot stay
	f.MmBound = nil
	_, c := f.Build()
	c.RiskRoot, c.EntryPaths, c.InstrumentsRoot = honest.RiskRoot, honest.EntryPaths, honest.InstrumentsRoot
	mustFail(t, c)
}

// TestUnreadWordsAreBoundByRiskRoot: the circuit does not read an entry's settled and settlementValue words
// or the globals' liquidation words (risk encoding v2), but it hashes them: changed, the witness solves only
// against its own riskRoot, never against the honest one.
func TestUnreadWordsAreBoundByRiskRoot(t *testing.T) {
	cases := map[string]func(f *healthtest.Fixture){
		"settledFlipped":       func(f *healthtest.Fixture) { f.Entries[5].Settled = 1 },
		"settlementValueSet":   func(f *healthtest.Fixture) { f.Entries[5].SettlementValue = 7 },
		"keeperShareRaised":    func(f *healthtest.Fixture) { f.Globals.KeeperSharePpm++ },
		"insuranceFundChanged": func(f *healthtest.Fixture) { f.Globals.InsuranceFundId = 3 },
	}
	for name, tamper := range cases {
		tamper := tamper
		t.Run(name, func(t *testing.T) {
			f := healthtest.New(sizes)
			_, honest := f.Build()
			tamper(f)
			_, c := f.Build()
			mustSolve(t, c)
			c.RiskRoot = honest.RiskRoot
			mustFail(t, c)
		})
	}
}

func pow2(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }

func TestOutOfRangeFails(t *testing.T) {
	r := encoding.Modulus()
	t.Run("packedElementAbove2^192", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.LeafPacked = encoding.PackBig(f.Leaf.Words())
		f.LeafPacked[0] = new(big.Int).Add(f.LeafPacked[0], pow2(192)) // committed consistently
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("negativeQuantityAsHugeFieldElement", func(t *testing.T) {
		f := healthtest.New(sizes)
		// slot 1 quantity is word 2+A+3+1 = 7 of the leaf: element 2, position 1. Put r - 10 there.
		words := f.Leaf.Words()
		f.LeafPacked = encoding.PackBig(words)
		e := new(big.Int).Sub(r, big.NewInt(10))
		e.Lsh(e, 64)
		e.Add(e, encoding.WordToUnsigned(words[6]))
		e.Add(e, new(big.Int).Lsh(encoding.WordToUnsigned(words[8]), 128))
		f.LeafPacked[2] = e.Mod(e, r)
		f.Leaf.Slots[1].Quantity = 0 // so that the honest reference ignores the slot
		f.MmBound = nil
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("instrumentIdAbove2^DI", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Leaf.Slots[0].InstrumentID += 1 << uint(sizes.DI) // same low bits: the entry path still verifies
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("negativeInstrumentId", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Leaf.Slots[0].InstrumentID -= 1 << 40
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("tierAtT", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Leaf.Tier = int64(sizes.T)
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("negativeTier", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Leaf.Tier = -1
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("thresholdAbove2^32", func(t *testing.T) {
		// The last account 2^D - 1 asks for thresholdBps = 2^32 + 10000: its input (2^D - 1)*2^32 + 2^32 +
		// 10000 = 2^(32+D) + 10000 carries out of the 32 + D bits. Account 0 holds the same leaf and its
		// path is the one given, so the low 32 + D bits (account 0, 10000 bps) pass every other check:
		// only the range check of the public input rejects it (not the state root).
		f := healthtest.New(sizes)
		last := uint64(1)<<uint(sizes.D) - 1
		f.AccountID = 0
		f.Others = map[uint64]*encoding.Leaf{last: f.Leaf}
		_, c := f.Build()
		mustSolve(t, c)
		c.AccountAndThreshold = new(big.Int).Add(new(big.Int).Lsh(new(big.Int).SetUint64(last), 32),
			new(big.Int).Add(pow2(32), big.NewInt(int64(f.ThresholdBps))))
		mustFail(t, c)
	})
	t.Run("accountIdAbove2^D", func(t *testing.T) {
		f := healthtest.New(sizes)
		_, c := f.Build()
		c.AccountAndThreshold = new(big.Int).Add(c.AccountAndThreshold.(*big.Int), pow2(32+uint(sizes.D)))
		mustFail(t, c)
	})
	t.Run("tierFactorAbove2^32", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Globals.TierFactorPpm[0] = 1 << 32
		_, c := f.Build()
		mustFail(t, c)
	})
}

// makeWorst makes scenario k the strictly worst maintenance scenario of the fixture (a 20% drop of the
// BTC collateral there) and returns the fixture and L[k].
func makeWorst(t *testing.T, k int) (*healthtest.Fixture, *big.Int) {
	t.Helper()
	f := healthtest.New(sizes)
	f.Globals.C[1][k] = -120_000_000_000
	m := f.Margin()
	for s, l := range m.L {
		if s != k && l.Cmp(new(big.Int).Sub(m.L[k], big.NewInt(1))) >= 0 {
			t.Fatalf("scenario %d is not strictly worst: L[%d] = %s, L[%d] = %s", k, s, l, k, m.L[k])
		}
	}
	return f, m.L[k]
}

// TestMarginBoundPerScenarioFails gives every scenario (the fixture's worst 0, the middle ones and the last)
// its own failing witness: m = L[k] - 1 is above every other L[s], so only the constraint m >= L[k] of that
// scenario rejects it.
func TestMarginBoundPerScenarioFails(t *testing.T) {
	for k := 0; k < sizes.S; k++ {
		k := k
		t.Run(fmt.Sprintf("scenario%d", k), func(t *testing.T) {
			f, lk := makeWorst(t, k)
			f.MmBound = lk
			_, c := f.Build()
			mustSolve(t, c)
			f.MmBound = new(big.Int).Sub(lk, big.NewInt(1))
			_, c = f.Build()
			mustFail(t, c)
		})
	}
}

func TestMarginBoundFails(t *testing.T) {
	t.Run("belowSomeLoss", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.MmBound = new(big.Int).Sub(f.Margin().MMcore, big.NewInt(1))
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("negative", func(t *testing.T) {
		f := healthtest.New(sizes)
		for a := range f.Globals.C {
			for s := range f.Globals.C[a] {
				f.Globals.C[a][s] = 1 // every scenario gains: every L[s] < 0
			}
		}
		for j := range f.Leaf.Slots {
			f.Leaf.Slots[j] = encoding.Slot{}
		}
		for _, l := range f.Margin().L {
			if l.Cmp(big.NewInt(-1)) >= 0 {
				t.Fatalf("want every L[s] < -1, got %s", l)
			}
		}
		f.MmBound = big.NewInt(0)
		_, c := f.Build()
		mustSolve(t, c)
		f.MmBound = big.NewInt(-1) // satisfies m >= L[s] everywhere but m < 0
		_, c = f.Build()
		mustFail(t, c)
	})
}

func TestNegativeCommittedValuesFail(t *testing.T) {
	t.Run("mark", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Entries[1].Mark = -1
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("floorMm", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Entries[5].FloorMm = -1
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("floorIm", func(t *testing.T) {
		// committed in riskRoot; the health check does not read floorIm, only its range check does
		f := healthtest.New(sizes)
		f.Entries[5].FloorIm = -1
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("debtPrice", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Globals.Dp[1] = -1
		_, c := f.Build()
		mustFail(t, c)
	})
	t.Run("collateralPrice", func(t *testing.T) {
		f := healthtest.New(sizes)
		f.Globals.Cp[1] = -1
		_, c := f.Build()
		mustFail(t, c)
	})
}

func firstLine(s string) string {
	for i, ch := range s {
		if ch == '\n' {
			return s[:i]
		}
	}
	return s
}

// TestProductionSizeSolves checks the production-size circuit on a valid and an unhealthy witness with
// the test engine (no setup, no proof: the benchmark does those).
func TestProductionSizeSolves(t *testing.T) {
	s := encoding.ProductionSizes
	f := healthtest.New(s)
	f.AccountID = 1<<32 - 2
	_, c := f.Build()
	if err := test.IsSolved(health.NewCircuit(s), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatalf("valid production witness: %v", err)
	}
	f.ThresholdBps = 200_000
	if f.Margin().Healthy(f.ThresholdBps) {
		t.Fatal("fixture should be unhealthy at 20x")
	}
	_, c = f.Build()
	if err := test.IsSolved(health.NewCircuit(s), c, ecc.BN254.ScalarField()); err == nil {
		t.Fatal("unhealthy production witness solves")
	}
}

// debtFixture holds a debt of 0.05 BTC (cp 5.4e11, dp 6e11 per 10^9 sats) and returns the largest healthy
// threshold with the debt at dp (the truth) and at cp (what a haircut valuation would claim).
func debtFixture(t *testing.T) (f *healthtest.Fixture, atDebtPrice, atHaircut uint32) {
	t.Helper()
	f = healthtest.New(sizes)
	f.Leaf.Balances[1] = -5_000_000
	limit := func(m *encoding.Margin) uint32 {
		l := new(big.Int).Div(new(big.Int).Mul(m.E, big.NewInt(10_000_000_000)), m.MM)
		if !l.IsUint64() || l.Uint64() >= 1<<32 {
			t.Fatalf("limit out of range: %s", l)
		}
		return uint32(l.Uint64())
	}
	atDebtPrice = limit(f.Margin())
	dp := f.Globals.Dp[1]
	f.Globals.Dp[1] = f.Globals.Cp[1]
	atHaircut = limit(f.Margin())
	f.Globals.Dp[1] = dp
	if atHaircut <= atDebtPrice {
		t.Fatalf("the haircut valuation should overstate health: %d <= %d", atHaircut, atDebtPrice)
	}
	return f, atDebtPrice, atHaircut
}

// TestDebtAtHaircutPriceFails: a negative balance of a non-quote asset counts at the debt price dp, so a
// claim that holds only if the debt were valued at the haircut price cp does not prove.
func TestDebtAtHaircutPriceFails(t *testing.T) {
	f, atDebtPrice, atHaircut := debtFixture(t)
	f.ThresholdBps = atDebtPrice
	_, c := f.Build()
	mustSolve(t, c)
	f.ThresholdBps = atDebtPrice + 1
	_, c = f.Build()
	mustFail(t, c)
	f.ThresholdBps = atHaircut // healthy if the debt were valued at cp
	_, c = f.Build()
	mustFail(t, c)
	// a positive balance is still valued at the haircut price: the same amount held is healthy at the
	// largest threshold the cp valuation allows
	g := healthtest.New(sizes)
	g.Leaf.Balances[1] = 5_000_000
	m := g.Margin()
	g.ThresholdBps = uint32(new(big.Int).Div(new(big.Int).Mul(m.E, big.NewInt(10_000_000_000)), m.MM).Uint64())
	_, c = g.Build()
	mustSolve(t, c)
	g.ThresholdBps++
	_, c = g.Build()
	mustFail(t, c)
}

// TestTamperedGlobalsFail: the globals words given to the circuit differ from the ones committed in the
// honest riskRoot (which stays public and unchanged); the tampered globals would make the claim healthy.
func TestTamperedGlobalsFail(t *testing.T) {
	cases := map[string]func(g *encoding.Globals){
		"debtPriceLowered":       func(g *encoding.Globals) { g.Dp[1] = g.Cp[1] },
		"quotePriceRaised":       func(g *encoding.Globals) { g.Cp[0] *= 2; g.Dp[0] *= 2 },
		"tierFactorLowered":      func(g *encoding.Globals) { g.TierFactorPpm[1] = 1 },
		"collateralScenarioDrop": func(g *encoding.Globals) { g.C[1] = rep(-120_000_000_000, len(g.C[1])) },
	}
	for name, tamper := range cases {
		tamper := tamper
		t.Run(name, func(t *testing.T) {
			f, atDebtPrice, _ := debtFixture(t)
			f.ThresholdBps = atDebtPrice + 1 // unhealthy with the committed globals
			_, honest := f.Build()
			mustFail(t, honest)
			tamper(f.Globals)
			f.MmBound = nil
			if !f.Margin().Healthy(f.ThresholdBps) {
				t.Fatal("the tampered globals should make the claim healthy")
			}
			_, c := f.Build()
			mustSolve(t, c) // healthy against the tampered globals' own riskRoot...
			c.RiskRoot = honest.RiskRoot
			mustFail(t, c) // ...but not against the honest one
		})
	}
}

func rep(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
