package exit_test

import (
	"math/big"
	"strings"
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
	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

var sizes = encoding.TestSizes

var (
	compileOnce sync.Once
	compiled    constraint.ConstraintSystem
	compileErr  error
)

func testCS(t *testing.T) constraint.ConstraintSystem {
	t.Helper()
	compileOnce.Do(func() {
		compiled, compileErr = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, exit.NewCircuit(sizes))
	})
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiled
}

// solves reports whether the assignment satisfies the test engine and the compiled R1CS (which must agree).
func solves(t *testing.T, c *exit.Circuit) bool {
	t.Helper()
	engineErr := test.IsSolved(exit.NewCircuit(sizes), c, ecc.BN254.ScalarField())
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatalf("witness: %v", err)
	}
	csErr := testCS(t).IsSolved(w)
	if (engineErr == nil) != (csErr == nil) {
		t.Fatalf("test engine and R1CS disagree: engine %v, r1cs %v", engineErr, csErr)
	}
	if engineErr != nil {
		t.Logf("unsatisfied as expected: %v", strings.SplitN(engineErr.Error(), "\n", 2)[0])
	}
	return csErr == nil
}

func mustSolve(t *testing.T, c *exit.Circuit) {
	t.Helper()
	if !solves(t, c) {
		t.Fatal("valid witness does not solve")
	}
}

func mustFail(t *testing.T, c *exit.Circuit) {
	t.Helper()
	if solves(t, c) {
		t.Fatal("broken witness solves")
	}
}

// build assigns the fixture's account with the given payout (quote atoms) and sign.
func build(f *healthtest.Fixture, payout *big.Int, negative bool) *exit.Circuit {
	w, hc := f.Build()
	return exit.FromHealth(sizes, hc, w.AccountID, payout, negative)
}

// honest returns the fixture's payout floor(max(0, E) / N) and sign.
func honest(t *testing.T, f *healthtest.Fixture) (*big.Int, bool) {
	t.Helper()
	p, neg, err := exit.PayoutOf(f.Margin().E)
	if err != nil {
		t.Fatal(err)
	}
	return p, neg
}

