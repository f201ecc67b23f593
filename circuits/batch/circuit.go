// Package batch is the batch circuit of docs/BATCH.md: N transition slots move the state tree from oldRoot
// to newRoot at one risk root, consume a prefix of the on-chain deposit queue and produce the batch's
// withdrawal list. Groth16 over BN254, no gnark commitments (every range check is a bit decomposition).
//
// Kinds in this version: 0 no-op, 1 deposit, 2 withdrawal, 4 transfer (trade = 3 is reserved: a slot of that
// kind fails to prove until it is implemented).
package batch

import (
	"fmt"
	"math/big"

	tedwards "github.com/consensys/gnark-crypto/ecc/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/algebra/native/twistededwards"
	"github.com/consensys/gnark/std/hash"
	mdposeidon2 "github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/std/permutation/poseidon2"
	"github.com/consensys/gnark/std/signature/eddsa"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/margin"
	"github.com/zkmargin/zkmargin/circuits/gadget/merkle"
	"github.com/zkmargin/zkmargin/circuits/gadget/words"
)

// Transition kinds (docs/BATCH.md section 2).
const (
	KindNoop       = 0
	KindDeposit    = 1
	KindWithdrawal = 2
	KindTrade      = 3
	KindTransfer   = 4
)

// Message tags (docs/BATCH.md section 2).
const (
	TagOrder      = 1
	TagWithdrawal = 2
	TagTransfer   = 3
)

// BatchTimeBits: batchTime < 2^40. AmountBits: amounts in [0, 2^63). AddressBits: L1 addresses < 2^160.
const (
	BatchTimeBits = 40
	AmountBits    = 63
	AddressBits   = 160
)

// Account is the update of one account leaf in one slot: its old leaf (or the empty leaf 0), its path,
// and what the effective-IM check needs (the risk table row of each position slot, the bounds m, mIm).
type Account struct {
	Empty      frontend.Variable   // 1 if the old leaf is the empty leaf 0 (only a deposit may register)
	PkX, PkY   frontend.Variable   // old leaf owner key
	L1Address  frontend.Variable   // old leaf l1Address (bound by the root; range checked where written)
	OrdersRoot frontend.Variable   // old leaf ordersRoot
	Leaf       []frontend.Variable // old packed words, PackedLen(2 + A + 3P)
	Path       []frontend.Variable // D siblings, leaf level first
	RowIdx     []frontend.Variable // per position slot: the risk table row of its instrument (any row if empty)
	MmBound    frontend.Variable   // m >= MMcore after the transition (only read where IM is checked)
	ImBound    frontend.Variable   // mIm >= IMcore after the transition
}

// Slot is one transition slot. Its fields are read as the kind says:
//   - deposit: AccountID, Amount, PkX/PkY (the queue entry's key, 0 for a plain deposit), Address (depositor);
//   - withdrawal: AccountID, Nonce, Amount, Address (the L1 address credited), Sig (by the leaf's key);
//   - transfer: AccountID (from), ToAccountID, Nonce, Asset, Amount, Sig (by the common owner key).
//
// A is the account AccountID names; B (read by transfers only) the account ToAccountID names, opened against
// the root after A's update.
type Slot struct {
	Kind        frontend.Variable
	AccountID   frontend.Variable
	Amount      frontend.Variable
	Nonce       frontend.Variable
	Address     frontend.Variable
	PkX, PkY    frontend.Variable
	Sig         eddsa.Signature
	ToAccountID frontend.Variable
	Asset       frontend.Variable
	A, B        Account
}

// Row is one row of the per-batch risk table: an instrument id and its entry, opened against riskRoot.
type Row struct {
	Used  frontend.Variable   // 1 if the row is opened (an unused row can be selected by no open position)
	ID    frontend.Variable   // instrument id < 2^DI
	Entry []frontend.Variable // packed entry words, PackedLen(4 + 2S)
	Path  []frontend.Variable // DI siblings
}

