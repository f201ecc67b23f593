package vectors

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
)

// repoRoot is the nearest ancestor of the working directory holding docs/ENCODING.md.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "docs", "ENCODING.md")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root (no docs/ENCODING.md above the working directory)")
		}
		dir = parent
	}
}

// load reads a vector file; a missing file FAILS the test: the vectors are part of the contract.
func load(t *testing.T, rel string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatalf("vector file %s is missing (%v): generate it on the Java side with "+
			"mvn -B -q -pl risk-model test -Dtest=CommitVectorsTest -Dzkm.writeVectors=true", rel, err)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
	}
	return data
}

func el(t *testing.T, s string) fr.Element {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.Cmp(encoding.Modulus()) >= 0 {
		t.Fatalf("%q is not a field element", s)
	}
	return encoding.FromBig(v)
}

func els(t *testing.T, ss []string) []fr.Element {
	out := make([]fr.Element, len(ss))
	for i, s := range ss {
		out[i] = el(t, s)
	}
	return out
}

func bigs(t *testing.T, ss []string) []*big.Int {
	t.Helper()
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok {
			t.Fatalf("%q is not an integer", s)
		}
		out[i] = v
	}
	return out
}

func words(t *testing.T, ss []string) []int64 {
	t.Helper()
	out := make([]int64, len(ss))
	for i, s := range ss {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%q is not a word", s)
		}
		out[i] = v
	}
	return out
}

func u64(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an unsigned integer", s)
	}
	return v
}

func eq(t *testing.T, what string, got fr.Element, want string) {
	t.Helper()
	if w := el(t, want); !got.Equal(&w) {
		t.Fatalf("%s: Go %s, Java %s", what, encoding.ToBig(got), want)
	}
}

func TestPoseidon2Vectors(t *testing.T) {
	var v struct {
		Modulus   string     `json:"modulus"`
		Seed      string     `json:"seed"`
		RoundKeys [][]string `json:"roundKeys"`
		Permute   []struct {
			In  []string `json:"in"`
			Out []string `json:"out"`
		} `json:"permute"`
		Compress []struct{ Left, Right, Out string } `json:"compress"`
		HashMD   []struct {
			In  []string `json:"in"`
			Out string   `json:"out"`
		} `json:"hashMD"`
	}
	load(t, "test-vectors/poseidon2.json", &v)
	if v.Modulus != encoding.Modulus().String() {
		t.Fatalf("modulus %s", v.Modulus)
	}
	params := poseidon2.GetDefaultParameters()
	if v.Seed != params.String() {
		t.Fatalf("seed %q, gnark-crypto %q", v.Seed, params.String())
	}
	if len(v.RoundKeys) != len(params.RoundKeys) {
		t.Fatalf("%d round keys, gnark-crypto %d", len(v.RoundKeys), len(params.RoundKeys))
	}
	for i, rk := range v.RoundKeys {
		if len(rk) != len(params.RoundKeys[i]) {
			t.Fatalf("round %d has %d keys, gnark-crypto %d", i, len(rk), len(params.RoundKeys[i]))
		}
		for j := range rk {
			eq(t, "round key", params.RoundKeys[i][j], rk[j])
		}
	}
	perm := poseidon2.NewDefaultPermutation()
	for i, c := range v.Permute {
		x := els(t, c.In)
		if err := perm.Permutation(x); err != nil {
			t.Fatal(err)
		}
		for k := range x {
			eq(t, "permute "+strconv.Itoa(i), x[k], c.Out[k])
		}
	}
	for i, c := range v.Compress {
		eq(t, "compress "+strconv.Itoa(i), encoding.Compress(el(t, c.Left), el(t, c.Right)), c.Out)
	}
	for i, c := range v.HashMD {
		eq(t, "hashMD "+strconv.Itoa(i), encoding.HashMD(els(t, c.In)...), c.Out)
	}
	if len(v.Permute) == 0 || len(v.Compress) == 0 || len(v.HashMD) == 0 {
		t.Fatal("poseidon2.json has no cases")
	}
}

func TestPackingVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Words    []string `json:"words"`
			Elements []string `json:"elements"`
			Hash     string   `json:"hash"`
		} `json:"cases"`
	}
	load(t, "test-vectors/commit/packing.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases")
	}
	for i, c := range v.Cases {
		got := encoding.Pack(words(t, c.Words))
		if len(got) != len(c.Elements) {
			t.Fatalf("case %d: %d elements, Java %d", i, len(got), len(c.Elements))
		}
		for k := range got {
			eq(t, "packed element", got[k], c.Elements[k])
		}
		eq(t, "words hash", encoding.HashMD(got...), c.Hash)
	}
}

