// Package health is the health circuit of docs/ENCODING.md: an account leaf in stateRoot, its
// instruments' risk entries and the risk globals in riskRoot, and E * 10^10 >= MM * thresholdBps.
package health

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash"
	mdposeidon2 "github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/std/permutation/poseidon2"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/merkle"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
)

// Sizes are the compile-time sizes; see encoding.Sizes.
type Sizes = encoding.Sizes

// ThresholdBits is the width of thresholdBps in the public input accountAndThreshold.
const ThresholdBits = 32

// HealthCheckBits is the width of the final decomposition that proves E*10^10 - MM*threshold >= 0.
const HealthCheckBits = 230

// Circuit is the health circuit at one size. Public inputs, in order: StateRoot, RiskRoot,
// AccountAndThreshold (= accountId * 2^32 + thresholdBps).
type Circuit struct {
	StateRoot           frontend.Variable `gnark:",public"`
	RiskRoot            frontend.Variable `gnark:",public"`
	AccountAndThreshold frontend.Variable `gnark:",public"`

	OwnerPkX frontend.Variable
	OwnerPkY frontend.Variable
	// L1Address and OrdersRoot (leaf v2, docs/BATCH.md section 1) are only hashed into the leaf: the health
	// check does not read them, and they are bound by the trusted StateRoot (the batch circuit range checks
	// them where it writes them), so they need no range check here.
	L1Address       frontend.Variable
	OrdersRoot      frontend.Variable
	Leaf            []frontend.Variable   // packed leaf words, PackedLen(2 + A + 3P)
	StatePath       []frontend.Variable   // D siblings, leaf level first
	InstrumentsRoot frontend.Variable     // root of the instrument tree
	Entries         [][]frontend.Variable // per slot: packed entry words, PackedLen(4 + 2S)
	EntryPaths      [][]frontend.Variable // per slot: DI siblings
	Globals         []frontend.Variable   // packed globals words, PackedLen(T + A(1 + S))
	MmBound         frontend.Variable     // m: m >= 0 and m >= L[s] for every s (nano quote atoms)

	Sizes Sizes `gnark:"-"`
}

// NewCircuit returns an empty circuit of the given sizes (for frontend.Compile, or to fill in).
func NewCircuit(s Sizes) *Circuit {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	c := &Circuit{
		Sizes:      s,
		Leaf:       make([]frontend.Variable, encoding.PackedLen(s.LeafWordCount())),
		StatePath:  make([]frontend.Variable, s.D),
		Entries:    make([][]frontend.Variable, s.P),
		EntryPaths: make([][]frontend.Variable, s.P),
		Globals:    make([]frontend.Variable, encoding.PackedLen(s.GlobalsWordCount())),
	}
	for j := 0; j < s.P; j++ {
		c.Entries[j] = make([]frontend.Variable, encoding.PackedLen(s.EntryWordCount()))
		c.EntryPaths[j] = make([]frontend.Variable, s.DI)
	}
	return c
}

// bounds are the compile-time magnitude bounds of the margin arithmetic for one size.
type bounds struct {
	lossBits int // m and every L[s] are below 2^lossBits in magnitude
}

func pow2(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }

// computeBounds derives the bit widths from the sizes and checks that every decomposition is sound
// (a negative value, r - |x|, can never have the decomposition's width).
func computeBounds(s Sizes) bounds {
	word2 := pow2(126) // |word * word| <= 2^126
	nP := new(big.Int).Mul(encoding.Nano, big.NewInt(int64(s.P)))
	// |L[s]| <= A*2^126 + N*P*2^126
	lBound := new(big.Int).Mul(big.NewInt(int64(s.A)), word2)
	lBound.Add(lBound, new(big.Int).Mul(nP, word2))
	lossBits := lBound.BitLen() // m < 2^lossBits, honest m <= lBound
	// |E| <= A*2^126 + N*P*3*2^126 (mark - fundingIndex + snapshot < 3*2^63)
	eBound := new(big.Int).Mul(big.NewInt(int64(s.A)), word2)
	eBound.Add(eBound, new(big.Int).Mul(new(big.Int).Mul(nP, big.NewInt(3)), word2))
	// MM < (2^lossBits + N*P*2^126) * 2^32; MM*threshold < that * 2^32
	mm := new(big.Int).Add(pow2(uint(lossBits)), new(big.Int).Mul(nP, word2))
	mm.Lsh(mm, 64)
	pos := new(big.Int).Mul(eBound, big.NewInt(10_000_000_000))
	neg := new(big.Int).Add(mm, pos)
	r := encoding.Modulus()
	if pos.BitLen() >= HealthCheckBits || new(big.Int).Sub(r, neg).Cmp(pow2(HealthCheckBits)) <= 0 ||
		lossBits+2 >= 250 {
		panic(fmt.Sprintf("health: sizes %s overflow the margin bounds", s.HealthID()))
	}
	return bounds{lossBits: lossBits}
}

