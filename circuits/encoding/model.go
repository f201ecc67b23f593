package encoding

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Slot is one position slot of an account leaf: instrument id, signed quantity in whole lots and the
// funding snapshot in quote atoms per lot. Quantity 0 is an empty slot.
type Slot struct {
	InstrumentID    int64
	Quantity        int64
	FundingSnapshot int64
}

// Leaf is an account leaf v2 (docs/ENCODING.md "Account leaf", docs/BATCH.md section 1).
type Leaf struct {
	OwnerPkX, OwnerPkY fr.Element
	L1Address          fr.Element // the account's Ethereum address as an integer < 2^160 (0 = none)
	OrdersRoot         fr.Element // root of the account's order-fill subtree (docs/BATCH.md section 1)
	Nonce, Tier        int64
	Balances           []int64 // venue atoms per asset, length A
	Slots              []Slot  // length P
}

// Words returns nonce, tier, balance[0..A-1], (instrumentId, quantity, fundingSnapshot)[0..P-1].
func (l *Leaf) Words() []int64 {
	w := []int64{l.Nonce, l.Tier}
	w = append(w, l.Balances...)
	for _, s := range l.Slots {
		w = append(w, s.InstrumentID, s.Quantity, s.FundingSnapshot)
	}
	return w
}

// Hash is hashMD(ownerPkX, ownerPkY, l1Address, ordersRoot, pack(words)...).
func (l *Leaf) Hash() fr.Element {
	return LeafHashFromPacked(l.OwnerPkX, l.OwnerPkY, l.L1Address, l.OrdersRoot, Pack(l.Words()))
}

// LeafHashFromPacked hashes a leaf given its packed word elements:
// hashMD(pkX, pkY, l1Address, ordersRoot, packed...).
func LeafHashFromPacked(pkX, pkY, l1Address, ordersRoot fr.Element, packed []fr.Element) fr.Element {
	return HashMD(append([]fr.Element{pkX, pkY, l1Address, ordersRoot}, packed...)...)
}

// LeafFromWords decodes leaf words for the given sizes.
func LeafFromWords(s Sizes, pkX, pkY fr.Element, words []int64) (*Leaf, error) {
	if len(words) != s.LeafWordCount() {
		return nil, fmt.Errorf("leaf has %d words, %s expects %d", len(words), s.HealthID(), s.LeafWordCount())
	}
	l := &Leaf{OwnerPkX: pkX, OwnerPkY: pkY, Nonce: words[0], Tier: words[1],
		Balances: append([]int64(nil), words[2:2+s.A]...)}
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		l.Slots = append(l.Slots, Slot{InstrumentID: words[o], Quantity: words[o+1], FundingSnapshot: words[o+2]})
	}
	return l, nil
}

// Entry is an instrument risk entry (docs/ENCODING.md "Risk vector commitment"); values per lot in
// quote atoms. A settled entry (Settled = 1) has, by the oracle's rule, Mark = SettlementValue, zero floors
// and zero scenario arrays; an unsettled one has SettlementValue 0.
type Entry struct {
	Mark, FundingIndex, FloorMm, FloorIm int64
	Settled                              int64   // 0 or 1: the instrument has expired and settled
	SettlementValue                      int64   // payoff of one long lot at expiry (0 when not settled)
	Rmm, Rim                             []int64 // length S each
}

// Word indexes of an instrument entry: mark, fundingIndex, floorMm, floorIm, settled, settlementValue,
// then Rmm[0..S-1] from EntryRmm and Rim[0..S-1] from EntryRmm + S.
const (
	EntryMark            = 0
	EntryFundingIndex    = 1
	EntryFloorMm         = 2
	EntryFloorIm         = 3
	EntrySettled         = 4
	EntrySettlementValue = 5
	EntryRmm             = 6
)

// Words returns mark, fundingIndex, floorMm, floorIm, settled, settlementValue, Rmm[0..S-1], Rim[0..S-1].
func (e *Entry) Words() []int64 {
	w := []int64{e.Mark, e.FundingIndex, e.FloorMm, e.FloorIm, e.Settled, e.SettlementValue}
	w = append(w, e.Rmm...)
	return append(w, e.Rim...)
}

// Hash is hashMD(pack(words)...).
func (e *Entry) Hash() fr.Element { return HashMD(Pack(e.Words())...) }

