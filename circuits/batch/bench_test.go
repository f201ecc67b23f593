package batch_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
)

// BenchmarkBatchProveProduction proves a production-size batch (N = 16: two deposits, a trade, a transfer and
// a withdrawal, padded with no-ops; every slot costs the same whatever its kind). Not run by CI; it compiles
// about 1.67 M constraints and runs a Groth16 development setup first (many minutes, several GiB):
// go test ./circuits/batch -run '^$' -bench BatchProveProduction -benchtime 1x -timeout 2h
// ZKM_BATCH_N=1 (or 2, ...) proves a production-size batch with fewer slots (the prove time grows about
// linearly with the constraint count); ZKM_BATCH_Q=1 (or 0) fewer liquidation slots (Q = 2 by default). The first
// liquidation slot liquidates 16 lots of an under-water account (liquidation_test.go's fixture).
func BenchmarkBatchProveProduction(b *testing.B) {
	s := batch.ProductionSizes
	if n, err := strconv.Atoi(os.Getenv("ZKM_BATCH_N")); err == nil && n > 0 {
		s.N = n
	}
	if q, err := strconv.Atoi(os.Getenv("ZKM_BATCH_Q")); err == nil && q >= 0 {
		s.Q = q
	}
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, batch.NewCircuit(s))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d constraints", s.ID(), cs.GetNbConstraints())
	pk, _, err := groth16.Setup(cs)
	if err != nil {
		b.Fatal(err)
	}
	bt := liqStartFrom(batchtest.New(s), liqDebt)
	for k, step := range []func(){func() { bt.Deposit() }, func() { bt.Trade(sell5(bt)) }, func() { bt.Transfer(1, 4, 0, 1_000_000) },
		func() { bt.Withdraw(1, 1_000_000, 0x1234) }, func() { bt.Deposit() }} {
		if k < s.N {
			step()
		}
	}
	if s.Q > 0 {
		takeLots, takeAtoms := make([]int64, s.P), make([]int64, s.A)
		takeLots[0] = liqTake
		sp := bt.Liq(liqAccount, 2, takeLots, takeAtoms, liqPenalty)
		sp.Keeper = liqKeeper
		bt.Liquidate(sp)
	}
	assignment := bt.Build()
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := groth16.Prove(cs, pk, w); err != nil {
			b.Fatal(err)
		}
	}
}