type leafJSON struct {
	AccountID  string   `json:"accountId"`
	OwnerPkX   string   `json:"ownerPkX"`
	OwnerPkY   string   `json:"ownerPkY"`
	L1Address  string   `json:"l1Address"`
	OrdersRoot string   `json:"ordersRoot"`
	Words      []string `json:"words"`
	Packed     []string `json:"packed"`
	Hash       string   `json:"hash"`
}

func TestLeafVectors(t *testing.T) {
	var v struct {
		CircuitID string     `json:"circuitId"`
		Leaves    []leafJSON `json:"leaves"`
	}
	load(t, "test-vectors/commit/leaf.json", &v)
	s, err := encoding.ParseHealthID(v.CircuitID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Leaves) == 0 {
		t.Fatal("no leaves")
	}
	for _, l := range v.Leaves {
		leaf, err := encoding.LeafFromWords(s, el(t, l.OwnerPkX), el(t, l.OwnerPkY), words(t, l.Words))
		if err != nil {
			t.Fatalf("account %s: %v", l.AccountID, err)
		}
		leaf.L1Address, leaf.OrdersRoot = el(t, l.L1Address), el(t, l.OrdersRoot)
		packed := encoding.Pack(leaf.Words())
		for k := range packed {
			eq(t, "leaf packed", packed[k], l.Packed[k])
		}
		eq(t, "leaf hash of account "+l.AccountID, leaf.Hash(), l.Hash)
	}
}

func TestTreeVectors(t *testing.T) {
	var v struct {
		EmptyRoots []string `json:"emptyRoots"`
		Trees      []struct {
			Depth  string `json:"depth"`
			Leaves []struct {
				Index string `json:"index"`
				Value string `json:"value"`
			} `json:"leaves"`
			Root  string `json:"root"`
			Paths []struct {
				Index string   `json:"index"`
				Leaf  string   `json:"leaf"`
				Path  []string `json:"path"`
			} `json:"paths"`
		} `json:"trees"`
	}
	load(t, "test-vectors/commit/tree.json", &v)
	z := encoding.EmptyHashes(encoding.MaxDepth)
	if len(v.EmptyRoots) != len(z) {
		t.Fatalf("%d empty roots, want %d", len(v.EmptyRoots), len(z))
	}
	for k := range z {
		eq(t, "empty root "+strconv.Itoa(k), z[k], v.EmptyRoots[k])
	}
	if len(v.Trees) == 0 {
		t.Fatal("no trees")
	}
	for _, tr := range v.Trees {
		depth := int(u64(t, tr.Depth))
		tree := encoding.NewSparseTree(depth)
		for _, l := range tr.Leaves {
			tree.Set(u64(t, l.Index), el(t, l.Value))
		}
		eq(t, "root at depth "+tr.Depth, tree.Root(), tr.Root)
		for _, p := range tr.Paths {
			idx := u64(t, p.Index)
			eq(t, "leaf", tree.Leaf(idx), p.Leaf)
			got := tree.Path(idx)
			for k := range got {
				eq(t, "path", got[k], p.Path[k])
			}
			eq(t, "root from Java path", encoding.RootFromPath(el(t, p.Leaf), idx, els(t, p.Path)), tr.Root)
		}
	}
}

func TestRiskVectors(t *testing.T) {
	var v struct {
		CircuitID string `json:"circuitId"`
		Entries   []struct {
			InstrumentID string   `json:"instrumentId"`
			Words        []string `json:"words"`
			Hash         string   `json:"hash"`
			Path         []string `json:"path"`
		} `json:"entries"`
		GlobalsWords    []string `json:"globalsWords"`
		GlobalsHash     string   `json:"globalsHash"`
		InstrumentsRoot string   `json:"instrumentsRoot"`
		RiskRoot        string   `json:"riskRoot"`
	}
	load(t, "test-vectors/commit/risk.json", &v)
	s, err := encoding.ParseHealthID(v.CircuitID)
	if err != nil {
		t.Fatal(err)
	}
	tree := encoding.NewSparseTree(s.DI)
	for _, e := range v.Entries {
		entry, err := encoding.EntryFromWords(s, words(t, e.Words))
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "entry hash "+e.InstrumentID, entry.Hash(), e.Hash)
		tree.Set(u64(t, e.InstrumentID), entry.Hash())
	}
	eq(t, "instrumentsRoot", tree.Root(), v.InstrumentsRoot)
	for _, e := range v.Entries {
		got := tree.Path(u64(t, e.InstrumentID))
		for k := range got {
			eq(t, "entry path", got[k], e.Path[k])
		}
	}
	g, err := encoding.GlobalsFromWords(s, words(t, v.GlobalsWords))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "globalsHash", g.Hash(), v.GlobalsHash)
	eq(t, "riskRoot", encoding.RiskRoot(tree.Root(), g.Hash()), v.RiskRoot)
}