// Circuit is the batch circuit at one size. Public inputs, in order (docs/BATCH.md section 4).
type Circuit struct {
	OldRoot           frontend.Variable `gnark:",public"`
	NewRoot           frontend.Variable `gnark:",public"`
	RiskRoot          frontend.Variable `gnark:",public"`
	DepositHeadBefore frontend.Variable `gnark:",public"`
	DepositHeadAfter  frontend.Variable `gnark:",public"`
	WithdrawalsHash   frontend.Variable `gnark:",public"`
	DataHash          frontend.Variable `gnark:",public"`
	BatchTime         frontend.Variable `gnark:",public"`

	InstrumentsRoot frontend.Variable
	Globals         []frontend.Variable // packed globals words
	Rows            []Row               // R
	Slots           []Slot              // N

	Sizes Sizes `gnark:"-"`
}

// NewCircuit returns an empty circuit of the given sizes.
func NewCircuit(s Sizes) *Circuit {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	c := &Circuit{Sizes: s, Globals: make([]frontend.Variable, encoding.PackedLen(s.GlobalsWordCount())),
		Rows: make([]Row, s.R), Slots: make([]Slot, s.N)}
	for r := range c.Rows {
		c.Rows[r] = Row{Entry: make([]frontend.Variable, encoding.PackedLen(s.EntryWordCount())),
			Path: make([]frontend.Variable, s.DI)}
	}
	for i := range c.Slots {
		c.Slots[i].A = newAccount(s)
		c.Slots[i].B = newAccount(s)
	}
	return c
}

func newAccount(s Sizes) Account {
	return Account{Leaf: make([]frontend.Variable, encoding.PackedLen(s.LeafWordCount())),
		Path: make([]frontend.Variable, s.D), RowIdx: make([]frontend.Variable, s.P)}
}

// SlotDataLen is the number of field elements each slot contributes to dataHash.
const SlotDataLen = 12

// SlotData is a slot's data in dataHash order: kind, accountId, amount, nonce, address, pkX, pkY, sig R.X,
// sig R.Y, sig S, toAccountId, asset (docs/BATCH.md section 4).
func (sl *Slot) SlotData() []frontend.Variable {
	return []frontend.Variable{sl.Kind, sl.AccountID, sl.Amount, sl.Nonce, sl.Address, sl.PkX, sl.PkY,
		sl.Sig.R.X, sl.Sig.R.Y, sl.Sig.S, sl.ToAccountID, sl.Asset}
}

var twoTo63 = new(big.Int).Lsh(big.NewInt(1), 63)

// packWords packs word values (already range checked to words) into elements: e = u0 + u1 2^64 + u2 2^128,
// u = v + 2^63, padding words 0 (docs/ENCODING.md). Linear: no constraint.
func packWords(api frontend.API, vals []frontend.Variable) []frontend.Variable {
	n := encoding.PackedLen(len(vals))
	out := make([]frontend.Variable, n)
	for k := 0; k < n; k++ {
		var e frontend.Variable = 0
		for i := 0; i < words.PerElement; i++ {
			var v frontend.Variable = 0
			if j := k*words.PerElement + i; j < len(vals) {
				v = vals[j]
			}
			u := api.Add(v, twoTo63)
			e = api.Add(e, api.Mul(u, new(big.Int).Lsh(big.NewInt(1), uint(64*i))))
		}
		out[k] = e
	}
	return out
}

// assertWord range checks a computed signed value to a word: v + 2^63 in [0, 2^64).
func assertWord(api frontend.API, v frontend.Variable) { api.ToBinary(api.Add(v, twoTo63), 64) }

func hashMD(md hash.FieldHasher, xs ...frontend.Variable) frontend.Variable {
	md.Reset()
	md.Write(xs...)
	return md.Sum()
}

// select1 returns b ? x : y for a boolean b (one constraint).
func select1(api frontend.API, b, x, y frontend.Variable) frontend.Variable {
	return api.Add(y, api.Mul(b, api.Sub(x, y)))
}