// mutant names one constraint group to drop, for the mutation harness only (mutation_test.go sets it through
// export_test.go, which only test binaries compile). It is always "" otherwise: every constraint is kept.
var mutant string

// keep reports whether the constraint group name is kept (always, outside the mutation harness).
func keep(name string) bool { return mutant != name }

// hashMD is docs/ENCODING.md's hashMD (Merkle-Damgard with IV 0 and no length padding) through gnark's
// std/hash/poseidon2 hasher, which folds the same permutation's Compress from the state 0: the same
// constraints as folding by hand (circuits/README.md, "Poseidon2").
func hashMD(md hash.FieldHasher, xs ...frontend.Variable) frontend.Variable {
	md.Reset()
	md.Write(xs...)
	return md.Sum()
}

// Define implements frontend.Circuit.
func (c *Circuit) Define(api frontend.API) error {
	s := c.Sizes
	if err := s.Validate(); err != nil {
		return err
	}
	if len(c.Leaf) != encoding.PackedLen(s.LeafWordCount()) || len(c.StatePath) != s.D ||
		len(c.Entries) != s.P || len(c.EntryPaths) != s.P ||
		len(c.Globals) != encoding.PackedLen(s.GlobalsWordCount()) {
		return fmt.Errorf("health: circuit shape does not match sizes %s (use NewCircuit)", s.HealthID())
	}
	bnd := computeBounds(s)
	h, err := poseidon2.NewPoseidon2(api)
	if err != nil {
		return err
	}
	md, err := mdposeidon2.New(api)
	if err != nil {
		return err
	}
	nano := encoding.Nano

	// Public input: accountId * 2^32 + thresholdBps, both parts range checked by one decomposition.
	inputBits := ThresholdBits + s.D
	if !keep("input-range") {
		inputBits++ // mutant: one bit wider, so a carry out of the top goes unnoticed
	}
	aat := api.ToBinary(c.AccountAndThreshold, inputBits)
	threshold := words.Recompose(api, aat[:ThresholdBits])
	accountBits := aat[ThresholdBits : ThresholdBits+s.D]

	// Leaf membership in stateRoot at accountId.
	lw := words.UnpackAll(api, c.Leaf, s.LeafWordCount())
	leafHash := hashMD(md, append([]frontend.Variable{c.OwnerPkX, c.OwnerPkY, c.L1Address, c.OrdersRoot}, c.Leaf...)...)
	if keep("state-root") {
		api.AssertIsEqual(merkle.Root(api, h, leafHash, c.StatePath, accountBits), c.StateRoot)
	}

	// Globals in riskRoot. The five liquidation words after the tier factors (penalty, shares, close
	// target, insurance fund) are unpacked with the rest but not read: health does not depend on them, and
	// they are bound by the oracle-signed riskRoot (the batch circuit range checks them where it uses them).
	gw := words.UnpackAll(api, c.Globals, s.GlobalsWordCount())
	if keep("risk-root") {
		api.AssertIsEqual(h.Compress(c.InstrumentsRoot, hashMD(md, c.Globals...)), c.RiskRoot)
	}

	// Tier in [0, T) selects the tier factor (each factor in [0, 2^32)).
	tier := lw[1].Value
	var tierFactor, hit frontend.Variable = 0, 0
	for t := 0; t < s.T; t++ {
		if keep("tier-factor-range") {
			gw[t].AssertInRange(api, 32)
		}
		is := api.IsZero(api.Sub(tier, t))
		hit = api.Add(hit, is)
		tierFactor = api.Add(tierFactor, api.Mul(is, gw[t].Value))
	}
	if keep("tier-in-range") {
		api.AssertIsEqual(hit, 1) // tier equals exactly one t in [0, T)
	}

	// Collateral: E += b[a]*price[a] with price = cp[a] (haircut) for b >= 0 and dp[a] (un-haircut) for
	// b < 0, so that a debt is never understated; L[s] -= b[a]*C[a][s].
	E := frontend.Variable(0)
	L := make([]frontend.Variable, s.S)
	for k := range L {
		L[k] = 0
	}
	for a := 0; a < s.A; a++ {
		bal := lw[2+a]
		o := s.GlobalsAssetOffset(a)
		cp, dp := gw[o], gw[o+1]
		if keep("cp>=0") {
			cp.AssertNonNegative(api) // cp[a] >= 0
		}
		if keep("dp>=0") {
			dp.AssertNonNegative(api) // dp[a] >= 0
		}
		// bal.Neg is the balance's sign bit (boolean from the unpacking), so price is exactly cp or dp.
		price := api.Add(cp.Value, api.Mul(bal.Neg, api.Sub(dp.Value, cp.Value)))
		if !keep("debt-price") {
			price = cp.Value // mutant: a debt at the haircut price
		}
		E = api.Add(E, api.Mul(bal.Value, price))
		for k := 0; k < s.S; k++ {
			L[k] = api.Sub(L[k], api.Mul(bal.Value, gw[o+2+k].Value))
		}
	}

	// Positions.
	// Every entry element is unpacked, Rim included: the health check reads only mark, fundingIndex,
	// floors and Rmm, but every value that enters the circuit is range checked. The words settled and
	// settlementValue are not read either: they are bound by the oracle-signed riskRoot, whose rule for a
	// settled instrument (mark = settlementValue, zero floors, zero scenario arrays) makes the margin of a
	// settled position its payoff with no risk, so this circuit stays correct without them.
	entryWords := s.EntryWordCount()
	posValue := frontend.Variable(0) // sum q * (mark - fundingIndex + snap), quote atoms
	floorSum := frontend.Variable(0) // sum |q| * floorMm, quote atoms
	posLoss := make([]frontend.Variable, s.S)
	for k := range posLoss {
		posLoss[k] = 0
	}
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		id, q, snap := lw[o], lw[o+1], lw[o+2]
		nonEmpty := api.Sub(1, api.IsZero(q.Value))

		ew := words.UnpackAll(api, c.Entries[j], entryWords)
		mark, fundingIndex, floorMm, floorIm := ew[0], ew[1], ew[2], ew[3]
		if keep("mark>=0") {
			mark.AssertNonNegative(api)
		}
		if keep("floorMm>=0") {
			floorMm.AssertNonNegative(api)
		}
		if keep("floorIm>=0") {
			floorIm.AssertNonNegative(api)
		}

		// id in [0, 2^DI) and the entry in the instrument tree at id, unless the slot is empty.
		idBits := id.Bits[:s.DI]
		if keep("instrument-id-range") {
			api.AssertIsEqual(api.Mul(nonEmpty, api.Sub(id.Value, words.Recompose(api, idBits))), 0)
		}
		iroot := merkle.Root(api, h, hashMD(md, c.Entries[j]...), c.EntryPaths[j], idBits)
		if keep("instrument-membership") {
			api.AssertIsEqual(api.Mul(nonEmpty, api.Sub(iroot, c.InstrumentsRoot)), 0)
		}

		unit := api.Add(api.Sub(mark.Value, fundingIndex.Value), snap.Value)
		posValue = api.Add(posValue, api.Mul(q.Value, unit))
		absQ := api.Mul(q.Value, api.Sub(1, api.Mul(2, q.Neg)))
		floorSum = api.Add(floorSum, api.Mul(absQ, floorMm.Value))
		for k := 0; k < s.S; k++ {
			posLoss[k] = api.Add(posLoss[k], api.Mul(q.Value, ew[encoding.EntryRmm+k].Value))
		}
	}
	E = api.Add(E, api.Mul(posValue, nano))

	// m >= 0 and m >= L[s] for every s.
	m := c.MmBound
	if keep("m>=0") {
		nonneg.Assert(api, m, bnd.lossBits)
	}
	for k := 0; k < s.S; k++ {
		lk := api.Sub(L[k], api.Mul(posLoss[k], nano))
		if keep(fmt.Sprintf("m>=L[%d]", k)) {
			nonneg.Assert(api, api.Sub(m, lk), bnd.lossBits+1)
		}
	}

	// MM = (m + N * sum |q| * floorMm) * tierFactor; healthy iff E * 10^10 - MM * threshold >= 0.
	mm := api.Mul(api.Add(m, api.Mul(floorSum, nano)), tierFactor)
	slack := api.Sub(api.Mul(E, 10_000_000_000), api.Mul(mm, threshold))
	if keep("healthy") {
		nonneg.Assert(api, slack, HealthCheckBits)
	}
	return nil
}

// ParseID parses a circuit id health-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T} into validated sizes.
func ParseID(id string) (Sizes, error) { return encoding.ParseHealthID(id) }

// ID formats the circuit id of sizes s.
func ID(s Sizes) string { return s.HealthID() }
