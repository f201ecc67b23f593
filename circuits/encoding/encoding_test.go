package encoding

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
)

func randElement(rng *rand.Rand) fr.Element {
	var e fr.Element
	e.SetBigInt(new(big.Int).Rand(rng, Modulus()))
	return e
}

// Compress and HashMD must equal gnark-crypto's byte-level Compress and Merkle-Damgard hasher.
func TestCompressAndHashMatchGnarkCrypto(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	p := poseidon2.NewDefaultPermutation()
	for i := 0; i < 20; i++ {
		l, r := randElement(rng), randElement(rng)
		lb, rb := l.Bytes(), r.Bytes()
		want, err := p.Compress(lb[:], rb[:])
		if err != nil {
			t.Fatal(err)
		}
		got := Compress(l, r)
		if gb := got.Bytes(); string(gb[:]) != string(want) {
			t.Fatalf("compress mismatch at %d", i)
		}
	}
	for n := 0; n <= 7; n++ {
		xs := make([]fr.Element, n)
		h := poseidon2.NewMerkleDamgardHasher()
		for i := range xs {
			xs[i] = randElement(rng)
			b := xs[i].Bytes()
			h.Write(b[:])
		}
		var want fr.Element
		want.SetBytes(h.Sum(nil))
		if got := HashMD(xs...); !got.Equal(&want) {
			t.Fatalf("hashMD mismatch for %d inputs", n)
		}
	}
}

func TestPackLayout(t *testing.T) {
	words := []int64{0, -1, 1, -9223372036854775808, 9223372036854775807}
	got := PackBig(words)
	if len(got) != 2 {
		t.Fatalf("5 words pack into 2 elements, got %d", len(got))
	}
	two63 := new(big.Int).Lsh(big.NewInt(1), 63)
	u := func(v int64) *big.Int { return new(big.Int).Add(big.NewInt(v), two63) }
	e0 := new(big.Int).Add(u(0), new(big.Int).Lsh(u(-1), 64))
	e0.Add(e0, new(big.Int).Lsh(u(1), 128))
	e1 := new(big.Int).Add(big.NewInt(0), new(big.Int).Lsh(new(big.Int).Sub(two63, two63), 0)) // u(-2^63) = 0
	e1.Add(e1, new(big.Int).Lsh(new(big.Int).Add(two63, big.NewInt(9223372036854775807)), 64))
	e1.Add(e1, new(big.Int).Lsh(two63, 128)) // padding word 0
	if got[0].Cmp(e0) != 0 || got[1].Cmp(e1) != 0 {
		t.Fatalf("packing layout wrong:\n%s\n%s", got[0], got[1])
	}
	for _, e := range got {
		if e.BitLen() > 192 {
			t.Fatalf("packed element exceeds 192 bits")
		}
	}
}

// naiveRoot hashes a full tree level by level.
func naiveRoot(depth int, leaves map[uint64]fr.Element) fr.Element {
	level := make([]fr.Element, 1<<uint(depth))
	for i, v := range leaves {
		level[i] = v
	}
	for len(level) > 1 {
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			next[i] = Compress(level[2*i], level[2*i+1])
		}
		level = next
	}
	return level[0]
}

func TestSparseTreeMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	const depth = 5
	tree := NewSparseTree(depth)
	leaves := map[uint64]fr.Element{}
	if got, want := tree.Root(), EmptyHashes(depth)[depth]; !got.Equal(&want) {
		t.Fatal("empty tree root is not z_depth")
	}
	for i := 0; i < 12; i++ {
		idx := uint64(rng.Intn(1 << depth))
		v := randElement(rng)
		if i == 7 {
			v.SetZero() // removal
		}
		tree.Set(idx, v)
		leaves[idx] = v
		want := naiveRoot(depth, leaves)
		if got := tree.Root(); !got.Equal(&want) {
			t.Fatalf("root mismatch after %d updates", i+1)
		}
		for j := uint64(0); j < 1<<depth; j++ {
			if got := RootFromPath(tree.Leaf(j), j, tree.Path(j)); !got.Equal(&want) {
				t.Fatalf("path of %d does not reproduce the root", j)
			}
		}
	}
}

func TestSparseTreeDepth32(t *testing.T) {
	tree := NewSparseTree(32)
	var v fr.Element
	v.SetUint64(42)
	tree.Set(1<<32-1, v)
	tree.Set(3, v)
	root := tree.Root()
	for _, idx := range []uint64{1<<32 - 1, 3, 12345} {
		if got := RootFromPath(tree.Leaf(idx), idx, tree.Path(idx)); !got.Equal(&root) {
			t.Fatalf("depth 32 path of %d does not reproduce the root", idx)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("index 2^32 must be refused")
		}
	}()
	tree.Set(1<<32, v)
}