// Define implements frontend.Circuit.
func (c *Circuit) Define(api frontend.API) error {
	s := c.Sizes
	if err := s.Validate(); err != nil {
		return err
	}
	if len(c.Slots) != s.N || len(c.Rows) != s.R || len(c.Globals) != encoding.PackedLen(s.GlobalsWordCount()) {
		return fmt.Errorf("batch: circuit shape does not match sizes %s (use NewCircuit)", s.ID())
	}
	h, err := poseidon2.NewPoseidon2(api)
	if err != nil {
		return err
	}
	md, err := mdposeidon2.New(api)
	if err != nil {
		return err
	}
	curve, err := twistededwards.NewEdCurve(api, tedwards.BN254)
	if err != nil {
		return err
	}
	api.ToBinary(c.BatchTime, BatchTimeBits)

	// The risk table: globals and R rows opened once against riskRoot.
	gw := words.UnpackAll(api, c.Globals, s.GlobalsWordCount())
	api.AssertIsEqual(h.Compress(c.InstrumentsRoot, hashMD(md, c.Globals...)), c.RiskRoot)
	tierFactors := make([]frontend.Variable, s.T)
	for t := 0; t < s.T; t++ {
		gw[t].AssertInRange(api, 32)
		tierFactors[t] = gw[t].Value
	}
	g := margin.Globals{Cp: make([]frontend.Variable, s.A), Dp: make([]frontend.Variable, s.A), C: make([][]frontend.Variable, s.A)}
	for a := 0; a < s.A; a++ {
		o := s.T + a*(2+s.S)
		gw[o].AssertNonNegative(api)
		gw[o+1].AssertNonNegative(api)
		g.Cp[a], g.Dp[a] = gw[o].Value, gw[o+1].Value
		for k := 0; k < s.S; k++ {
			g.C[a] = append(g.C[a], gw[o+2+k].Value)
		}
	}
	rows := make([]margin.Entry, s.R)
	rowIDs := make([]frontend.Variable, s.R)
	for r, row := range c.Rows {
		api.AssertIsBoolean(row.Used)
		ew := words.UnpackAll(api, row.Entry, s.EntryWordCount())
		for i := 0; i < 4; i++ {
			if i != 1 { // mark, floorMm, floorIm >= 0; fundingIndex is signed
				ew[i].AssertNonNegative(api)
			}
		}
		idBits := api.ToBinary(row.ID, s.DI)
		root := merkle.Root(api, h, hashMD(md, row.Entry...), row.Path, idBits)
		api.AssertIsEqual(api.Mul(row.Used, api.Sub(root, c.InstrumentsRoot)), 0)
		e := margin.Entry{Mark: ew[0].Value, FundingIndex: ew[1].Value, FloorMm: ew[2].Value, FloorIm: ew[3].Value}
		for k := 0; k < s.S; k++ {
			e.Rmm = append(e.Rmm, ew[4+k].Value)
			e.Rim = append(e.Rim, ew[4+s.S+k].Value)
		}
		rows[r], rowIDs[r] = e, row.ID
	}
	ctx := &context{api: api, s: s, h: h, md: md, curve: curve, g: g, tierFactors: tierFactors, rows: rows, rowIDs: rowIDs, usedRows: c.Rows}

	root := c.OldRoot
	depHead := c.DepositHeadBefore
	var wHash frontend.Variable = 0
	data := []frontend.Variable{}
	for i := range c.Slots {
		sl := &c.Slots[i]
		root, depHead, wHash = ctx.slot(sl, root, depHead, wHash)
		data = append(data, sl.SlotData()...)
	}
	api.AssertIsEqual(root, c.NewRoot)
	api.AssertIsEqual(depHead, c.DepositHeadAfter)
	api.AssertIsEqual(wHash, c.WithdrawalsHash)
	api.AssertIsEqual(hashMD(md, data...), c.DataHash)
	return nil
}

type context struct {
	api         frontend.API
	s           Sizes
	h           merkle.Hasher
	md          hash.FieldHasher
	curve       twistededwards.Curve
	g           margin.Globals
	tierFactors []frontend.Variable
	rows        []margin.Entry
	rowIDs      []frontend.Variable
	usedRows    []Row
}