// EntryFromWords decodes entry words for the given sizes.
func EntryFromWords(s Sizes, words []int64) (*Entry, error) {
	if len(words) != s.EntryWordCount() {
		return nil, fmt.Errorf("instrument entry has %d words, %s expects %d", len(words), s.HealthID(), s.EntryWordCount())
	}
	return &Entry{Mark: words[EntryMark], FundingIndex: words[EntryFundingIndex], FloorMm: words[EntryFloorMm],
		FloorIm: words[EntryFloorIm], Settled: words[EntrySettled], SettlementValue: words[EntrySettlementValue],
		Rmm: append([]int64(nil), words[EntryRmm:EntryRmm+s.S]...),
		Rim: append([]int64(nil), words[EntryRmm+s.S:EntryRmm+2*s.S]...)}, nil
}

// Globals are the risk globals: per-tier factors in ppm, the liquidation parameters (docs/LIQUIDATION.md
// section 1), per-asset haircut price cp and debt price dp (quote atoms per 10^9 venue atoms; cp values a
// positive balance, dp a negative one) and scenario values C[a][s] (quote atoms per 10^9 venue atoms).
type Globals struct {
	TierFactorPpm     []int64   // length T, each in [0, 2^32)
	PenaltyPpm        int64     // [0, 10^6]: the largest penalty, ppm of the notional taken
	InsuranceSharePpm int64     // [0, 10^6]: the insurance fund's share of a penalty
	KeeperSharePpm    int64     // [0, 10^6]: the requesting keeper's share (InsuranceSharePpm + this <= 10^6)
	CloseTargetPpm    int64     // [10^6, 10^7]: the close factor's target, ppm of effective IM
	InsuranceFundId   int64     // the insurance fund's account id, [0, 2^D)
	Cp                []int64   // length A, haircut price (rounded down), values holdings
	Dp                []int64   // length A, un-haircut price (rounded up), values debts
	C                 [][]int64 // A x S
}

// Word offsets of the globals after the T tier factors: the five liquidation words, then per asset
// cp, dp, C[0..S-1] (GlobalsAssetOffset).
const (
	GlobalsPenaltyPpm        = 0
	GlobalsInsuranceSharePpm = 1
	GlobalsKeeperSharePpm    = 2
	GlobalsCloseTargetPpm    = 3
	GlobalsInsuranceFundId   = 4
	GlobalsLiquidationWords  = 5
)

// GlobalsAssetOffset is the word index of cp[a] in the globals: T + 5 + a(2 + S) (dp[a] follows, then
// C[a][0..S-1]).
func (s Sizes) GlobalsAssetOffset(a int) int { return s.T + GlobalsLiquidationWords + a*(2+s.S) }

// Words returns tierFactorPpm[0..T-1], penaltyPpm, insuranceSharePpm, keeperSharePpm, closeTargetPpm,
// insuranceFundId, then per asset cp[a], dp[a], C[a][0..S-1].
func (g *Globals) Words() []int64 {
	w := append([]int64(nil), g.TierFactorPpm...)
	w = append(w, g.PenaltyPpm, g.InsuranceSharePpm, g.KeeperSharePpm, g.CloseTargetPpm, g.InsuranceFundId)
	for a := range g.Cp {
		w = append(w, g.Cp[a], g.Dp[a])
		w = append(w, g.C[a]...)
	}
	return w
}

// Hash is hashMD(pack(words)...).
func (g *Globals) Hash() fr.Element { return HashMD(Pack(g.Words())...) }

// GlobalsFromWords decodes globals words for the given sizes.
func GlobalsFromWords(s Sizes, words []int64) (*Globals, error) {
	if len(words) != s.GlobalsWordCount() {
		return nil, fmt.Errorf("globals have %d words, %s expects %d", len(words), s.HealthID(), s.GlobalsWordCount())
	}
	l := words[s.T : s.T+GlobalsLiquidationWords]
	g := &Globals{TierFactorPpm: append([]int64(nil), words[:s.T]...),
		PenaltyPpm: l[GlobalsPenaltyPpm], InsuranceSharePpm: l[GlobalsInsuranceSharePpm],
		KeeperSharePpm: l[GlobalsKeeperSharePpm], CloseTargetPpm: l[GlobalsCloseTargetPpm],
		InsuranceFundId: l[GlobalsInsuranceFundId]}
	for a := 0; a < s.A; a++ {
		o := s.GlobalsAssetOffset(a)
		g.Cp = append(g.Cp, words[o])
		g.Dp = append(g.Dp, words[o+1])
		g.C = append(g.C, append([]int64(nil), words[o+2:o+2+s.S]...))
	}
	return g, nil
}

// RiskRoot is Compress(instrumentsRoot, globalsHash).
func RiskRoot(instrumentsRoot, globalsHash fr.Element) fr.Element {
	return Compress(instrumentsRoot, globalsHash)
}

// Nano is N = 10^9: the circuit works in nano quote atoms.
var Nano = big.NewInt(1_000_000_000)

