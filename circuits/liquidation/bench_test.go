package liquidation_test

import (
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
)

// BenchmarkLiquidationProduction proves an eligibility claim at liquidation-D32-I12-P8-A4-S16-T4 (the Groth16
// development setup runs once, reported as setup-s).
// Run: nice go test ./circuits/liquidation -run '^$' -bench LiquidationProduction -benchtime 3x
func BenchmarkLiquidationProduction(b *testing.B) {
	s := encoding.ProductionSizes
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, liquidation.NewCircuit(s))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		b.Fatal(err)
	}
	setup := time.Since(start)
	f := atBoundaryOf(b, s, -1)
	w, hc := f.Build()
	c := liquidation.FromHealth(s, hc, w.AccountID, keeper, liquidation.Scenario(s, f.Margin()))
	full, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		b.Fatal(err)
	}
	public, err := full.Public()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		proof, err := groth16.Prove(ccs, pk, full)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			if err := groth16.Verify(proof, vk, public); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(ccs.GetNbConstraints()), "constraints")
	b.ReportMetric(setup.Seconds(), "setup-s")
}
