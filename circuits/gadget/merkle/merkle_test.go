package merkle_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/merkle"
)

// rootCircuit recomputes Root from Leaf at Index with Path.
type rootCircuit struct {
	Root  frontend.Variable `gnark:",public"`
	Leaf  frontend.Variable
	Index frontend.Variable
	Path  []frontend.Variable
}

func (c *rootCircuit) Define(api frontend.API) error {
	h, err := merkle.NewHasher(api)
	if err != nil {
		return err
	}
	bits := api.ToBinary(c.Index, len(c.Path))
	api.AssertIsEqual(merkle.Root(api, h, c.Leaf, c.Path, bits), c.Root)
	return nil
}

func build(depth int, index uint64) *rootCircuit {
	tree := encoding.NewSparseTree(depth)
	for i, id := range []uint64{0, 3, index, 1<<uint(depth) - 1} {
		var v fr.Element
		v.SetUint64(uint64(1000 + i))
		tree.Set(id, v)
	}
	c := &rootCircuit{Root: encoding.ToBig(tree.Root()), Leaf: encoding.ToBig(tree.Leaf(index)), Index: index}
	for _, s := range tree.Path(index) {
		c.Path = append(c.Path, encoding.ToBig(s))
	}
	return c
}

func TestRootMatchesNative(t *testing.T) {
	assert := test.NewAssert(t)
	field := ecc.BN254.ScalarField()
	const depth = 8
	for _, idx := range []uint64{0, 1, 3, 77, 254, 255} {
		assert.NoError(test.IsSolved(&rootCircuit{Path: make([]frontend.Variable, depth)}, build(depth, idx), field), "index %d", idx)
	}
	wrongLeaf := build(depth, 77)
	wrongLeaf.Leaf = big.NewInt(1)
	assert.Error(test.IsSolved(&rootCircuit{Path: make([]frontend.Variable, depth)}, wrongLeaf, field))
	wrongIndex := build(depth, 77)
	wrongIndex.Index = 78
	assert.Error(test.IsSolved(&rootCircuit{Path: make([]frontend.Variable, depth)}, wrongIndex, field))
	wrongSibling := build(depth, 77)
	wrongSibling.Path[5] = big.NewInt(5)
	assert.Error(test.IsSolved(&rootCircuit{Path: make([]frontend.Variable, depth)}, wrongSibling, field))
}

// mdCircuit checks that folding Compress from 0 equals gnark's std Poseidon2 Merkle-Damgard hasher and
// the native encoding.HashMD.
type mdCircuit struct {
	X    [5]frontend.Variable
	Want frontend.Variable
}

func (c *mdCircuit) Define(api frontend.API) error {
	h, err := merkle.NewHasher(api)
	if err != nil {
		return err
	}
	var s frontend.Variable = 0
	for _, x := range c.X {
		s = h.Compress(s, x)
	}
	std, err := poseidon2.New(api)
	if err != nil {
		return err
	}
	std.Write(c.X[:]...)
	api.AssertIsEqual(s, std.Sum())
	api.AssertIsEqual(s, c.Want)
	return nil
}

func TestMerkleDamgardMatchesStd(t *testing.T) {
	var xs [5]fr.Element
	a := &mdCircuit{}
	for i := range xs {
		xs[i].SetUint64(uint64(i*i + 3))
		a.X[i] = encoding.ToBig(xs[i])
	}
	a.Want = encoding.ToBig(encoding.HashMD(xs[:]...))
	test.NewAssert(t).NoError(test.IsSolved(&mdCircuit{}, a, ecc.BN254.ScalarField()))
}

func BenchmarkRootDepth32(b *testing.B) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &rootCircuit{Path: make([]frontend.Variable, 32)})
	if err != nil {
		b.Fatal(err)
	}
	w, err := frontend.NewWitness(build(32, 123456789), ecc.BN254.ScalarField())
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
