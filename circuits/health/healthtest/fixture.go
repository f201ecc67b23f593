// Package healthtest builds health witnesses and circuit assignments from native Go values
// (circuits/encoding), independently of the Java implementation. Tests use it to make a valid witness
// and to break one rule at a time, at the word level or at the packed-element level.
package healthtest

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
)

// Fixture is a small venue: one proving account, a few other accounts, an instrument tree and the
// risk globals. Every field may be changed before Build; the Packed overrides replace the packing of
// the corresponding words (and are hashed into the trees as given), to model a prover who commits to
// malformed elements.
type Fixture struct {
	Sizes        health.Sizes
	AccountID    uint64
	ThresholdBps uint32
	Leaf         *encoding.Leaf
	Others       map[uint64]*encoding.Leaf // other accounts of the state tree
	Entries      map[int64]*encoding.Entry // instrument tree: id -> entry
	Globals      *encoding.Globals

	LeafPacked    []*big.Int           // nil: pack Leaf.Words()
	EntryPacked   map[int64][]*big.Int // per instrument id; absent: pack Entry.Words()
	GlobalsPacked []*big.Int           // nil: pack Globals.Words()
	MmBound       *big.Int             // nil: the account's exact MMcore
}

func rep(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// scale returns base[k mod len(base)] * f for k < n.
func scale(base []int64, f int64, n int) []int64 {
	out := make([]int64, n)
	for k := range out {
		out[k] = base[k%len(base)] * f
	}
	return out
}

// New returns a healthy account at sizes s (P >= 2, A >= 2, T >= 2): a quote balance of 10,000 (6
// decimals), 0.5 BTC (8 decimals) at a haircut price, a long BTC perpetual with unsettled funding and
// a short put, in tier 1 (factor 1.5). At 10,000 bps it is healthy; at 200,000 bps it is not.
func New(s health.Sizes) *Fixture {
	if s.P < 2 || s.A < 2 || s.T < 2 {
		panic("healthtest: fixture needs P >= 2, A >= 2, T >= 2")
	}
	moves := []int64{-10, -5, 5, 10} // percent, repeated over the scenarios
	g := &encoding.Globals{TierFactorPpm: make([]int64, s.T),
		// the venue defaults (Java LiquidationParams.DEFAULT)
		PenaltyPpm: 10_000, InsuranceSharePpm: 500_000, KeeperSharePpm: 100_000, CloseTargetPpm: 1_250_000,
		Cp: make([]int64, s.A), Dp: make([]int64, s.A),
		C: make([][]int64, s.A)}
	for t := range g.TierFactorPpm {
		g.TierFactorPpm[t] = 1_000_000 + int64(t)*500_000
	}
	for a := 0; a < s.A; a++ {
		switch a {
		case 0: // quote asset, 6 decimals: 10^9 atoms = 10^9 quote atoms
			g.Cp[a], g.Dp[a], g.C[a] = 1_000_000_000, 1_000_000_000, rep(0, s.S)
		default: // BTC at 60,000: 10^9 atoms (10 BTC) = 6*10^11 quote atoms; haircut 10% (not on debts)
			g.Cp[a], g.Dp[a], g.C[a] = 540_000_000_000, 600_000_000_000, scale(moves, 6_000_000_000, s.S)
		}
	}
	perp := &encoding.Entry{Mark: 60_000_000, FundingIndex: 1_000, FloorMm: 1, FloorIm: 1,
		Rmm: scale(moves, 600_000, s.S), Rim: scale(moves, 900_000, s.S)}
	put := &encoding.Entry{Mark: 2_000_000, FundingIndex: 0, FloorMm: 500_000, FloorIm: 750_000,
		Rmm: scale([]int64{800_000, 300_000, -100_000, -150_000}, 10, s.S),
		Rim: scale([]int64{1_200_000, 450_000, -150_000, -200_000}, 10, s.S)}
	other := &encoding.Entry{Mark: 7, FundingIndex: -3, FloorMm: 2, FloorIm: 3, Rmm: rep(-1, s.S), Rim: rep(-2, s.S)}

	var pkX, pkY fr.Element
	pkX.SetUint64(0x1234567)
	pkY.SetString("9876543210987654321098765432109876543210")
	var l1, orders fr.Element
	l1.SetString("0x00000000219ab540356cbb839cbe05303d7705fa") // a 160-bit address
	orders.SetString("12345678901234567890123456789")
	leaf := &encoding.Leaf{OwnerPkX: pkX, OwnerPkY: pkY, L1Address: l1, OrdersRoot: orders, Nonce: 7, Tier: 1,
		Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	leaf.Balances[0], leaf.Balances[1] = 10_000_000_000, 50_000_000
	leaf.Slots[0] = encoding.Slot{InstrumentID: 1, Quantity: 20, FundingSnapshot: 900}
	leaf.Slots[1] = encoding.Slot{InstrumentID: 5, Quantity: -10, FundingSnapshot: 0}

	otherLeaf := &encoding.Leaf{OwnerPkX: pkY, OwnerPkY: pkX, Nonce: 1, Tier: 0,
		Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	otherLeaf.Balances[0] = -5
	otherLeaf.Slots[0] = encoding.Slot{InstrumentID: 2, Quantity: 3, FundingSnapshot: 1}

	maxID := int64(1)<<uint(s.DI) - 1
	return &Fixture{
		Sizes: s, AccountID: 5, ThresholdBps: 10_000, Leaf: leaf,
		Others:  map[uint64]*encoding.Leaf{4: otherLeaf, uint64(1)<<uint(s.D) - 1: otherLeaf},
		Entries: map[int64]*encoding.Entry{1: perp, 5 & maxID: put, 2: other, maxID: other},
		Globals: g, EntryPacked: map[int64][]*big.Int{},
	}
}

// idMask keeps the low DI bits of an instrument id (the bits the circuit uses as tree index).
func (f *Fixture) idMask(id int64) int64 { return id & (int64(1)<<uint(f.Sizes.DI) - 1) }

func toFr(xs []*big.Int) []fr.Element { return encoding.ElementsFromBig(xs) }

func toBig(xs []fr.Element) []*big.Int {
	out := make([]*big.Int, len(xs))
	for i := range xs {
		out[i] = encoding.ToBig(xs[i])
	}
	return out
}

// Margin is the account's margin as the native reference computes it (tier clamped into [0, T) so that
// an out-of-range tier still yields MMcore, which does not depend on it).
func (f *Fixture) Margin() *encoding.Margin {
	leaf := *f.Leaf
	if leaf.Tier < 0 || leaf.Tier >= int64(f.Sizes.T) {
		leaf.Tier = 0
	}
	entries := make([]*encoding.Entry, f.Sizes.P)
	for j, sl := range leaf.Slots {
		if sl.Quantity != 0 {
			entries[j] = f.Entries[f.idMask(sl.InstrumentID)]
		}
	}
	m, err := encoding.ComputeMargin(&leaf, entries, f.Globals)
	if err != nil {
		panic(err)
	}
	return m
}

// Build returns the witness (words as in the fields) and the circuit assignment (with the Packed
// overrides applied; roots are computed from what is assigned, so an override is a consistent
// commitment to a malformed value).
func (f *Fixture) Build() (*health.Witness, *health.Circuit) {
	s := f.Sizes
	leafPacked := f.LeafPacked
	if leafPacked == nil {
		leafPacked = encoding.PackBig(f.Leaf.Words())
	}
	state := encoding.NewSparseTree(s.D)
	for id, l := range f.Others {
		state.Set(id, l.Hash())
	}
	state.Set(f.AccountID, encoding.LeafHashFromPacked(f.Leaf.OwnerPkX, f.Leaf.OwnerPkY, f.Leaf.L1Address, f.Leaf.OrdersRoot,
		toFr(leafPacked)))

	entryPacked := map[int64][]*big.Int{}
	instruments := encoding.NewSparseTree(s.DI)
	for id, e := range f.Entries {
		p, ok := f.EntryPacked[id]
		if !ok {
			p = encoding.PackBig(e.Words())
		}
		entryPacked[id] = p
		instruments.Set(uint64(id), encoding.HashMD(toFr(p)...))
	}
	globalsPacked := f.GlobalsPacked
	if globalsPacked == nil {
		globalsPacked = encoding.PackBig(f.Globals.Words())
	}
	riskRoot := encoding.RiskRoot(instruments.Root(), encoding.HashMD(toFr(globalsPacked)...))

	mm := f.MmBound
	if mm == nil {
		mm = f.Margin().MMcore
	}
	w := &health.Witness{
		CircuitID: s.HealthID(), AccountID: f.AccountID, ThresholdBps: f.ThresholdBps,
		StateRoot: encoding.ToBig(state.Root()), RiskRoot: encoding.ToBig(riskRoot),
		OwnerPkX: encoding.ToBig(f.Leaf.OwnerPkX), OwnerPkY: encoding.ToBig(f.Leaf.OwnerPkY),
		L1Address: encoding.ToBig(f.Leaf.L1Address), OrdersRoot: encoding.ToBig(f.Leaf.OrdersRoot),
		LeafWords: f.Leaf.Words(), StatePath: toBig(state.Path(f.AccountID)),
		InstrumentsRoot: encoding.ToBig(instruments.Root()),
		GlobalsWords:    f.Globals.Words(), MmBound: new(big.Int).Mod(mm, encoding.Modulus()),
	}
	slotPacked := make([][]*big.Int, s.P)
	for j, sl := range f.Leaf.Slots {
		var sw health.SlotWitness
		if sl.Quantity == 0 {
			sw.EntryWords = make([]int64, s.EntryWordCount())
			sw.Path = toBig(make([]fr.Element, s.DI))
			slotPacked[j] = encoding.PackBig(sw.EntryWords)
		} else {
			id := f.idMask(sl.InstrumentID)
			sw.EntryWords = f.Entries[id].Words()
			sw.Path = toBig(instruments.Path(uint64(id)))
			slotPacked[j] = entryPacked[id]
		}
		w.Slots = append(w.Slots, sw)
	}
	c, err := health.Assign(s, w)
	if err != nil {
		panic(err)
	}
	setAll := func(dst []frontend.Variable, src []*big.Int) {
		for i := range dst {
			dst[i] = src[i]
		}
	}
	setAll(c.Leaf, leafPacked)
	for j := range slotPacked {
		setAll(c.Entries[j], slotPacked[j])
	}
	setAll(c.Globals, globalsPacked)
	return w, c
}
