package nonneg_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
	"github.com/zkmargin/zkmargin/circuits/internal/gnarktest"
)

type nonnegCircuit struct {
	X frontend.Variable
	N int `gnark:"-"`
}

func (c *nonnegCircuit) Define(api frontend.API) error {
	nonneg.Assert(api, c.X, c.N)
	return nil
}

func TestAssert(t *testing.T) {
	const n = 230
	r := encoding.Modulus()
	lim := new(big.Int).Lsh(big.NewInt(1), n)
	var opts []test.TestingOption
	for _, x := range []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(lim, big.NewInt(1))} {
		opts = append(opts, test.WithValidAssignment(&nonnegCircuit{X: x, N: n}))
	}
	for _, x := range []*big.Int{new(big.Int).Sub(r, big.NewInt(1)), new(big.Int).Sub(r, lim), lim} {
		opts = append(opts, test.WithInvalidAssignment(&nonnegCircuit{X: x, N: n}))
	}
	gnarktest.Check(t, &nonnegCircuit{N: n}, opts...)
}

func BenchmarkAssert230(b *testing.B) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &nonnegCircuit{N: 230})
	if err != nil {
		b.Fatal(err)
	}
	w, err := frontend.NewWitness(&nonnegCircuit{X: big.NewInt(123456789), N: 230}, ecc.BN254.ScalarField())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ccs.Solve(w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(ccs.GetNbConstraints()), "constraints")
}
