package batch_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
)

// BenchmarkBatchProveProduction proves a production-size batch (N = 16: two deposits, a transfer and a
// withdrawal, padded with no-ops; every slot costs the same whatever its kind). Not run by CI; it compiles
// about 1.1 M constraints and runs a Groth16 development setup first (many minutes, several GiB):
// go test ./circuits/batch -run '^$' -bench BatchProveProduction -benchtime 1x -timeout 2h
func BenchmarkBatchProveProduction(b *testing.B) {
	s := batch.ProductionSizes
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, batch.NewCircuit(s))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d constraints", s.ID(), cs.GetNbConstraints())
	pk, _, err := groth16.Setup(cs)
	if err != nil {
		b.Fatal(err)
	}
	assignment := batchtest.New(s).Start().Deposit().Deposit().Transfer(1, 4, 0, 1_000_000).Withdraw(1, 1_000_000, 0x1234).Build()
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