// leaf is an unpacked account leaf being updated.
type leaf struct {
	pkX, pkY, l1, orders frontend.Variable
	w                    []words.Word
	vals                 []frontend.Variable // new word values (start as the old ones)
}

// openAccount unpacks the old leaf, checks it in root at the account bits (unless active is 0) and returns it.
func (x *context) openAccount(a *Account, accountBits []frontend.Variable, root, active frontend.Variable) *leaf {
	api, s := x.api, x.s
	api.AssertIsBoolean(a.Empty)
	w := words.UnpackAll(api, a.Leaf, s.LeafWordCount())
	l := &leaf{pkX: a.PkX, pkY: a.PkY, l1: a.L1Address, orders: a.OrdersRoot, w: w}
	for _, wd := range w {
		l.vals = append(l.vals, wd.Value)
		api.AssertIsEqual(api.Mul(a.Empty, wd.Value), 0) // the empty leaf has every field 0
	}
	for _, f := range []frontend.Variable{a.PkX, a.PkY, a.L1Address, a.OrdersRoot} {
		api.AssertIsEqual(api.Mul(a.Empty, f), 0)
	}
	w[0].AssertNonNegative(api) // nonce >= 0
	full := hashMD(x.md, append([]frontend.Variable{a.PkX, a.PkY, a.L1Address, a.OrdersRoot}, a.Leaf...)...)
	old := api.Mul(api.Sub(1, a.Empty), full)
	api.AssertIsEqual(api.Mul(active, api.Sub(merkle.Root(api, x.h, old, a.Path, accountBits), root)), 0)
	return l
}

// closeAccount hashes the new leaf and returns the root with it at the account bits.
func (x *context) closeAccount(a *Account, l *leaf, accountBits []frontend.Variable) frontend.Variable {
	packed := packWords(x.api, l.vals)
	nh := hashMD(x.md, append([]frontend.Variable{l.pkX, l.pkY, l.l1, l.orders}, packed...)...)
	return merkle.Root(x.api, x.h, nh, a.Path, accountBits)
}

// effectiveIM asserts, when flag is 1, that the leaf's new state meets effective IM at the batch's risk table.
func (x *context) effectiveIM(a *Account, l *leaf, flag frontend.Variable) {
	api, s := x.api, x.s
	bal := make([]margin.Balance, s.A)
	for k := 0; k < s.A; k++ {
		bal[k] = margin.Balance{Value: l.vals[2+k], Neg: l.w[2+k].Neg} // setWord keeps Neg that of the new value
	}
	pos := make([]margin.Position, s.P)
	ent := make([]margin.Entry, s.P)
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		pos[j] = margin.Position{Q: l.vals[o+1], QNeg: l.w[o+1].Neg, Snap: l.vals[o+2]}
		// the row of slot j: one-hot over R rows, the row opened, its id the slot's instrument if q != 0
		var hit, id frontend.Variable = 0, 0
		e := margin.Entry{Mark: 0, FundingIndex: 0, FloorMm: 0, FloorIm: 0, Rmm: make([]frontend.Variable, s.S), Rim: make([]frontend.Variable, s.S)}
		for k := 0; k < s.S; k++ {
			e.Rmm[k], e.Rim[k] = 0, 0
		}
		var used frontend.Variable = 0
		for r := 0; r < s.R; r++ {
			is := api.IsZero(api.Sub(a.RowIdx[j], r))
			hit = api.Add(hit, is)
			id = api.Add(id, api.Mul(is, x.rowIDs[r]))
			used = api.Add(used, api.Mul(is, x.usedRows[r].Used))
			re := x.rows[r]
			e.Mark = api.Add(e.Mark, api.Mul(is, re.Mark))
			e.FundingIndex = api.Add(e.FundingIndex, api.Mul(is, re.FundingIndex))
			e.FloorMm = api.Add(e.FloorMm, api.Mul(is, re.FloorMm))
			e.FloorIm = api.Add(e.FloorIm, api.Mul(is, re.FloorIm))
			for k := 0; k < s.S; k++ {
				e.Rmm[k] = api.Add(e.Rmm[k], api.Mul(is, re.Rmm[k]))
				e.Rim[k] = api.Add(e.Rim[k], api.Mul(is, re.Rim[k]))
			}
		}
		api.AssertIsEqual(hit, 1) // RowIdx in [0, R)
		nonEmpty := api.Sub(1, api.IsZero(l.vals[o+1]))
		need := api.Mul(flag, nonEmpty)
		api.AssertIsEqual(api.Mul(need, api.Sub(used, 1)), 0)
		api.AssertIsEqual(api.Mul(need, api.Sub(id, l.vals[o])), 0)
		ent[j] = e
	}
	// tier selects its factor (tier in [0, T) where the check applies)
	var tf, tierHit frontend.Variable = 0, 0
	for t := 0; t < s.T; t++ {
		is := api.IsZero(api.Sub(l.vals[1], t))
		tierHit = api.Add(tierHit, is)
		tf = api.Add(tf, api.Mul(is, x.tierFactors[t]))
	}
	api.AssertIsEqual(api.Mul(flag, api.Sub(tierHit, 1)), 0)
	margin.AssertAll(api, flag, margin.EffectiveIM(api, s.Sizes, bal, pos, ent, x.g, tf, a.MmBound, a.ImBound))
}

