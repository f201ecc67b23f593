package health_test

import (
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
// agree.
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
		f := healthtest.New(sizes)
		_, c := f.Build()
		// thresholdBps = 2^32 + 10000 does not fit: it carries into the account id
		c.AccountAndThreshold = new(big.Int).Add(c.AccountAndThreshold.(*big.Int), pow2(32))
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