// TestValidWitnessProvesGroth16 is the one Groth16 round trip: the fixture's account (quote, BTC at the
// haircut price, a perp with unsettled funding, a short put) exits with floor(E / N); the proof fails
// against a payout one atom larger and against another L1 address.
func TestValidWitnessProvesGroth16(t *testing.T) {
	f := healthtest.New(sizes)
	w, _ := f.Build()
	ew := &exit.Witness{CircuitID: exit.ID(sizes), Account: w}
	c, err := exit.Assign(sizes, ew)
	if err != nil {
		t.Fatal(err)
	}
	p, neg := honest(t, f)
	if neg || p.Sign() <= 0 || c.Payout.(*big.Int).Cmp(p) != 0 {
		t.Fatalf("fixture payout %v negative %v", c.Payout, neg)
	}
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
	want, err := ew.PublicInputs(sizes)
	if err != nil {
		t.Fatal(err)
	}
	vec := public.Vector().(fr.Vector)
	if len(vec) != len(want) {
		t.Fatalf("public inputs: got %d, want %d", len(vec), len(want))
	}
	for i := range vec {
		if vec[i].String() != want[i] {
			t.Fatalf("public input %d: got %s, want %s", i, vec[i].String(), want[i])
		}
	}
	for name, change := range map[string]func(*exit.Circuit){
		"payout+1": func(c *exit.Circuit) { c.Payout = new(big.Int).Add(p, big.NewInt(1)) },
		"exitRoots": func(c *exit.Circuit) {
			c.ExitRoots = exit.Roots(new(big.Int).Add(ew.Account.StateRoot, big.NewInt(1)), ew.Account.RiskRoot)
		},
		"l1Address": func(c *exit.Circuit) {
			c.AccountAndAddress = exit.PackAccountAndAddress(ew.Account.AccountID, big.NewInt(0xbeef))
		},
		"accountId": func(c *exit.Circuit) {
			c.AccountAndAddress = exit.PackAccountAndAddress(ew.Account.AccountID+1, ew.Account.L1Address)
		},
	} {
		cc := *c
		change(&cc)
		changed, err := frontend.NewWitness(&cc, ecc.BN254.ScalarField(), frontend.PublicOnly())
		if err != nil {
			t.Fatal(err)
		}
		if err := groth16.Verify(proof, vk, changed); err == nil {
			t.Fatalf("proof verified against a changed %s", name)
		}
	}
	data, err := ew.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := exit.ParseWitness(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.PublicInputs(sizes)
	if err != nil || strings.Join(again, ",") != strings.Join(want, ",") {
		t.Fatalf("JSON round trip changed the public inputs: %v %v", again, err)
	}
}

// TestWrongEquityFails: one quote atom more or less than floor(E / N) fails; so does claiming a negative
// equity (payout 0) for a solvent account.
func TestWrongEquityFails(t *testing.T) {
	f := healthtest.New(sizes)
	p, _ := honest(t, f)
	mustSolve(t, build(f, p, false))
	mustFail(t, build(f, new(big.Int).Add(p, big.NewInt(1)), false))
	mustFail(t, build(f, new(big.Int).Sub(p, big.NewInt(1)), false))
	mustFail(t, build(f, big.NewInt(0), true))
	mustFail(t, build(f, big.NewInt(0), false))
}

// TestEquityAtAtomBoundary: E an exact multiple of N pays E / N; one nano quote atom less pays one atom less.
func TestEquityAtAtomBoundary(t *testing.T) {
	f := healthtest.New(sizes)
	f.Globals.Cp[1], f.Globals.Dp[1] = 1, 1 // asset 1 moves E by one nano quote atom per atom
	f.Leaf.Balances[1] = 0
	e := f.Margin().E
	rem := new(big.Int).Mod(e, encoding.Nano)
	f.Leaf.Balances[1] = new(big.Int).Sub(encoding.Nano, rem).Int64() // E a multiple of N
	p, _ := honest(t, f)
	if new(big.Int).Mul(p, encoding.Nano).Cmp(f.Margin().E) != 0 {
		t.Fatal("fixture: E should be a multiple of N")
	}
	mustSolve(t, build(f, p, false))
	f.Leaf.Balances[1]--
	mustFail(t, build(f, p, false))
	mustSolve(t, build(f, new(big.Int).Sub(p, big.NewInt(1)), false))
}

// TestNegativeEquityPaysZero: an account under water exits with 0 and the sign flag; a positive payout or
// an unset flag fails.
func TestNegativeEquityPaysZero(t *testing.T) {
	f := healthtest.New(sizes)
	f.Leaf.Balances[0] = -10_000_000_000_000
	p, neg := honest(t, f)
	if !neg || p.Sign() != 0 {
		t.Fatal("fixture should have negative equity")
	}
	mustSolve(t, build(f, p, true))
	mustFail(t, build(f, big.NewInt(1), true))
	mustFail(t, build(f, big.NewInt(0), false))
	mustFail(t, build(f, new(big.Int).Lsh(big.NewInt(1), 120), false))
}

// TestWrongRootsFail: a leaf not in the state root, a foreign risk root, another account's index, another
// L1 address. (A stale but genuine root is refused by the contract, which accepts exits only against its
// last finalized state root and last posted risk root: the circuit cannot know which root is the last.)
func TestWrongRootsFail(t *testing.T) {
	f := healthtest.New(sizes)
	p, _ := honest(t, f)
	t.Run("leafNotInRoot", func(t *testing.T) {
		// a richer leaf than the one in the tree, opened against the tree's root
		rich := healthtest.New(sizes)
		rich.Leaf.Balances[0] *= 2
		c := build(rich, new(big.Int).Quo(rich.Margin().E, encoding.Nano), false)
		_, posted := f.Build()
		c.StateRoot = posted.StateRoot
		c.ExitRoots = exit.Roots(posted.StateRoot.(*big.Int), c.RiskRoot.(*big.Int))
		mustFail(t, c)
	})
	t.Run("foreignRiskRoot", func(t *testing.T) {
		kind := healthtest.New(sizes)
		kind.Entries[1].Mark *= 2 // a higher mark than the posted one
		c := build(kind, new(big.Int).Quo(kind.Margin().E, encoding.Nano), false)
		_, posted := f.Build()
		c.RiskRoot = posted.RiskRoot
		c.ExitRoots = exit.Roots(c.StateRoot.(*big.Int), posted.RiskRoot.(*big.Int))
		mustFail(t, c)
	})
	// The public ExitRoots must be the compression of the very roots the account opens against: an opening
	// that checks against its own roots fails when the public input names other roots (an older state root,
	// another risk root, the two swapped, or one root alone).
	t.Run("exitRootsOfOtherRoots", func(t *testing.T) {
		_, hc := f.Build()
		s, r := hc.StateRoot.(*big.Int), hc.RiskRoot.(*big.Int)
		older := healthtest.New(sizes)
		older.Leaf.Balances[0]--
		_, oc := older.Build()
		for name, roots := range map[string]*big.Int{
			"olderStateRoot": exit.Roots(oc.StateRoot.(*big.Int), r),
			"otherRiskRoot":  exit.Roots(s, new(big.Int).Add(r, big.NewInt(1))),
			"swapped":        exit.Roots(r, s),
			"stateRootAlone": s,
		} {
			t.Run(name, func(t *testing.T) {
				c := build(f, p, false)
				c.ExitRoots = roots
				mustFail(t, c)
			})
		}
	})
	t.Run("otherAccount", func(t *testing.T) {
		c := build(f, p, false)
		c.AccountID = big.NewInt(4)
		c.AccountAndAddress = exit.PackAccountAndAddress(4, encoding.ToBig(f.Leaf.L1Address))
		mustFail(t, c)
	})
	t.Run("l1Address", func(t *testing.T) {
		c := build(f, p, false)
		c.L1Address = big.NewInt(0xbeef)
		c.AccountAndAddress = exit.PackAccountAndAddress(f.AccountID, big.NewInt(0xbeef))
		mustFail(t, c)
	})
	t.Run("packedInputNotTheParts", func(t *testing.T) {
		// the leaf's account and address, but a public input packing other values
		c := build(f, p, false)
		c.AccountAndAddress = exit.PackAccountAndAddress(f.AccountID+1, encoding.ToBig(f.Leaf.L1Address))
		mustFail(t, c)
	})
	t.Run("addressBeyond160Bits", func(t *testing.T) {
		// an address of 2^160 + a with account id - 1 packs like (id, a): the range check refuses it
		c := build(f, p, false)
		wide := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 160), encoding.ToBig(f.Leaf.L1Address))
		c.L1Address = wide
		c.Account.L1Address = wide
		c.AccountID = new(big.Int).SetUint64(f.AccountID - 1)
		mustFail(t, c)
	})
	t.Run("statePath", func(t *testing.T) {
		c := build(f, p, false)
		c.Account.StatePath[1] = big.NewInt(7)
		mustFail(t, c)
	})
}

// TestOpeningChecks: committed values the opening refuses even under consistent roots (a negative mark or
// price, an instrument id beyond 2^DI, an entry not in the instrument tree), each with its honest payout.
func TestOpeningChecks(t *testing.T) {
	for name, breakIt := range map[string]func(f *healthtest.Fixture){
		"mark<0":     func(f *healthtest.Fixture) { f.Entries[5].Mark = -1 },
		"cp<0":       func(f *healthtest.Fixture) { f.Globals.Cp[1] = -1 },
		"dp<0":       func(f *healthtest.Fixture) { f.Globals.Dp[1] = -1 },
		"instrument": func(f *healthtest.Fixture) { f.Leaf.Slots[0].InstrumentID = 1 + 1<<uint(sizes.DI) },
	} {
		t.Run(name, func(t *testing.T) {
			f := healthtest.New(sizes)
			breakIt(f)
			p, neg := honest(t, f)
			mustFail(t, build(f, p, neg))
		})
	}
	t.Run("entryNotInTree", func(t *testing.T) {
		f := healthtest.New(sizes)
		p, neg := honest(t, f)
		c := build(f, p, neg)
		c.Account.Entries[1][0] = big.NewInt(12345)
		mustFail(t, c)
	})
}
