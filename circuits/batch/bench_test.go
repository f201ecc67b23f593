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
// linearly with the constraint count).
func BenchmarkBatchProveProduction(b *testing.B) {
	s := batch.ProductionSizes
	if n, err := strconv.Atoi(os.Getenv("ZKM_BATCH_N")); err == nil && n > 0 {
		s.N = n
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
	bt := batchtest.New(s).Start()
	for k, step := range []func(){func() { bt.Deposit() }, func() { bt.Trade(sell5(bt)) }, func() { bt.Transfer(1, 4, 0, 1_000_000) },
		func() { bt.Withdraw(1, 1_000_000, 0x1234) }, func() { bt.Deposit() }} {
		if k < s.N {
			step()
		}
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