func TestSizesID(t *testing.T) {
	for _, s := range []Sizes{TestSizes, ProductionSizes} {
		got, err := ParseHealthID(s.HealthID())
		if err != nil || got != s {
			t.Fatalf("round trip of %s: %v %v", s.HealthID(), got, err)
		}
	}
	if ProductionSizes.HealthID() != "health-D32-I12-P8-A4-S16-T4" {
		t.Fatal(ProductionSizes.HealthID())
	}
	for _, bad := range []string{"", "health-D6-I3-P2-A2-S4", "health-D06-I3-P2-A2-S4-T2", "health-D33-I3-P2-A2-S4-T2",
		"health-D6-I3-P2-A2-S4-T0", "liquidation-D6-I3-P2-A2-S4-T2", "health-D6-I3-P2-A2-S4-T2x"} {
		if _, err := ParseHealthID(bad); err == nil {
			t.Fatalf("%q must be refused", bad)
		}
	}
}

func TestFamilyID(t *testing.T) {
	if got := FamilyID("exit-", ProductionSizes); got != "exit-D32-I12-P8-A4-S16-T4" {
		t.Fatal(got)
	}
	for _, s := range []Sizes{TestSizes, ProductionSizes} {
		got, err := ParseFamilyID("liquidation-", FamilyID("liquidation-", s))
		if err != nil || got != s {
			t.Fatalf("round trip of %v: %v %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "exit-", "health-D6-I3-P2-A2-S4-T2", "liquidation-D6-I3-P2-A2-S4-T2",
		"exit-D06-I3-P2-A2-S4-T2", "exit-D33-I3-P2-A2-S4-T2", "exit-D6-I3-P2-A2-S4-T2x", "exit-exit-D6-I3-P2-A2-S4-T2"} {
		if _, err := ParseFamilyID("exit-", bad); err == nil {
			t.Fatalf("%q must be refused", bad)
		}
	}
	if _, err := ParseFamilyID("exit-", "liquidation-D6-I3-P2-A2-S4-T2"); err == nil ||
		err.Error() != `not an exit circuit id: "liquidation-D6-I3-P2-A2-S4-T2" (want exit-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T})` {
		t.Fatalf("message: %v", err)
	}
}

// FuzzParseFamilyID: any string either parses to valid sizes whose id is the input, or is refused; no panic.
func FuzzParseFamilyID(f *testing.F) {
	f.Add("exit-D6-I3-P2-A2-S4-T2")
	f.Add("exit-D999-I3-P2-A2-S4-T2")
	f.Add("exit-D6")
	f.Fuzz(func(t *testing.T, id string) {
		if len(id) > 256 {
			return
		}
		s, err := ParseFamilyID("exit-", id)
		if err != nil {
			return
		}
		if s.Validate() != nil || FamilyID("exit-", s) != id {
			t.Fatalf("%q parsed to %v", id, s)
		}
	})
}

func TestModelWordsRoundTrip(t *testing.T) {
	s := TestSizes
	l := &Leaf{Nonce: 3, Tier: 1, Balances: []int64{-4, 5}, Slots: []Slot{{1, 2, 3}, {4, -5, -6}}}
	w := l.Words()
	if len(w) != s.LeafWordCount() {
		t.Fatalf("leaf words %d", len(w))
	}
	l2, err := LeafFromWords(s, l.OwnerPkX, l.OwnerPkY, w)
	if err != nil || l2.Hash() != l.Hash() {
		t.Fatalf("leaf round trip: %v", err)
	}
	e := &Entry{Mark: 1, FundingIndex: -2, FloorMm: 3, FloorIm: 4, Settled: 1, SettlementValue: -7,
		Rmm: []int64{5, 6, 7, 8}, Rim: []int64{9, 10, 11, 12}}
	if ew := e.Words(); len(ew) != s.EntryWordCount() || ew[EntrySettled] != 1 || ew[EntrySettlementValue] != -7 ||
		ew[EntryRmm] != 5 || ew[EntryRmm+s.S] != 9 {
		t.Fatalf("entry layout: %v", ew)
	}
	e2, err := EntryFromWords(s, e.Words())
	if err != nil || e2.Hash() != e.Hash() || e2.Settled != 1 || e2.SettlementValue != -7 {
		t.Fatalf("entry round trip: %v", err)
	}
	g := &Globals{TierFactorPpm: []int64{1, 2}, PenaltyPpm: 20, InsuranceSharePpm: 21, KeeperSharePpm: 22,
		CloseTargetPpm: 23, InsuranceFundId: 24, Cp: []int64{3, 4}, Dp: []int64{13, 14},
		C: [][]int64{{5, 6, 7, 8}, {9, 10, 11, 12}}}
	if gw := g.Words(); len(gw) != s.GlobalsWordCount() || gw[2] != 20 || gw[4] != 22 || gw[6] != 24 ||
		gw[7] != 3 || gw[8] != 13 || gw[9] != 5 || gw[13] != 4 || gw[14] != 14 || gw[15] != 9 ||
		s.GlobalsAssetOffset(1) != 13 {
		t.Fatalf("globals layout: %v", gw)
	}
	g2, err := GlobalsFromWords(s, g.Words())
	if err != nil || g2.Hash() != g.Hash() || g2.KeeperSharePpm != 22 || g2.InsuranceFundId != 24 {
		t.Fatalf("globals round trip: %v", err)
	}
}

// A hand-computed margin: one long perp with funding, one short option, two collateral assets.
func TestComputeMarginByHand(t *testing.T) {
	leaf := &Leaf{Tier: 1, Balances: []int64{1_000, 2},
		Slots: []Slot{{InstrumentID: 1, Quantity: 3, FundingSnapshot: 10}, {InstrumentID: 2, Quantity: -2, FundingSnapshot: 0}}}
	perp := &Entry{Mark: 100, FundingIndex: 14, FloorMm: 1, FloorIm: 2, Rmm: []int64{-10, 10}, Rim: []int64{-20, 20}}
	opt := &Entry{Mark: 5, FundingIndex: 0, FloorMm: 7, FloorIm: 9, Rmm: []int64{4, -1}, Rim: []int64{6, -2}}
	g := &Globals{TierFactorPpm: []int64{1_000_000, 2_000_000}, Cp: []int64{1_000_000_000, 50},
		Dp: []int64{1_000_000_000, 60}, C: [][]int64{{0, 0}, {-30, 30}}}
	m, err := ComputeMargin(leaf, []*Entry{perp, opt}, g)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(1_000_000_000)
	// E = 1000*1e9 + 2*50 + N*(3*(100-(14-10)) + (-2)*(5-0)) = 1e12 + 100 + N*(288 - 10)
	wantE := big.NewInt(1_000_000_000_000 + 100 + n*278)
	// L[0] = -(2*-30 + N*(3*-10 + -2*4)) = 60 + 38N ; L[1] = -(2*30 + N*(30 + 2)) = -60 - 32N
	wantL0, wantL1 := big.NewInt(60+38*n), big.NewInt(-60-32*n)
	// MM = (L0 + N*(3*1 + 2*7)) * 2e6
	wantMM := new(big.Int).Mul(big.NewInt(60+38*n+17*n), big.NewInt(2_000_000))
	if m.E.Cmp(wantE) != 0 || m.L[0].Cmp(wantL0) != 0 || m.L[1].Cmp(wantL1) != 0 || m.MM.Cmp(wantMM) != 0 {
		t.Fatalf("margin: E %s L %v MM %s", m.E, m.L, m.MM)
	}
	// IM: LIm[0] = -(2*-30 + N*(3*-20 + -2*6)) = 60 + 72N; floors 3*2 + 2*9 = 24
	wantIM := new(big.Int).Mul(big.NewInt(60+72*n+24*n), big.NewInt(2_000_000))
	if m.IM.Cmp(wantIM) != 0 {
		t.Fatalf("IM %s want %s", m.IM, wantIM)
	}
	// E * 1e10 vs MM * thr: E ~ 1.278e12, MM ~ 1.1e17 => ratio*1e4 ~ 116181 bps
	limit := new(big.Int).Div(new(big.Int).Mul(m.E, big.NewInt(10_000_000_000)), m.MM).Uint64()
	if !m.Healthy(uint32(limit)) || m.Healthy(uint32(limit+1)) {
		t.Fatalf("threshold edge wrong at %d", limit)
	}
	if m.Liquidatable() {
		t.Fatal("not liquidatable")
	}
}

// A debt of a non-quote asset is valued at its un-haircut price dp, a holding at the haircut price cp.
func TestComputeMarginValuesDebtAtDebtPrice(t *testing.T) {
	g := &Globals{TierFactorPpm: []int64{1_000_000}, Cp: []int64{1_000_000_000, 45}, Dp: []int64{1_000_000_000, 50},
		C: [][]int64{{0, 0}, {-5, 5}}}
	leaf := &Leaf{Tier: 0, Balances: []int64{1_000, -4}, Slots: []Slot{{}}}
	m, err := ComputeMargin(leaf, []*Entry{nil}, g)
	if err != nil {
		t.Fatal(err)
	}
	// E = 1000*1e9 + (-4)*50 (dp, not cp = 45)
	if want := big.NewInt(1_000_000_000_000 - 200); m.E.Cmp(want) != 0 {
		t.Fatalf("E of a debt: %s, want %s", m.E, want)
	}
	leaf.Balances[1] = 4
	if m, _ = ComputeMargin(leaf, []*Entry{nil}, g); m.E.Cmp(big.NewInt(1_000_000_000_000+180)) != 0 {
		t.Fatalf("E of a holding: %s", m.E)
	}
}
