// Package account opens one account against a state root and a risk root, the way the health circuit does
// (docs/ENCODING.md "Account leaf", "Risk vector commitment"): the leaf is in stateRoot at the account's
// index, the globals and, for every non-empty position slot, the slot's instrument entry are in riskRoot.
// The liquidation-eligibility and exit circuits use it; the health circuit keeps the same steps in place
// (so that its constraint system, its checked-in verifiers and its ceremony transcript stay unchanged).
//
// Packed elements that the caller never reads are hashed but not unpacked: they are bound by the hash of
// a trusted root (docs/ENCODING.md "Fixed-point conventions": a value the circuit only hashes, whose
// commitment comes from an oracle-signed risk root or a proven state root, needs no range check). So are
// the globals' liquidation words and an entry's settled and settlementValue words (risk encoding v2): a
// settled entry has, by the oracle's rule, mark = settlementValue, zero floors and zero scenario arrays, so
// the margin read from mark, floors and Rmm is already the settled position's payoff with no risk.
package account

import (
	"fmt"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash"
	mdposeidon2 "github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/std/permutation/poseidon2"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/margin"
	"github.com/zkmargin/zkmargin/circuits/gadget/merkle"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
)

// Vars are the private circuit inputs that open one account: the health witness's leaf, state path,
// instrument entries with their paths, and globals (docs/ENCODING.md "Health witness JSON").
type Vars struct {
	OwnerPkX, OwnerPkY frontend.Variable
	// L1Address and OrdersRoot are hashed into the leaf; bound by the trusted stateRoot.
	L1Address, OrdersRoot frontend.Variable
	Leaf                  []frontend.Variable   // packed leaf words, PackedLen(2 + A + 3P)
	StatePath             []frontend.Variable   // D siblings, leaf level first
	InstrumentsRoot       frontend.Variable     // root of the instrument tree
	Entries               [][]frontend.Variable // per slot: packed entry words, PackedLen(4 + 2S)
	EntryPaths            [][]frontend.Variable // per slot: DI siblings
	Globals               []frontend.Variable   // packed globals words, PackedLen(T + A(2 + S))
}

// NewVars returns empty Vars of the shape of sizes s.
func NewVars(s encoding.Sizes) Vars {
	v := Vars{
		Leaf:       make([]frontend.Variable, encoding.PackedLen(s.LeafWordCount())),
		StatePath:  make([]frontend.Variable, s.D),
		Entries:    make([][]frontend.Variable, s.P),
		EntryPaths: make([][]frontend.Variable, s.P),
		Globals:    make([]frontend.Variable, encoding.PackedLen(s.GlobalsWordCount())),
	}
	for j := 0; j < s.P; j++ {
		v.Entries[j] = make([]frontend.Variable, encoding.PackedLen(s.EntryWordCount()))
		v.EntryPaths[j] = make([]frontend.Variable, s.DI)
	}
	return v
}

// CheckShape reports whether v has the shape of sizes s.
func (v *Vars) CheckShape(s encoding.Sizes) error {
	if len(v.Leaf) != encoding.PackedLen(s.LeafWordCount()) || len(v.StatePath) != s.D ||
		len(v.Entries) != s.P || len(v.EntryPaths) != s.P ||
		len(v.Globals) != encoding.PackedLen(s.GlobalsWordCount()) {
		return fmt.Errorf("account: circuit shape does not match sizes %s (use NewVars)", s.HealthID())
	}
	for j := 0; j < s.P; j++ {
		if len(v.Entries[j]) != encoding.PackedLen(s.EntryWordCount()) || len(v.EntryPaths[j]) != s.DI {
			return fmt.Errorf("account: slot %d does not match sizes %s", j, s.HealthID())
		}
	}
	return nil
}

// Need says which risk words the caller reads; the others are only hashed.
type Need struct {
	Scenarios  bool // Rmm[s] of every entry and C[a][s] of the globals (maintenance losses)
	TierFactor bool // the account's tier factor (tier in [0, T), each factor in [0, 2^32))
}

// Opening is an opened account: values ready for the margin gadget.
type Opening struct {
	Leaf       []words.Word // every leaf word, unpacked (range checked)
	Balances   []margin.Balance
	Positions  []margin.Position
	Entries    []margin.Entry // Rmm only when Need.Scenarios; Rim never (nil)
	Globals    margin.Globals // C only when Need.Scenarios
	TierFactor frontend.Variable
}

// lazy unpacks packed elements on first use.
type lazy struct {
	api   frontend.API
	elems []frontend.Variable
	cache map[int][words.PerElement]words.Word
}

func (l *lazy) word(i int) words.Word {
	e := i / words.PerElement
	w, ok := l.cache[e]
	if !ok {
		w = words.Unpack(l.api, l.elems[e])
		l.cache[e] = w
	}
	return w[i%words.PerElement]
}

func newLazy(api frontend.API, elems []frontend.Variable) *lazy {
	return &lazy{api: api, elems: elems, cache: map[int][words.PerElement]words.Word{}}
}

func hashMD(md hash.FieldHasher, xs ...frontend.Variable) frontend.Variable {
	md.Reset()
	md.Write(xs...)
	return md.Sum()
}