// setWord sets word i of the leaf to v, range checking it to a word and recomputing its sign bit.
func (x *context) setWord(l *leaf, i int, v frontend.Variable) {
	api := x.api
	bits := api.ToBinary(api.Add(v, twoTo63), 64)
	l.vals[i] = v
	l.w[i] = words.Word{Value: v, Neg: api.Sub(1, bits[63]), Bits: bits}
}

// slot applies one transition.
func (x *context) slot(sl *Slot, root, depHead, wHash frontend.Variable) (frontend.Variable, frontend.Variable, frontend.Variable) {
	api, s := x.api, x.s
	isNoop := api.IsZero(sl.Kind)
	isDep := api.IsZero(api.Sub(sl.Kind, KindDeposit))
	isW := api.IsZero(api.Sub(sl.Kind, KindWithdrawal))
	isT := api.IsZero(api.Sub(sl.Kind, KindTransfer))
	api.AssertIsEqual(api.Add(isNoop, isDep, isW, isT), 1) // the kinds implemented here
	active := api.Sub(1, isNoop)
	signed := api.Add(isW, isT)

	accountBits := api.ToBinary(sl.AccountID, s.D)
	toBits := api.ToBinary(sl.ToAccountID, s.D)
	api.ToBinary(sl.Amount, AmountBits)
	api.ToBinary(sl.Address, AddressBits)
	api.ToBinary(sl.Nonce, AmountBits)
	// asset one-hot over [0, A) (a transfer's asset; deposits and withdrawals move asset 0)
	isAsset := make([]frontend.Variable, s.A)
	var assetHit frontend.Variable = 0
	for k := 0; k < s.A; k++ {
		isAsset[k] = api.IsZero(api.Sub(sl.Asset, k))
		assetHit = api.Add(assetHit, isAsset[k])
	}
	api.AssertIsEqual(api.Mul(isT, api.Sub(assetHit, 1)), 0)

	a := &sl.A
	l := x.openAccount(a, accountBits, root, active)
	api.AssertIsEqual(api.Mul(a.Empty, api.Sub(1, isDep)), 0) // only a deposit may meet the empty leaf

	// deposit: registration of an empty leaf takes the entry's key and the depositor's address; a deposit to
	// an existing account must carry the key 0, 0 (a plain deposit)
	reg := api.Mul(isDep, a.Empty)
	plain := api.Sub(isDep, reg)
	api.AssertIsEqual(api.Mul(plain, sl.PkX), 0)
	api.AssertIsEqual(api.Mul(plain, sl.PkY), 0)
	oldPkX, oldPkY := l.pkX, l.pkY
	l.pkX = select1(api, reg, sl.PkX, l.pkX)
	l.pkY = select1(api, reg, sl.PkY, l.pkY)
	l.l1 = select1(api, reg, sl.Address, l.l1) // < 2^160: range checked above
	entry := hashMD(x.md, sl.AccountID, sl.Amount, sl.PkX, sl.PkY, sl.Address)
	depHead = select1(api, isDep, x.h.Compress(depHead, entry), depHead)

	// withdrawal and transfer: nonce, 0 < amount, signature by the old leaf's key
	api.AssertIsEqual(api.Mul(signed, api.Sub(sl.Nonce, l.vals[0])), 0)
	api.AssertIsEqual(api.Mul(signed, api.IsZero(sl.Amount)), 0)
	wmsg := hashMD(x.md, TagWithdrawal, sl.Address, packWords(api, []frontend.Variable{sl.AccountID, sl.Nonce, sl.Amount})[0])
	tmsg := hashMD(x.md, append([]frontend.Variable{TagTransfer},
		packWords(api, []frontend.Variable{sl.AccountID, sl.ToAccountID, sl.Nonce, sl.Asset, sl.Amount})...)...)
	x.verifySig(signed, select1(api, isW, wmsg, tmsg), oldPkX, oldPkY, sl.Sig)
	wHash = select1(api, isW, x.h.Compress(wHash, x.h.Compress(sl.Address, sl.Amount)), wHash)

	// A's new words: nonce += 1 (withdrawal, transfer); balance[0] += amount (deposit), -= amount (withdrawal);
	// balance[asset] -= amount (transfer)
	x.setWord(l, 0, api.Add(l.vals[0], signed))
	l.w[0].AssertNonNegative(api)
	for k := 0; k < s.A; k++ {
		delta := api.Mul(isAsset[k], api.Mul(isT, sl.Amount))
		if k == 0 {
			delta = api.Sub(delta, api.Mul(api.Sub(isDep, isW), sl.Amount))
		}
		x.setWord(l, 2+k, api.Sub(l.vals[2+k], delta))
	}
	x.effectiveIM(a, l, signed)
	root = select1(api, active, x.closeAccount(a, l, accountBits), root)

	// B (transfers): the same owner key, balance[asset] += amount, opened against the root after A
	b := &sl.B
	lb := x.openAccount(b, toBits, root, isT)
	api.AssertIsEqual(api.Mul(isT, b.Empty), 0)
	api.AssertIsEqual(api.Mul(isT, api.Sub(lb.pkX, oldPkX)), 0)
	api.AssertIsEqual(api.Mul(isT, api.Sub(lb.pkY, oldPkY)), 0)
	for k := 0; k < s.A; k++ {
		x.setWord(lb, 2+k, api.Add(lb.vals[2+k], api.Mul(isAsset[k], api.Mul(isT, sl.Amount))))
	}
	root = select1(api, isT, x.closeAccount(b, lb, toBits), root)
	return root, depHead, wHash
}

// verifySig asserts, when flag is 1, that sig is a valid EdDSA signature of msg by (pkX, pkY). When flag is 0
// the key and R are replaced by the base point and S by 0, so that the unconditional curve checks of gnark's
// IsValid hold whatever the slot carries.
func (x *context) verifySig(flag, msg, pkX, pkY frontend.Variable, sig eddsa.Signature) {
	api := x.api
	base := x.curve.Params().Base
	pk := eddsa.PublicKey{A: twistededwards.Point{X: select1(api, flag, pkX, base[0]), Y: select1(api, flag, pkY, base[1])}}
	sg := eddsa.Signature{R: twistededwards.Point{X: select1(api, flag, sig.R.X, base[0]), Y: select1(api, flag, sig.R.Y, base[1])},
		S: api.Mul(flag, sig.S)}
	x.md.Reset()
	ok, err := eddsa.IsValid(x.curve, sg, msg, pk, x.md)
	if err != nil {
		panic(err)
	}
	api.AssertIsEqual(api.Mul(flag, api.Sub(1, ok)), 0)
}
