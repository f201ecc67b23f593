package health_test

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

// TestRandomAccountsAgreeWithReference draws random portfolios (signed balances and quantities, empty
// slots, large words) and checks that the circuit accepts exactly when the native reference says
// healthy, at the largest healthy threshold and one above it.
func TestRandomAccountsAgreeWithReference(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	word := func(bits uint) int64 { return rng.Int63n(int64(1)<<bits) - int64(1)<<(bits-1) }
	checked := 0
	for iter := 0; iter < 12; iter++ {
		f := healthtest.New(sizes)
		for a := range f.Leaf.Balances {
			f.Leaf.Balances[a] = rng.Int63n(1<<40) - 1<<36 // mostly positive
			f.Globals.Cp[a] = rng.Int63n(1 << 40)
			f.Globals.Dp[a] = f.Globals.Cp[a] + rng.Int63n(1<<36) // debts (negative balances) at dp >= cp
			for s := range f.Globals.C[a] {
				f.Globals.C[a][s] = word(36)
			}
		}
		for j := range f.Leaf.Slots {
			sl := &f.Leaf.Slots[j]
			sl.Quantity = word(20)
			if rng.Intn(4) == 0 {
				sl.Quantity = 0
			}
			sl.FundingSnapshot = word(24)
		}
		for _, e := range f.Entries {
			e.Mark, e.FundingIndex = rng.Int63n(1<<30), word(24)
			e.FloorMm, e.FloorIm = rng.Int63n(1<<20), rng.Int63n(1<<20)
			for s := range e.Rmm {
				e.Rmm[s], e.Rim[s] = word(40), word(40)
			}
		}
		f.Leaf.Tier = int64(rng.Intn(sizes.T))
		m := f.Margin()
		if m.E.Sign() <= 0 || m.MM.Sign() == 0 {
			// no threshold separates healthy from unhealthy: E <= 0 is unhealthy at any positive threshold
			f.ThresholdBps = 1
			_, c := f.Build()
			if solves(t, c) != m.Healthy(1) {
				t.Fatalf("iteration %d: circuit and reference disagree at threshold 1", iter)
			}
			continue
		}
		limit := new(big.Int).Div(new(big.Int).Mul(m.E, big.NewInt(10_000_000_000)), m.MM)
		if !limit.IsUint64() || limit.Uint64() >= 1<<32-1 {
			continue
		}
		for _, th := range []uint32{uint32(limit.Uint64()), uint32(limit.Uint64()) + 1} {
			f.ThresholdBps = th
			_, c := f.Build()
			if got, want := solves(t, c), m.Healthy(th); got != want {
				t.Fatalf("iteration %d threshold %d: circuit %v, reference %v", iter, th, got, want)
			}
		}
		checked++
	}
	if checked < 4 {
		t.Fatalf("only %d random portfolios had a threshold edge in range", checked)
	}
}