// Open asserts that the account's leaf is in stateRoot at the index whose little-endian bits are
// accountBits (D bits, each already boolean), that the globals and every non-empty slot's instrument
// entry are in riskRoot (riskRoot = compress(instrumentsRoot, globalsHash)), and returns the values.
// Range checks, as the health circuit's: every leaf word (unpacking), mark >= 0, floorMm >= 0, cp >= 0,
// dp >= 0, a non-empty slot's instrument id in [0, 2^DI), and with Need.TierFactor the tier in [0, T)
// and every tier factor in [0, 2^32).
func Open(api frontend.API, s encoding.Sizes, v *Vars, stateRoot, riskRoot frontend.Variable,
	accountBits []frontend.Variable, need Need) (*Opening, error) {
	if err := v.CheckShape(s); err != nil {
		return nil, err
	}
	if len(accountBits) != s.D {
		return nil, fmt.Errorf("account: need %d account bits, got %d", s.D, len(accountBits))
	}
	h, err := poseidon2.NewPoseidon2(api)
	if err != nil {
		return nil, err
	}
	md, err := mdposeidon2.New(api)
	if err != nil {
		return nil, err
	}
	o := &Opening{}

	// Leaf membership in stateRoot.
	o.Leaf = words.UnpackAll(api, v.Leaf, s.LeafWordCount())
	leafHash := hashMD(md, append([]frontend.Variable{v.OwnerPkX, v.OwnerPkY, v.L1Address, v.OrdersRoot}, v.Leaf...)...)
	api.AssertIsEqual(merkle.Root(api, h, leafHash, v.StatePath, accountBits), stateRoot)

	// Globals in riskRoot.
	api.AssertIsEqual(h.Compress(v.InstrumentsRoot, hashMD(md, v.Globals...)), riskRoot)
	gw := newLazy(api, v.Globals)

	o.TierFactor = 0
	if need.TierFactor {
		tier := o.Leaf[1].Value
		var tf, hit frontend.Variable = 0, 0
		for t := 0; t < s.T; t++ {
			f := gw.word(t)
			f.AssertInRange(api, 32)
			is := api.IsZero(api.Sub(tier, t))
			hit = api.Add(hit, is)
			tf = api.Add(tf, api.Mul(is, f.Value))
		}
		api.AssertIsEqual(hit, 1) // the tier is exactly one t in [0, T)
		o.TierFactor = tf
	}

	o.Globals = margin.Globals{Cp: make([]frontend.Variable, s.A), Dp: make([]frontend.Variable, s.A)}
	if need.Scenarios {
		o.Globals.C = make([][]frontend.Variable, s.A)
	}
	o.Balances = make([]margin.Balance, s.A)
	for a := 0; a < s.A; a++ {
		base := s.GlobalsAssetOffset(a)
		cp, dp := gw.word(base), gw.word(base+1)
		cp.AssertNonNegative(api)
		dp.AssertNonNegative(api)
		o.Globals.Cp[a], o.Globals.Dp[a] = cp.Value, dp.Value
		if need.Scenarios {
			o.Globals.C[a] = make([]frontend.Variable, s.S)
			for k := 0; k < s.S; k++ {
				o.Globals.C[a][k] = gw.word(base + 2 + k).Value
			}
		}
		b := o.Leaf[2+a]
		o.Balances[a] = margin.Balance{Value: b.Value, Neg: b.Neg}
	}

	o.Positions = make([]margin.Position, s.P)
	o.Entries = make([]margin.Entry, s.P)
	for j := 0; j < s.P; j++ {
		base := 2 + s.A + 3*j
		id, q, snap := o.Leaf[base], o.Leaf[base+1], o.Leaf[base+2]
		o.Positions[j] = margin.Position{Q: q.Value, QNeg: q.Neg, Snap: snap.Value}
		nonEmpty := api.Sub(1, api.IsZero(q.Value))

		ew := newLazy(api, v.Entries[j])
		mark, funding, floorMm := ew.word(0), ew.word(1), ew.word(2)
		mark.AssertNonNegative(api)
		floorMm.AssertNonNegative(api)
		e := margin.Entry{Mark: mark.Value, FundingIndex: funding.Value, FloorMm: floorMm.Value}
		if need.Scenarios {
			e.Rmm = make([]frontend.Variable, s.S)
			for k := 0; k < s.S; k++ {
				e.Rmm[k] = ew.word(encoding.EntryRmm + k).Value
			}
		}
		o.Entries[j] = e

		// id in [0, 2^DI) and the entry in the instrument tree at id, unless the slot is empty (then q = 0
		// and the entry's values are multiplied by 0).
		idBits := id.Bits[:s.DI]
		api.AssertIsEqual(api.Mul(nonEmpty, api.Sub(id.Value, words.Recompose(api, idBits))), 0)
		iroot := merkle.Root(api, h, hashMD(md, v.Entries[j]...), v.EntryPaths[j], idBits)
		api.AssertIsEqual(api.Mul(nonEmpty, api.Sub(iroot, v.InstrumentsRoot)), 0)
	}
	return o, nil
}