// Margin holds the exact margin numbers of docs/ENCODING.md "Margin". E, L, MMcore, IMcore are in nano
// quote atoms; MM and IM in nano quote atoms x ppm (tier factor applied).
type Margin struct {
	E      *big.Int
	L      []*big.Int // per scenario maintenance loss
	LIm    []*big.Int // per scenario initial loss
	MMcore *big.Int   // max(0, max_s L[s])
	IMcore *big.Int
	MM, IM *big.Int
}

// ComputeMargin evaluates the margin of leaf against entries (indexed by the leaf's slots, nil for an
// empty slot) and globals. Empty slots (quantity 0) contribute nothing.
func ComputeMargin(leaf *Leaf, entries []*Entry, g *Globals) (*Margin, error) {
	if len(entries) != len(leaf.Slots) {
		return nil, fmt.Errorf("need one entry per slot: %d slots, %d entries", len(leaf.Slots), len(entries))
	}
	if leaf.Tier < 0 || leaf.Tier >= int64(len(g.TierFactorPpm)) {
		return nil, fmt.Errorf("tier %d outside [0, %d)", leaf.Tier, len(g.TierFactorPpm))
	}
	if len(leaf.Balances) != len(g.Cp) || len(g.Dp) != len(g.Cp) {
		return nil, fmt.Errorf("leaf has %d balances, globals %d assets", len(leaf.Balances), len(g.Cp))
	}
	S := len(g.C[0])
	bi := func(v int64) *big.Int { return big.NewInt(v) }
	m := &Margin{E: new(big.Int), L: make([]*big.Int, S), LIm: make([]*big.Int, S)}
	for s := 0; s < S; s++ {
		m.L[s], m.LIm[s] = new(big.Int), new(big.Int)
	}
	floorMm, floorIm := new(big.Int), new(big.Int)
	t := new(big.Int)
	for a, b := range leaf.Balances {
		price := g.Cp[a] // a holding at the haircut price, a debt at the un-haircut one
		if b < 0 {
			price = g.Dp[a]
		}
		m.E.Add(m.E, t.Mul(bi(b), bi(price)))
		for s := 0; s < S; s++ {
			t.Mul(bi(b), bi(g.C[a][s]))
			m.L[s].Sub(m.L[s], t)
			m.LIm[s].Sub(m.LIm[s], t)
		}
	}
	for j, sl := range leaf.Slots {
		if sl.Quantity == 0 {
			continue
		}
		e := entries[j]
		if e == nil {
			return nil, fmt.Errorf("slot %d is not empty but has no entry", j)
		}
		q := bi(sl.Quantity)
		// N * q * (mark - (fundingIndex - snap))
		v := new(big.Int).Sub(bi(e.FundingIndex), bi(sl.FundingSnapshot))
		v.Sub(bi(e.Mark), v)
		v.Mul(v, q).Mul(v, Nano)
		m.E.Add(m.E, v)
		for s := 0; s < S; s++ {
			m.L[s].Sub(m.L[s], t.Mul(q, bi(e.Rmm[s])).Mul(t, Nano))
			m.LIm[s].Sub(m.LIm[s], t.Mul(q, bi(e.Rim[s])).Mul(t, Nano))
		}
		absQ := new(big.Int).Abs(q)
		floorMm.Add(floorMm, t.Mul(absQ, bi(e.FloorMm)))
		floorIm.Add(floorIm, t.Mul(absQ, bi(e.FloorIm)))
	}
	m.MMcore, m.IMcore = new(big.Int), new(big.Int)
	for s := 0; s < S; s++ {
		if m.L[s].Cmp(m.MMcore) > 0 {
			m.MMcore.Set(m.L[s])
		}
		if m.LIm[s].Cmp(m.IMcore) > 0 {
			m.IMcore.Set(m.LIm[s])
		}
	}
	f := bi(g.TierFactorPpm[leaf.Tier])
	m.MM = new(big.Int).Mul(floorMm, Nano)
	m.MM.Add(m.MM, m.MMcore).Mul(m.MM, f)
	m.IM = new(big.Int).Mul(floorIm, Nano)
	m.IM.Add(m.IM, m.IMcore).Mul(m.IM, f)
	return m, nil
}

// Healthy reports E * 10^4 * 10^6 >= MM * thresholdBps.
func (m *Margin) Healthy(thresholdBps uint32) bool {
	lhs := new(big.Int).Mul(m.E, big.NewInt(10_000_000_000))
	rhs := new(big.Int).Mul(m.MM, big.NewInt(int64(thresholdBps)))
	return lhs.Cmp(rhs) >= 0
}

// Liquidatable reports E * 10^6 < MM.
func (m *Margin) Liquidatable() bool {
	return new(big.Int).Mul(m.E, big.NewInt(1_000_000)).Cmp(m.MM) < 0
}
