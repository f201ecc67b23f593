package liquidation_test

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
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
)

var sizes = encoding.TestSizes

var keeper = new(big.Int).SetBytes([]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})

var (
	compileOnce sync.Once
	compiled    constraint.ConstraintSystem
	compileErr  error
)

func testCS(t *testing.T) constraint.ConstraintSystem {
	t.Helper()
	compileOnce.Do(func() {
		compiled, compileErr = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, liquidation.NewCircuit(sizes))
	})
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiled
}

// solves reports whether the assignment satisfies the test engine and the compiled R1CS (which must agree).
func solves(t *testing.T, c *liquidation.Circuit) bool {
	t.Helper()
	engineErr := test.IsSolved(liquidation.NewCircuit(sizes), c, ecc.BN254.ScalarField())
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

func mustSolve(t *testing.T, c *liquidation.Circuit) {
	t.Helper()
	if !solves(t, c) {
		t.Fatal("valid witness does not solve")
	}
}

func mustFail(t *testing.T, c *liquidation.Circuit) {
	t.Helper()
	if solves(t, c) {
		t.Fatal("broken witness solves")
	}
}

// atBoundary returns the health fixture made exactly at the liquidation boundary E * 10^6 == MM, plus delta
// nano quote atoms of equity: tier factor 1.0 (so MM = (MMcore + floor) * 10^6) and asset 1 priced at one nano
// quote atom per atom with no scenario move (so its balance moves E by one nano quote atom per atom).
func atBoundary(t testing.TB, delta int64) *healthtest.Fixture { return atBoundaryOf(t, sizes, delta) }

func atBoundaryOf(t testing.TB, sizes encoding.Sizes, delta int64) *healthtest.Fixture {
	t.Helper()
	f := healthtest.New(sizes)
	f.Globals.TierFactorPpm[f.Leaf.Tier] = 1_000_000
	f.Globals.Cp[1], f.Globals.Dp[1] = 1, 1
	for k := range f.Globals.C[1] {
		f.Globals.C[1][k] = 0
	}
	f.Leaf.Balances[1] = 0
	m := f.Margin()
	// E + b1 = MM / 10^6 with b1 >= 0: lower the quote balance until the gap is positive
	gap := new(big.Int).Sub(new(big.Int).Quo(m.MM, big.NewInt(1_000_000)), m.E)
	for gap.Sign() < 0 || gap.Cmp(big.NewInt(1_000_000_000)) < 0 {
		f.Leaf.Balances[0] -= 1_000_000
		m = f.Margin()
		gap = new(big.Int).Sub(new(big.Int).Quo(m.MM, big.NewInt(1_000_000)), m.E)
	}
	f.Leaf.Balances[1] = gap.Int64() + delta
	m = f.Margin()
	want := new(big.Int).Add(m.MM, big.NewInt(delta*1_000_000))
	if e6 := new(big.Int).Mul(m.E, big.NewInt(1_000_000)); e6.Cmp(want) != 0 {
		t.Fatalf("fixture: E*10^6 = %s, want MM + delta*10^6 = %s", e6, want)
	}
	if m.MMcore.Sign() <= 0 {
		t.Fatal("fixture should lose in some scenario")
	}
	return f
}

func build(f *healthtest.Fixture, scenario int) *liquidation.Circuit {
	w, hc := f.Build()
	return liquidation.FromHealth(sizes, hc, w.AccountID, keeper, scenario)
}

// TestValidWitnessProvesGroth16 is the one Groth16 round trip: an account one nano quote atom of equity
// below the boundary proves; the proof fails against another keeper or another account.
func TestValidWitnessProvesGroth16(t *testing.T) {
	f := atBoundary(t, -1)
	s := liquidation.Scenario(sizes, f.Margin())
	if s < 0 || s >= sizes.S {
		t.Fatalf("scenario %d: the fixture should break maintenance through a scenario", s)
	}
	w, hc := f.Build()
	c := liquidation.FromHealth(sizes, hc, w.AccountID, keeper, s)
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
	lw := &liquidation.Witness{CircuitID: liquidation.ID(sizes), Account: w, Keeper: keeper, Scenario: s}
	vec := public.Vector().(fr.Vector)
	want := lw.PublicInputs()
	if len(vec) != len(want) {
		t.Fatalf("public inputs: got %d, want %d", len(vec), len(want))
	}
	for i := range vec {
		if vec[i].String() != want[i] {
			t.Fatalf("public input %d: got %s, want %s", i, vec[i].String(), want[i])
		}
	}
	for name, change := range map[string]func(*liquidation.Circuit){
		"keeper":  func(c *liquidation.Circuit) { c.Keeper = new(big.Int).Add(keeper, big.NewInt(1)) },
		"account": func(c *liquidation.Circuit) { c.AccountID = big.NewInt(4) },
	} {
		cc := *c
		change(&cc)
		changed, err := frontend.NewWitness(&cc, ecc.BN254.ScalarField(), frontend.PublicOnly())
		if err != nil {
			t.Fatal(err)
		}
		if err := groth16.Verify(proof, vk, changed); err == nil {
			t.Fatalf("proof verified against another %s", name)
		}
	}
	// the witness JSON round-trips into the same assignment's public inputs
	data, err := lw.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := liquidation.ParseWitness(data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(back.PublicInputs(), ",") != strings.Join(want, ",") {
		t.Fatal("JSON round trip changed the public inputs")
	}
	if _, err := liquidation.Assign(sizes, back); err != nil {
		t.Fatal(err)
	}
}

// TestHealthyAccountFails: at the exact boundary E * 10^6 == MM and one nano quote atom above, no scenario
// proves eligibility (the worst one included).
func TestHealthyAccountFails(t *testing.T) {
	for _, delta := range []int64{0, 1} {
		f := atBoundary(t, delta)
		if f.Margin().Liquidatable() {
			t.Fatalf("delta %d: the native model calls it liquidatable", delta)
		}
		for s := 0; s <= sizes.S; s++ {
			mustFail(t, build(f, s))
		}
	}
}

// TestWrongScenarioFails: one atom below the boundary only the worst scenario breaks maintenance; every other
// scenario, and the scenario-free term S, fails.
func TestWrongScenarioFails(t *testing.T) {
	f := atBoundary(t, -1)
	best := liquidation.Scenario(sizes, f.Margin())
	mustSolve(t, build(f, best))
	for s := 0; s <= sizes.S; s++ {
		if s != best {
			mustFail(t, build(f, s))
		}
	}
	mustFail(t, build(f, sizes.S+1)) // out of [0, S]
	mustFail(t, build(f, -1))
}

// TestFloorOnlyScenario: an account whose every scenario gains but whose floor charge exceeds its equity is
// liquidatable through s* = S (the term 0 of max(0, max_s L[s])).
func TestFloorOnlyScenario(t *testing.T) {
	f := healthtest.New(sizes)
	// only the short put, whose scenarios are set to gains, and a small quote balance
	f.Leaf.Slots[0] = encoding.Slot{}
	f.Leaf.Balances[1] = 0
	for k := range f.Entries[5].Rmm {
		f.Entries[5].Rmm[k] = -1 // a short position gains when the put loses value
	}
	// E = b0 - 2*10^7 quote atoms (the short put's value); MM = 10 lots * floorMm 500,000 * tier 1.5 = 7.5*10^6
	// quote atoms; L[s] = -10 quote atoms in every scenario. One quote atom under MM: only s* = S proves it.
	f.Leaf.Balances[0] = 20_000_000 + 7_500_000 - 1
	m := f.Margin()
	if m.MMcore.Sign() != 0 || !m.Liquidatable() || m.E.Sign() <= 0 {
		t.Fatalf("fixture: MMcore %s liquidatable %v", m.MMcore, m.Liquidatable())
	}
	if s := liquidation.Scenario(sizes, m); s != sizes.S {
		t.Fatalf("scenario %d, want %d", s, sizes.S)
	}
	mustSolve(t, build(f, sizes.S))
	for s := 0; s < sizes.S; s++ {
		mustFail(t, build(f, s))
	}
}

// TestWrongRootsFail: a leaf not in the state root, a foreign risk root, another account id, a keeper
// beyond 2^160.
func TestWrongRootsFail(t *testing.T) {
	f := atBoundary(t, -1)
	s := liquidation.Scenario(sizes, f.Margin())
	t.Run("leafNotInRoot", func(t *testing.T) {
		// the tree holds a healthy leaf; the prover opens a poorer one at the same index
		rich := atBoundary(t, 1_000_000)
		_, hc := rich.Build()
		c := build(f, s)
		c.StateRoot = hc.StateRoot
		mustFail(t, c)
	})
	t.Run("foreignRiskRoot", func(t *testing.T) {
		// the opening is against a harsher risk vector than the posted one
		posted := atBoundary(t, -1)
		for k := range posted.Entries[1].Rmm {
			posted.Entries[1].Rmm[k] /= 2
		}
		_, hc := posted.Build()
		c := build(f, s)
		c.RiskRoot = hc.RiskRoot
		mustFail(t, c)
	})
	t.Run("otherAccount", func(t *testing.T) {
		c := build(f, s)
		c.AccountID = big.NewInt(4)
		mustFail(t, c)
	})
	t.Run("keeperRange", func(t *testing.T) {
		c := build(f, s)
		c.Keeper = new(big.Int).Lsh(big.NewInt(1), 160)
		mustFail(t, c)
	})
	t.Run("statePath", func(t *testing.T) {
		c := build(f, s)
		c.Account.StatePath[0] = big.NewInt(12345)
		mustFail(t, c)
	})
}

func TestIDs(t *testing.T) {
	if got := liquidation.ID(encoding.ProductionSizes); got != "liquidation-D32-I12-P8-A4-S16-T4" {
		t.Fatal(got)
	}
	s, err := liquidation.ParseID("liquidation-D6-I3-P2-A2-S4-T2")
	if err != nil || s != sizes {
		t.Fatal(s, err)
	}
	for _, bad := range []string{"health-D6-I3-P2-A2-S4-T2", "liquidation-D06-I3-P2-A2-S4-T2", "liquidation-D99-I3-P2-A2-S4-T2"} {
		if _, err := liquidation.ParseID(bad); err == nil {
			t.Fatalf("%s parsed", bad)
		}
	}
}

// TestOpeningChecks: the account gadget's checks on committed values, each broken with roots that commit to
// the broken value (so only the check itself can refuse it): a tier outside [0, T), a negative mark, a
// negative floor, a negative collateral price, an entry not in the instrument tree, an instrument id beyond
// 2^DI.
func TestOpeningChecks(t *testing.T) {
	for name, breakIt := range map[string]func(f *healthtest.Fixture){
		"tier":       func(f *healthtest.Fixture) { f.Leaf.Tier = int64(sizes.T) },
		"mark<0":     func(f *healthtest.Fixture) { f.Entries[1].Mark = -1 },
		"floorMm<0":  func(f *healthtest.Fixture) { f.Entries[5].FloorMm = -1 },
		"cp<0":       func(f *healthtest.Fixture) { f.Globals.Cp[1] = -1 },
		"dp<0":       func(f *healthtest.Fixture) { f.Globals.Dp[1] = -1 }, // b1 >= 0: dp is not read for E
		"instrument": func(f *healthtest.Fixture) { f.Leaf.Slots[0].InstrumentID = 1 + 1<<uint(sizes.DI) },
	} {
		t.Run(name, func(t *testing.T) {
			f := atBoundary(t, -1_000_000_000)
			breakIt(f)
			for s := 0; s <= sizes.S; s++ {
				mustFail(t, build(f, s))
			}
		})
	}
	t.Run("entryNotInTree", func(t *testing.T) {
		f := atBoundary(t, -1_000_000_000)
		c := build(f, liquidation.Scenario(sizes, f.Margin()))
		mustSolve(t, c)
		c.Account.Entries[0][1] = big.NewInt(12345) // Rmm words of slot 0's entry, not the committed ones
		mustFail(t, c)
	})
}

// closedOut returns the fixture's account closed out (no position, no asset but quote) with quote balance b0.
func closedOut(b0 int64) *healthtest.Fixture {
	f := healthtest.New(sizes)
	for j := range f.Leaf.Slots {
		f.Leaf.Slots[j] = encoding.Slot{}
	}
	for k := range f.Leaf.Balances {
		f.Leaf.Balances[k] = 0
	}
	f.Leaf.Balances[0] = b0
	return f
}

// TestNothingToTakeFails: a closed-out account in debt (E < 0 <= MM, liquidatable by the inequality alone)
// fails in every scenario, as it does with a negative non-quote balance (kind 6 takes c in [0, balance]); one
// lot of a position, or one atom of a positive non-quote balance, makes the same debt provable.
func TestNothingToTakeFails(t *testing.T) {
	f := closedOut(-1_000_000)
	if !f.Margin().Liquidatable() {
		t.Fatal("fixture: a closed-out account in debt should pass the inequality")
	}
	for s := 0; s <= sizes.S; s++ {
		mustFail(t, build(f, s))
	}
	f.Leaf.Balances[1] = -5 // a debt in asset 1: still nothing a take could take
	if !f.Margin().Liquidatable() {
		t.Fatal("fixture: still liquidatable")
	}
	for s := 0; s <= sizes.S; s++ {
		mustFail(t, build(f, s))
	}

	g := closedOut(-1_000_000_000)
	g.Leaf.Balances[1] = 1
	m := g.Margin()
	if !m.Liquidatable() {
		t.Fatal("fixture: one atom of asset 1 should leave it liquidatable")
	}
	mustSolve(t, build(g, liquidation.Scenario(sizes, m)))

	h := closedOut(-1_000_000_000)
	h.Leaf.Slots[0] = healthtest.New(sizes).Leaf.Slots[0]
	h.Leaf.Slots[0].Quantity = 1
	m = h.Margin()
	if !m.Liquidatable() {
		t.Fatal("fixture: one lot should leave it liquidatable")
	}
	mustSolve(t, build(h, liquidation.Scenario(sizes, m)))
}
