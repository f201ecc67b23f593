package words_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
	"github.com/zkmargin/zkmargin/circuits/internal/gnarktest"
)

// unpackCircuit unpacks E and checks the three signed values and sign bits; the first word must be in
// [0, 2^Range).
type unpackCircuit struct {
	E     frontend.Variable
	V     [3]frontend.Variable
	Neg   [3]frontend.Variable
	Range int `gnark:"-"`
}

func (c *unpackCircuit) Define(api frontend.API) error {
	w := words.Unpack(api, c.E)
	for k := range w {
		api.AssertIsEqual(w[k].Value, c.V[k])
		api.AssertIsEqual(w[k].Neg, c.Neg[k])
	}
	if c.Range > 0 {
		w[0].AssertInRange(api, c.Range)
	}
	return nil
}

func assignment(ws [3]int64, rng int) *unpackCircuit {
	c := &unpackCircuit{E: encoding.PackBig(ws[:])[0], Range: rng}
	for k, v := range ws {
		c.V[k] = v
		neg := 0
		if v < 0 {
			neg = 1
		}
		c.Neg[k] = neg
	}
	return c
}

func TestUnpack(t *testing.T) {
	var opts []test.TestingOption
	for _, ws := range [][3]int64{{0, 0, 0}, {-1, 1, -2}, {-1 << 63, 1<<63 - 1, 12345}, {7, -7, 0}} {
		opts = append(opts, test.WithValidAssignment(assignment(ws, 0)))
	}
	// a wrong value or sign claim fails
	bad := assignment([3]int64{5, -5, 0}, 0)
	bad.V[1] = 5
	// an element >= 2^192 fails (it is not three words)
	big192 := assignment([3]int64{1, 2, 3}, 0)
	big192.E = new(big.Int).Add(big192.E.(*big.Int), new(big.Int).Lsh(big.NewInt(1), 192))
	// r - 1 (a "negative" element) fails
	neg := assignment([3]int64{1, 2, 3}, 0)
	neg.E = new(big.Int).Sub(encoding.Modulus(), big.NewInt(1))
	opts = append(opts, test.WithInvalidAssignment(bad), test.WithInvalidAssignment(big192), test.WithInvalidAssignment(neg))
	gnarktest.Check(t, &unpackCircuit{}, opts...)
}

func TestAssertInRange(t *testing.T) {
	var opts []test.TestingOption
	for _, v := range []int64{0, 1, 1<<32 - 1} {
		opts = append(opts, test.WithValidAssignment(assignment([3]int64{v, 0, 0}, 32)))
	}
	for _, v := range []int64{-1, 1 << 32, 1<<63 - 1, -1 << 63} {
		opts = append(opts, test.WithInvalidAssignment(assignment([3]int64{v, 0, 0}, 32)))
	}
	gnarktest.Check(t, &unpackCircuit{Range: 32}, opts...)
}

func TestUnpackConstraintCount(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &unpackCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	// 192 boolean constraints + 1 recomposition + 6 equality checks
	if n := ccs.GetNbConstraints(); n != 192+1+6 {
		t.Fatalf("unpack costs %d constraints", n)
	}
}

func BenchmarkUnpack(b *testing.B) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &unpackCircuit{})
	if err != nil {
		b.Fatal(err)
	}
	w, err := frontend.NewWitness(assignment([3]int64{-1, 1, -2}, 0), ecc.BN254.ScalarField())
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