// TestHealthVectors parses every Java health witness, compares the Go margin with Java's numbers and
// checks that the witness satisfies the health circuit iff Java says the account is healthy.
func TestHealthVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			File         string   `json:"file"`
			AccountID    string   `json:"accountId"`
			ThresholdBps string   `json:"thresholdBps"`
			PublicInputs []string `json:"publicInputs"`
			Equity       string   `json:"equity"`
			LossMm       []string `json:"lossMm"`
			MmCore       string   `json:"mmCore"`
			Mm           string   `json:"mm"`
			LossIm       []string `json:"lossIm"`
			ImCore       string   `json:"imCore"`
			Im           string   `json:"im"`
			Healthy      bool     `json:"healthy"`
			Liquidatable bool     `json:"liquidatable"`
		} `json:"cases"`
	}
	load(t, "test-vectors/commit/health-expected.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no health cases")
	}
	var sawHealthy, sawUnhealthy bool
	for _, c := range v.Cases {
		t.Run(c.File, func(t *testing.T) {
			w, err := health.ParseWitness(load(t, filepath.Join("test-vectors", "commit", c.File), nil))
			if err != nil {
				t.Fatal(err)
			}
			s, err := encoding.ParseHealthID(w.CircuitID)
			if err != nil {
				t.Fatal(err)
			}
			if strconv.FormatUint(w.AccountID, 10) != c.AccountID || strconv.FormatUint(uint64(w.ThresholdBps), 10) != c.ThresholdBps {
				t.Fatalf("witness account/threshold %d/%d, expected %s/%s", w.AccountID, w.ThresholdBps, c.AccountID, c.ThresholdBps)
			}
			pub := w.PublicInputs()
			if len(pub) != len(c.PublicInputs) {
				t.Fatalf("public inputs %v, Java %v", pub, c.PublicInputs)
			}
			for i := range pub {
				if pub[i] != c.PublicInputs[i] {
					t.Fatalf("public input %d: Go %s, Java %s", i, pub[i], c.PublicInputs[i])
				}
			}
			m, err := w.Margin(s)
			if err != nil {
				t.Fatal(err)
			}
			cmp := func(what string, got *big.Int, want string) {
				t.Helper()
				if got.String() != want {
					t.Fatalf("%s: Go %s, Java %s", what, got, want)
				}
			}
			cmp("equity", m.E, c.Equity)
			cmp("mmCore", m.MMcore, c.MmCore)
			cmp("mm", m.MM, c.Mm)
			cmp("imCore", m.IMcore, c.ImCore)
			cmp("im", m.IM, c.Im)
			for k, want := range bigs(t, c.LossMm) {
				cmp("lossMm", m.L[k], want.String())
			}
			for k, want := range bigs(t, c.LossIm) {
				cmp("lossIm", m.LIm[k], want.String())
			}
			if m.Healthy(w.ThresholdBps) != c.Healthy || m.Liquidatable() != c.Liquidatable {
				t.Fatalf("verdicts: Go healthy=%v liquidatable=%v, Java %v %v", m.Healthy(w.ThresholdBps), m.Liquidatable(), c.Healthy, c.Liquidatable)
			}
			// roots and paths: the leaf is in stateRoot, the globals and entries in riskRoot
			var pkX, pkY fr.Element
			pkX.SetBigInt(w.OwnerPkX)
			pkY.SetBigInt(w.OwnerPkY)
			leaf, err := encoding.LeafFromWords(s, pkX, pkY, w.LeafWords)
			if err != nil {
				t.Fatal(err)
			}
			leaf.L1Address.SetBigInt(w.L1Address)
			leaf.OrdersRoot.SetBigInt(w.OrdersRoot)
			eq(t, "stateRoot from the witness path", encoding.RootFromPath(leaf.Hash(), w.AccountID, encoding.ElementsFromBig(w.StatePath)), w.StateRoot.String())

			a, err := health.Assign(s, w)
			if err != nil {
				t.Fatal(err)
			}
			solveErr := test.IsSolved(health.NewCircuit(s), a, ecc.BN254.ScalarField())
			if (solveErr == nil) != c.Healthy {
				t.Fatalf("circuit solved=%v (%v), Java healthy=%v", solveErr == nil, solveErr, c.Healthy)
			}
			// an unhealthy witness must fail at the health comparison, not at a membership or range check
			want := fmt.Sprintf("with %d bits", health.HealthCheckBits)
			if !c.Healthy && !strings.Contains(solveErr.Error(), want) {
				t.Fatalf("unhealthy witness failed elsewhere than the final comparison: %v", solveErr)
			}
			if c.Healthy {
				sawHealthy = true
			} else {
				sawUnhealthy = true
			}
		})
	}
	if !sawHealthy || !sawUnhealthy {
		t.Fatalf("the vectors must hold at least one healthy and one unhealthy witness (healthy %v, unhealthy %v)", sawHealthy, sawUnhealthy)
	}
}
