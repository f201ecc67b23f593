package health_test

import (
	"sync"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
)

// production holds the production-size circuit compiled and set up once (groth16 development setup).
var production struct {
	once   sync.Once
	ccs    constraint.ConstraintSystem
	pk     groth16.ProvingKey
	vk     groth16.VerifyingKey
	full   witness.Witness
	public witness.Witness
	setup  time.Duration
	err    error
}

func productionSetup(b *testing.B) {
	b.Helper()
	p := &production
	p.once.Do(func() {
		s := encoding.ProductionSizes
		if p.ccs, p.err = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, health.NewCircuit(s)); p.err != nil {
			return
		}
		start := time.Now()
		if p.pk, p.vk, p.err = groth16.Setup(p.ccs); p.err != nil {
			return
		}
		p.setup = time.Since(start)
		_, c := healthtest.New(s).Build()
		if p.full, p.err = frontend.NewWitness(c, ecc.BN254.ScalarField()); p.err != nil {
			return
		}
		p.public, p.err = p.full.Public()
	})
	if p.err != nil {
		b.Fatal(p.err)
	}
}

// BenchmarkHealthProduction measures the health circuit at health-D32-I12-P8-A4-S16-T4: compile, prove
// and verify (the Groth16 development setup runs once and is reported as setup-s).
// Run: go test ./circuits/health -run '^$' -bench HealthProduction -benchtime 10x
func BenchmarkHealthProduction(b *testing.B) {
	b.Run("compile", func(b *testing.B) {
		var n int
		for i := 0; i < b.N; i++ {
			ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, health.NewCircuit(encoding.ProductionSizes))
			if err != nil {
				b.Fatal(err)
			}
			n = ccs.GetNbConstraints()
		}
		b.ReportMetric(float64(n), "constraints")
	})
	b.Run("prove", func(b *testing.B) {
		productionSetup(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := groth16.Prove(production.ccs, production.pk, production.full); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(production.ccs.GetNbConstraints()), "constraints")
		b.ReportMetric(production.setup.Seconds(), "setup-s")
	})
	b.Run("verify", func(b *testing.B) {
		productionSetup(b)
		proof, err := groth16.Prove(production.ccs, production.pk, production.full)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := groth16.Verify(proof, production.vk, production.public); err != nil {
				b.Fatal(err)
			}
		}
	})
}
