package merkle_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	stdmerkle "github.com/consensys/gnark/std/accumulator/merkle"
	"github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/merkle"
	"github.com/zkmargin/zkmargin/circuits/internal/gnarktest"
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
	const depth = 8
	var opts []test.TestingOption
	for _, idx := range []uint64{0, 1, 3, 77, 254, 255} {
		opts = append(opts, test.WithValidAssignment(build(depth, idx)))
	}
	wrongLeaf := build(depth, 77)
	wrongLeaf.Leaf = big.NewInt(1)
	wrongIndex := build(depth, 77)
	wrongIndex.Index = 78
	wrongSibling := build(depth, 77)
	wrongSibling.Path[5] = big.NewInt(5)
	opts = append(opts, test.WithInvalidAssignment(wrongLeaf), test.WithInvalidAssignment(wrongIndex),
		test.WithInvalidAssignment(wrongSibling))
	gnarktest.Check(t, &rootCircuit{Path: make([]frontend.Variable, depth)}, opts...)
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
	gnarktest.Check(t, &mdCircuit{}, test.WithValidAssignment(a))
}

// foldCircuit folds Compress by hand from 0 (docs/ENCODING.md's hashMD); stdMDCircuit uses gnark's
// std/hash/poseidon2 hasher; stdTreeCircuit is gnark's std/accumulator/merkle proof over that hasher.
type foldCircuit struct{ X [9]frontend.Variable }

func (c *foldCircuit) Define(api frontend.API) error {
	h, err := merkle.NewHasher(api)
	if err != nil {
		return err
	}
	var s frontend.Variable = 0
	for _, x := range c.X {
		s = h.Compress(s, x)
	}
	api.AssertIsDifferent(s, 0)
	return nil
}

type stdMDCircuit struct{ X [9]frontend.Variable }

func (c *stdMDCircuit) Define(api frontend.API) error {
	h, err := poseidon2.New(api)
	if err != nil {
		return err
	}
	h.Write(c.X[:]...)
	api.AssertIsDifferent(h.Sum(), 0)
	return nil
}

type stdTreeCircuit struct {
	Proof stdmerkle.MerkleProof
	Index frontend.Variable
}

func (c *stdTreeCircuit) Define(api frontend.API) error {
	h, err := poseidon2.New(api)
	if err != nil {
		return err
	}
	c.Proof.VerifyProof(api, h, c.Index)
	return nil
}

// TestPoseidon2Cost measures what circuits/README.md ("Poseidon2") quotes: gnark's std Merkle-Damgard
// hasher, which the health circuit uses for hashMD, costs exactly the hand fold of Compress; gnark's
// std/accumulator/merkle (leaf hashed once more, two compressions per level: another tree than
// docs/ENCODING.md's) costs about twice Root, which is why Root stays.
func TestPoseidon2Cost(t *testing.T) {
	count := func(c frontend.Circuit) int {
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
		if err != nil {
			t.Fatal(err)
		}
		return ccs.GetNbConstraints()
	}
	fold, std := count(&foldCircuit{}), count(&stdMDCircuit{})
	if fold != std {
		t.Fatalf("hashMD of 9 elements: hand fold %d constraints, std hasher %d", fold, std)
	}
	root := count(&rootCircuit{Path: make([]frontend.Variable, 32)})
	stdTree := count(&stdTreeCircuit{Proof: stdmerkle.MerkleProof{Path: make([]frontend.Variable, 33)}})
	if stdTree <= root {
		t.Fatalf("depth 32: std/accumulator/merkle %d constraints, Root %d: revisit circuits/README.md", stdTree, root)
	}
	t.Logf("hashMD of 9 elements: %d constraints both ways; depth-32 root: Root %d, std/accumulator/merkle %d", fold, root, stdTree)
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
