// Package batch is the batch circuit of docs/BATCH.md: N transition slots move the state tree from oldRoot
// to newRoot at one risk root, consume a prefix of the on-chain deposit queue and produce the batch's
// withdrawal list. Groth16 over BN254, no gnark commitments (every range check is a bit decomposition).
//
// Kinds in this version: 0 no-op, 1 deposit, 2 withdrawal, 3 trade, 4 transfer, 5 settle-expiry (settle.go). Every slot is the same
// sub-circuit and can hold any kind (docs/BATCH.md section 5 "Slot design" gives the cost). After the N generic
// slots come Q liquidation slots (kind 6 or a no-op, liquidation.go, docs/LIQUIDATION.md section 8). Trading fees
// are summed over the batch and credited to the fee account 0 once, after the last slot (Circuit.Fee), then the
// insurance fund's shares of the liquidation penalties to the fund's account (Circuit.Fund).
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

// Order is the part of a signed order a trade slot carries (docs/BATCH.md section 2): the legs are the
// slot's (the maker's instrumentId and ratio; the taker signs the same instruments with opposite ratios).
type Order struct {
	OrderID    frontend.Variable // in [1, 2^62)
	Expiry     frontend.Variable // unix seconds, in [0, 2^63): valid while batchTime <= expiry
	Quantity   frontend.Variable // combo units, in [1, 2^63)
	LimitPrice frontend.Variable // signed word: the most the order pays net per combo unit
	FeePerUnit frontend.Variable // in [0, 2^63): quote atoms per combo unit to the fee account
}

// Fill is the order-fill subtree witness of one order (docs/BATCH.md section 1): the old value of the slot
// orderId mod 2^K as (OldID, OldFilled) and its K siblings (leaf level first).
type Fill struct {
	OldID, OldFilled frontend.Variable
	Path             []frontend.Variable
}

// Slot is one transition slot. Its fields are read as the kind says:
//   - deposit: AccountID, Amount, PkX/PkY (the queue entry's key, 0 for a plain deposit), Address (depositor);
//   - withdrawal: AccountID, Nonce, Amount, Address (the L1 address credited), Sig (by the leaf's key);
//   - transfer: AccountID (from), ToAccountID, Nonce, Asset, Amount, Sig (by the common owner key);
//   - trade: AccountID (maker), ToAccountID (taker), Amount (the fill f), Sig (the maker's order signature),
//     Maker, Taker, TakerSig, the legs (InstrumentID, Ratio: the maker's), Price, the position slot of each
//     leg in the maker's (MakerPos) and the taker's (TakerPos) leaf, the risk table row of each leg (LegRow)
//     and the two order-fill witnesses.
//
// A is the account AccountID names; B (read by transfers and trades) the account ToAccountID names, opened
// against the root after A's update.
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

	Maker, Taker       Order
	TakerSig           eddsa.Signature
	InstrumentID       []frontend.Variable // L
	Ratio              []frontend.Variable // L, |ratio| <= 2^16, 0 = unused leg (then instrumentId 0)
	Price              []frontend.Variable // L, signed words: quote atoms per lot
	MakerPos, TakerPos []frontend.Variable // L, in [0, P)
	LegRow             []frontend.Variable // L, in [0, R): the row of the leg's instrument (witness only)
	MakerFill          Fill
	TakerFill          Fill
}

// Row is one row of the per-batch risk table: an instrument id and its entry, opened against riskRoot.
type Row struct {
	Used  frontend.Variable   // 1 if the row is opened (an unused row can be selected by no open position)
	ID    frontend.Variable   // instrument id < 2^DI
	Entry []frontend.Variable // packed entry words, PackedLen(6 + 2S)
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
	// RequestsHash is the hash chain over the batch's request slots: (accountId, keeper) of each liquidation
	// (docs/LIQUIDATION.md section 9), (kind, accountId, requester, amount) of each forced withdrawal paid or
	// refused (section 12, forced.go): the contract computes it from the list whose requests it clears.
	RequestsHash frontend.Variable `gnark:",public"`

	InstrumentsRoot frontend.Variable
	Globals         []frontend.Variable // packed globals words
	Rows            []Row               // R
	Slots           []Slot              // N
	// Fee is account 0 after the last slot: it is credited with the batch's trading fees at once. Empty = 1
	// means "not opened" and is allowed only when the batch's fees are 0.
	Fee Account
	// Liquidations are the Q liquidation slots, after the N generic slots (liquidation.go).
	Liquidations []LiqSlot
	// Fund is the insurance fund's account (insuranceFundId of the globals) after the fee credit: it is
	// credited with the batch's fund shares at once. Empty = 1 (not opened) only when the shares are 0.
	Fund Account

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
		sl := &c.Slots[i]
		sl.A = newAccount(s)
		sl.B = newAccount(s)
		sl.InstrumentID, sl.Ratio, sl.Price = make([]frontend.Variable, s.L), make([]frontend.Variable, s.L), make([]frontend.Variable, s.L)
		sl.MakerPos, sl.TakerPos, sl.LegRow = make([]frontend.Variable, s.L), make([]frontend.Variable, s.L), make([]frontend.Variable, s.L)
		sl.MakerFill.Path, sl.TakerFill.Path = make([]frontend.Variable, s.K), make([]frontend.Variable, s.K)
	}
	c.Fee = newAccount(s)
	c.Fund = newAccount(s)
	c.Liquidations = make([]LiqSlot, s.Q)
	for i := range c.Liquidations {
		c.Liquidations[i] = newLiqSlot(s)
	}
	return c
}

func newAccount(s Sizes) Account {
	return Account{Leaf: make([]frontend.Variable, encoding.PackedLen(s.LeafWordCount())),
		Path: make([]frontend.Variable, s.D), RowIdx: make([]frontend.Variable, s.P)}
}

// CommonDataLen is the number of field elements every slot contributes to dataHash first.
const CommonDataLen = 12

// TradeWordCount is the number of trade words a slot appends to its data (packed three to an element):
// the two orders (5 words each) and per leg instrumentId, ratio, price, makerPos, takerPos.
func (s Sizes) TradeWordCount() int { return 10 + 5*s.L }

// SlotDataLen is the number of field elements each slot contributes to dataHash: the 12 common elements,
// the packed trade words, the taker's signature (R.x, R.y, S).
func (s Sizes) SlotDataLen() int { return CommonDataLen + encoding.PackedLen(s.TradeWordCount()) + 3 }

// TradeWords are a slot's trade words in dataHash order (docs/BATCH.md section 4): maker orderId, expiry,
// quantity, limitPrice, feePerUnit, the taker's five, then per leg l: instrumentId[l], ratio[l], price[l],
// makerPos[l], takerPos[l].
func (sl *Slot) TradeWords() []frontend.Variable {
	w := []frontend.Variable{sl.Maker.OrderID, sl.Maker.Expiry, sl.Maker.Quantity, sl.Maker.LimitPrice, sl.Maker.FeePerUnit,
		sl.Taker.OrderID, sl.Taker.Expiry, sl.Taker.Quantity, sl.Taker.LimitPrice, sl.Taker.FeePerUnit}
	for l := range sl.Ratio {
		w = append(w, sl.InstrumentID[l], sl.Ratio[l], sl.Price[l], sl.MakerPos[l], sl.TakerPos[l])
	}
	return w
}

// slotData is a slot's data in dataHash order: kind, accountId, amount, nonce, address, pkX, pkY, sig R.X,
// sig R.Y, sig S, toAccountId, asset, pack(TradeWords)..., taker sig R.X, R.Y, S (docs/BATCH.md section 4).
// Every trade word is range checked to a word (or tighter) in the slot, so the packing is injective.
func (sl *Slot) slotData(api frontend.API) []frontend.Variable {
	d := []frontend.Variable{sl.Kind, sl.AccountID, sl.Amount, sl.Nonce, sl.Address, sl.PkX, sl.PkY,
		sl.Sig.R.X, sl.Sig.R.Y, sl.Sig.S, sl.ToAccountID, sl.Asset}
	d = append(d, packWords(api, sl.TradeWords())...)
	return append(d, sl.TakerSig.R.X, sl.TakerSig.R.Y, sl.TakerSig.S)
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
	if len(c.Slots) != s.N || len(c.Rows) != s.R || len(c.Liquidations) != s.Q || len(c.Globals) != encoding.PackedLen(s.GlobalsWordCount()) {
		return fmt.Errorf("batch: circuit shape does not match sizes %s (use NewCircuit)", s.ID())
	}
	if s.Q > 0 {
		checkLiqBounds(s)
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
		o := s.GlobalsAssetOffset(a)
		gw[o].AssertNonNegative(api)
		gw[o+1].AssertNonNegative(api)
		g.Cp[a], g.Dp[a] = gw[o].Value, gw[o+1].Value
		for k := 0; k < s.S; k++ {
			g.C[a] = append(g.C[a], gw[o+2+k].Value)
		}
	}
	rows := make([]margin.Entry, s.R)
	rowIDs := make([]frontend.Variable, s.R)
	rowSettled, rowValue := make([]frontend.Variable, s.R), make([]frontend.Variable, s.R)
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
			e.Rmm = append(e.Rmm, ew[encoding.EntryRmm+k].Value)
			e.Rim = append(e.Rim, ew[encoding.EntryRmm+s.S+k].Value)
		}
		rows[r], rowIDs[r] = e, row.ID
		// settled is 0 or 1 in an opened row (the oracle's word; an unused row is never read)
		rowSettled[r], rowValue[r] = ew[encoding.EntrySettled].Value, ew[encoding.EntrySettlementValue].Value
		api.AssertIsBoolean(api.Mul(row.Used, rowSettled[r]))
	}
	ctx := &context{api: api, s: s, h: h, md: md, curve: curve, g: g, tierFactors: tierFactors, rows: rows, rowIDs: rowIDs,
		rowSettled: rowSettled, rowValue: rowValue, usedRows: c.Rows, batchTime: c.BatchTime, feeSum: 0, emptyOrders: emptyOrdersRoot(s.K),
		riskRoot: c.RiskRoot, liq: liquidationParams(api, gw, s), fundSum: 0}

	root := c.OldRoot
	depHead := c.DepositHeadBefore
	var wHash frontend.Variable = 0
	data := []frontend.Variable{}
	for i := range c.Slots {
		sl := &c.Slots[i]
		root, depHead, wHash = ctx.slot(sl, root, depHead, wHash)
		data = append(data, sl.slotData(api)...)
	}
	var reqHash frontend.Variable = 0
	for i := range c.Liquidations {
		ls := &c.Liquidations[i]
		root, wHash, reqHash = ctx.liquidate(ls, root, wHash, reqHash)
		data = append(data, ls.slotData(api)...)
	}
	root = ctx.creditFees(&c.Fee, root)
	root = ctx.creditFund(&c.Fund, root)
	api.AssertIsEqual(root, c.NewRoot)
	api.AssertIsEqual(depHead, c.DepositHeadAfter)
	api.AssertIsEqual(wHash, c.WithdrawalsHash)
	api.AssertIsEqual(reqHash, c.RequestsHash)
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
	rowSettled  []frontend.Variable // per row: settled (0/1, risk encoding v2); read by trade legs and kind 5
	rowValue    []frontend.Variable // per row: settlementValue (a word), read by kind 5
	usedRows    []Row
	batchTime   frontend.Variable
	feeSum      frontend.Variable // the batch's trading fees so far (exact integer < N * 2^127)
	emptyOrders *big.Int          // root of the empty depth-K order-fill subtree
	riskRoot    frontend.Variable // the batch's risk root (signed by liquidators)
	liq         liqParams         // the liquidation parameters of the globals
	fundSum     frontend.Variable // the batch's insurance-fund shares so far (< Q * 2^63)
	dlv         []dlvCheck        // the batch's deleverages, checked against the fund's opening (deleverage.go)
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
	ent := x.positionEntries(a, l, flag)
	tf := x.tierFactor(l, flag)
	bal, pos := x.marginState(l)
	margin.AssertAll(x.api, flag, margin.EffectiveIM(x.api, x.s.Sizes, bal, pos, ent, x.g, tf, a.MmBound, a.ImBound))
}

// marginState returns the leaf's current balances and positions as the margin gadget reads them (values and
// sign bits: setWord keeps each word's sign bit that of its current value).
func (x *context) marginState(l *leaf) ([]margin.Balance, []margin.Position) {
	s := x.s
	bal := make([]margin.Balance, s.A)
	for k := 0; k < s.A; k++ {
		bal[k] = margin.Balance{Value: l.vals[2+k], Neg: l.w[2+k].Neg}
	}
	pos := make([]margin.Position, s.P)
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
		pos[j] = margin.Position{Q: l.vals[o+1], QNeg: l.w[o+1].Neg, Snap: l.vals[o+2]}
	}
	return bal, pos
}

// positionEntries returns the risk entry of each position slot, the row a.RowIdx[j] of the risk table (one-hot
// over R rows), and asserts, when flag is 1, that the row of every non-empty slot is opened and is the slot's
// instrument (as the leaf holds it now).
func (x *context) positionEntries(a *Account, l *leaf, flag frontend.Variable) []margin.Entry {
	api, s := x.api, x.s
	ent := make([]margin.Entry, s.P)
	for j := 0; j < s.P; j++ {
		o := 2 + s.A + 3*j
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
	return ent
}

// tierFactor returns the factor of the leaf's tier (asserting, when flag is 1, that the tier is in [0, T)).
func (x *context) tierFactor(l *leaf, flag frontend.Variable) frontend.Variable {
	api := x.api
	var tf, tierHit frontend.Variable = 0, 0
	for t := 0; t < x.s.T; t++ {
		is := api.IsZero(api.Sub(l.vals[1], t))
		tierHit = api.Add(tierHit, is)
		tf = api.Add(tf, api.Mul(is, x.tierFactors[t]))
	}
	api.AssertIsEqual(api.Mul(flag, api.Sub(tierHit, 1)), 0)
	return tf
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
	isTr := api.IsZero(api.Sub(sl.Kind, KindTrade))
	isT := api.IsZero(api.Sub(sl.Kind, KindTransfer))
	isSe := api.IsZero(api.Sub(sl.Kind, KindSettleExpiry))
	api.AssertIsEqual(api.Add(isNoop, isDep, isW, isTr, isT, isSe), 1) // the kinds implemented here
	active := api.Sub(1, isNoop)
	signed := api.Add(isW, isT)      // nonce-protected requests
	aSigned := api.Add(signed, isTr) // A signs (the maker's order for a trade); A meets effective IM after
	twoParty := api.Add(isT, isTr)   // B is read

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
	tr := x.readTrade(sl, isTr)

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

	// withdrawal and transfer: nonce; withdrawal, transfer and trade: 0 < amount, signature by the old leaf's key
	api.AssertIsEqual(api.Mul(signed, api.Sub(sl.Nonce, l.vals[0])), 0)
	api.AssertIsEqual(api.Mul(aSigned, api.IsZero(sl.Amount)), 0)
	wmsg := hashMD(x.md, TagWithdrawal, sl.Address, packWords(api, []frontend.Variable{sl.AccountID, sl.Nonce, sl.Amount})[0])
	tmsg := hashMD(x.md, append([]frontend.Variable{TagTransfer},
		packWords(api, []frontend.Variable{sl.AccountID, sl.ToAccountID, sl.Nonce, sl.Asset, sl.Amount})...)...)
	omsg := x.orderMsg(sl.AccountID, &sl.Maker, sl.InstrumentID, sl.Ratio)
	x.verifySig(aSigned, select1(api, isW, wmsg, select1(api, isT, tmsg, omsg)), oldPkX, oldPkY, sl.Sig)
	wHash = select1(api, isW, x.h.Compress(wHash, x.h.Compress(sl.Address, sl.Amount)), wHash)

	// A's new words: nonce += 1 (withdrawal, transfer); balance[0] += amount (deposit), -= amount (withdrawal);
	// balance[asset] -= amount (transfer); a trade moves the maker's positions (settling funding into
	// balance[0]) and pays -net*f - makerFee*f
	x.setWord(l, 0, api.Add(l.vals[0], signed))
	l.w[0].AssertNonNegative(api)
	bal0 := x.trade(l, tr, sl.MakerPos, 1)
	bal0 = api.Sub(bal0, api.Mul(isTr, api.Add(tr.netF, api.Mul(sl.Maker.FeePerUnit, sl.Amount))))
	bal0 = x.settleExpiry(l, sl, tr, isSe, bal0)
	for k := 0; k < s.A; k++ {
		delta := api.Mul(isAsset[k], api.Mul(isT, sl.Amount))
		v := l.vals[2+k]
		if k == 0 {
			delta = api.Sub(delta, api.Mul(api.Sub(isDep, isW), sl.Amount))
			v = bal0
		}
		x.setWord(l, 2+k, api.Sub(v, delta))
	}
	x.setQuantities(l)
	l.orders = x.fillOrder(l.orders, &sl.Maker, &sl.MakerFill, sl.Amount, isTr)
	x.effectiveIM(a, l, aSigned)
	root = select1(api, active, x.closeAccount(a, l, accountBits), root)

	// B (transfers and trades): opened against the root after A
	b := &sl.B
	lb := x.openAccount(b, toBits, root, twoParty)
	api.AssertIsEqual(api.Mul(twoParty, b.Empty), 0)
	// transfer: the same owner key, balance[asset] += amount
	api.AssertIsEqual(api.Mul(isT, api.Sub(lb.pkX, oldPkX)), 0)
	api.AssertIsEqual(api.Mul(isT, api.Sub(lb.pkY, oldPkY)), 0)
	// trade: two accounts, the taker's order signed by B's key, the taker's positions and +net*f - takerFee*f
	api.AssertIsEqual(api.Mul(isTr, api.IsZero(api.Sub(sl.AccountID, sl.ToAccountID))), 0)
	negRatio := make([]frontend.Variable, s.L)
	for i := range negRatio {
		negRatio[i] = api.Neg(sl.Ratio[i])
	}
	x.verifySig(isTr, x.orderMsg(sl.ToAccountID, &sl.Taker, sl.InstrumentID, negRatio), lb.pkX, lb.pkY, sl.TakerSig)
	bal0b := x.trade(lb, tr, sl.TakerPos, -1)
	bal0b = api.Add(bal0b, api.Mul(isTr, api.Sub(tr.netF, api.Mul(sl.Taker.FeePerUnit, sl.Amount))))
	for k := 0; k < s.A; k++ {
		v := lb.vals[2+k]
		if k == 0 {
			v = bal0b
		}
		x.setWord(lb, 2+k, api.Add(v, api.Mul(isAsset[k], api.Mul(isT, sl.Amount))))
	}
	x.setQuantities(lb)
	lb.orders = x.fillOrder(lb.orders, &sl.Taker, &sl.TakerFill, sl.Amount, isTr)
	x.effectiveIM(b, lb, isTr)
	root = select1(api, twoParty, x.closeAccount(b, lb, toBits), root)
	x.feeSum = api.Add(x.feeSum, api.Mul(isTr, api.Mul(api.Add(sl.Maker.FeePerUnit, sl.Taker.FeePerUnit), sl.Amount)))
	return root, depHead, wHash
}

// RatioBits: |ratio| <= 2^16, i.e. ratio + 2^16 in [0, 2^17]. OrderIDBits: orderId < 2^62.
const (
	RatioBits   = 16
	OrderIDBits = 62
)

// tradeLegs is what both sides of a trade read: per leg the flag (a used leg of a trade slot), the lots per
// combo unit moved (ratio * f, the maker's sign), the instrument and its funding index; and net * f.
type tradeLegs struct {
	active, delta, inst, funding []frontend.Variable
	netF                         frontend.Variable
	// per leg, the selected row's id, used flag, settled flag and settlement value (read by kind 5 at leg 0)
	rowID, rowUsed, settled, value []frontend.Variable
}

// readTrade range checks the trade fields (unconditionally: a slot of another kind carries words there too,
// 0 by convention, so that the packed trade words are injective) and checks the rules that involve neither
// account: legs (used legs first, an unused leg has instrument 0), each used leg's instrument a row of the
// risk table, net price within both limits, both orders unexpired.
func (x *context) readTrade(sl *Slot, isTr frontend.Variable) *tradeLegs {
	api, s := x.api, x.s
	for _, o := range []*Order{&sl.Maker, &sl.Taker} {
		api.ToBinary(o.OrderID, OrderIDBits)
		api.AssertIsEqual(api.Mul(isTr, api.IsZero(o.OrderID)), 0) // orderId >= 1
		api.ToBinary(o.Expiry, AmountBits)
		api.ToBinary(o.Quantity, AmountBits)
		api.AssertIsEqual(api.Mul(isTr, api.IsZero(o.Quantity)), 0)
		assertWord(api, o.LimitPrice)
		api.ToBinary(o.FeePerUnit, AmountBits)
		// batchTime <= expiry (both < 2^63)
		api.ToBinary(api.Mul(isTr, api.Sub(o.Expiry, x.batchTime)), AmountBits)
	}
	t := &tradeLegs{}
	var net frontend.Variable = 0
	var prev frontend.Variable = 1
	twoR := new(big.Int).Lsh(big.NewInt(1), RatioBits)
	for i := 0; i < s.L; i++ {
		r := sl.Ratio[i]
		// |ratio| <= 2^16: ratio + 2^16 in [0, 2^17] (17 bits give [0, 2^17); 2^17 itself is ratio = 2^16)
		rr := api.Add(r, twoR)
		isMax := api.IsZero(api.Sub(r, twoR))
		api.ToBinary(api.Sub(rr, api.Mul(isMax, 1)), RatioBits+1)
		assertWord(api, sl.Price[i])
		api.ToBinary(sl.InstrumentID[i], s.DI)
		used := api.Mul(isTr, api.Sub(1, api.IsZero(r)))
		if i == 0 {
			api.AssertIsEqual(api.Sub(isTr, used), 0) // a trade's first leg is used
		}
		api.AssertIsEqual(api.Mul(used, api.Sub(1, prev)), 0) // used legs come first
		prev = used
		api.AssertIsEqual(api.Mul(api.Sub(isTr, used), sl.InstrumentID[i]), 0) // an unused leg is (0, 0)
		// the leg's row: one-hot over R, opened, its id the leg's instrument; its funding index
		var hit, id, usedRow, f, settled, value frontend.Variable = 0, 0, 0, 0, 0, 0
		for k := 0; k < s.R; k++ {
			is := api.IsZero(api.Sub(sl.LegRow[i], k))
			hit = api.Add(hit, is)
			id = api.Add(id, api.Mul(is, x.rowIDs[k]))
			usedRow = api.Add(usedRow, api.Mul(is, x.usedRows[k].Used))
			f = api.Add(f, api.Mul(is, x.rows[k].FundingIndex))
			settled = api.Add(settled, api.Mul(is, x.rowSettled[k]))
			value = api.Add(value, api.Mul(is, x.rowValue[k]))
		}
		api.AssertIsEqual(hit, 1) // LegRow in [0, R)
		api.AssertIsEqual(api.Mul(used, api.Sub(usedRow, 1)), 0)
		api.AssertIsEqual(api.Mul(used, api.Sub(id, sl.InstrumentID[i])), 0)
		api.AssertIsEqual(api.Mul(used, settled), 0) // a settled instrument cannot be traded
		// |ratio * price| < 2^16 * 2^63: the net of L <= 8 legs is below 2^82, exact
		net = api.Add(net, api.Mul(r, sl.Price[i]))
		t.active = append(t.active, used)
		t.delta = append(t.delta, api.Mul(used, api.Mul(r, sl.Amount))) // |.| < 2^79
		t.inst = append(t.inst, sl.InstrumentID[i])
		t.funding = append(t.funding, f)
		t.rowID, t.rowUsed = append(t.rowID, id), append(t.rowUsed, usedRow)
		t.settled, t.value = append(t.settled, settled), append(t.value, value)
	}
	// net <= M.limitPrice and -net <= T.limitPrice; |limit - net| < 2^83
	nonnegBits := 84
	api.ToBinary(api.Mul(isTr, api.Sub(sl.Maker.LimitPrice, net)), nonnegBits)
	api.ToBinary(api.Mul(isTr, api.Add(sl.Taker.LimitPrice, net)), nonnegBits)
	t.netF = api.Mul(net, sl.Amount) // |.| < 2^145: exact
	return t
}

// orderMsg is the order message hashMD(1, pack(accountId, orderId, expiry, quantity, limitPrice, feePerUnit,
// instrumentId[0], ratio[0], ..., instrumentId[L-1], ratio[L-1])).
func (x *context) orderMsg(accountID frontend.Variable, o *Order, inst, ratio []frontend.Variable) frontend.Variable {
	w := []frontend.Variable{accountID, o.OrderID, o.Expiry, o.Quantity, o.LimitPrice, o.FeePerUnit}
	for i := range inst {
		w = append(w, inst[i], ratio[i])
	}
	return hashMD(x.md, append([]frontend.Variable{TagOrder}, packWords(x.api, w)...)...)
}

// trade moves the leaf's positions by sign * delta[l] lots per used leg, each in the position slot pos[l]
// names, and returns balance[0] with the funding of every changed position settled:
// balance[0] -= q_old * (fundingIndex - snapshot), then snapshot = fundingIndex. The slot must hold the leg's
// instrument or be free (quantity 0), and no other slot may hold it; a slot whose quantity becomes 0 is
// emptied (instrumentId = 0, snapshot = 0). Quantities are range checked by setQuantities after all legs.
func (x *context) trade(l *leaf, t *tradeLegs, pos []frontend.Variable, sign int) frontend.Variable {
	api, s := x.api, x.s
	bal0 := l.vals[2]
	for i := range t.active {
		act := t.active[i]
		sel := make([]frontend.Variable, s.P)
		var hit, qOld, idOld, snapOld, holders frontend.Variable = 0, 0, 0, 0, 0
		for j := 0; j < s.P; j++ {
			o := 2 + s.A + 3*j
			sel[j] = api.IsZero(api.Sub(pos[i], j))
			hit = api.Add(hit, sel[j])
			qOld = api.Add(qOld, api.Mul(sel[j], l.vals[o+1]))
			idOld = api.Add(idOld, api.Mul(sel[j], l.vals[o]))
			snapOld = api.Add(snapOld, api.Mul(sel[j], l.vals[o+2]))
			holds := api.Mul(api.Sub(1, api.IsZero(l.vals[o+1])), api.IsZero(api.Sub(l.vals[o], t.inst[i])))
			holders = api.Add(holders, holds)
		}
		api.AssertIsEqual(hit, 1) // pos in [0, P), every slot (a word of the data)
		held := api.Sub(1, api.IsZero(qOld))
		// the named slot holds the instrument or is free, and it is the only slot holding the instrument
		api.AssertIsEqual(api.Mul(act, api.Mul(held, api.Sub(idOld, t.inst[i]))), 0)
		api.AssertIsEqual(api.Mul(act, api.Sub(holders, held)), 0)
		// funding: |q_old * (F - snap)| < 2^63 * 2^64
		bal0 = api.Sub(bal0, api.Mul(act, api.Mul(qOld, api.Sub(t.funding[i], snapOld))))
		delta := t.delta[i]
		if sign < 0 {
			delta = api.Neg(delta)
		}
		qNew := api.Add(qOld, delta)
		open := api.Sub(1, api.IsZero(qNew))
		idNew := api.Mul(open, t.inst[i])
		snapNew := api.Mul(open, t.funding[i])
		for j := 0; j < s.P; j++ {
			o := 2 + s.A + 3*j
			w := api.Mul(act, sel[j])
			l.vals[o] = api.Add(l.vals[o], api.Mul(w, api.Sub(idNew, idOld)))
			l.vals[o+1] = api.Add(l.vals[o+1], api.Mul(w, api.Sub(qNew, qOld)))
			l.vals[o+2] = api.Add(l.vals[o+2], api.Mul(w, api.Sub(snapNew, snapOld)))
		}
	}
	return bal0
}

// setQuantities range checks every position quantity to a word and recomputes its sign bit (a trade may have
// changed it; instrument ids and snapshots are only ever set to words: old ones, a leg's instrument < 2^DI,
// a row's funding index, or 0).
func (x *context) setQuantities(l *leaf) {
	for j := 0; j < x.s.P; j++ {
		o := 2 + x.s.A + 3*j
		x.setWord(l, o+1, l.vals[o+1])
	}
}

// emptyOrdersRoot is the root of the empty depth-K order-fill subtree (z_K: z_0 = 0, z_{k+1} = compress(z_k, z_k)).
func emptyOrdersRoot(k int) *big.Int {
	z := encoding.EmptyHashes(k)
	return encoding.ToBig(z[k])
}

// fillOrder applies the order-fill rule of docs/BATCH.md section 1 when flag is 1 and returns the new
// ordersRoot (the old one when flag is 0): the slot orderId mod 2^K holds (OldID, OldFilled) under the old
// root (0 reads as the empty subtree); OldID <= orderId (ORDER_SLOT_TAKEN); filled' = OldFilled + f when the
// ids are equal, else f; filled' <= quantity (OVERFILL).
func (x *context) fillOrder(orders frontend.Variable, o *Order, fw *Fill, f, flag frontend.Variable) frontend.Variable {
	api, s := x.api, x.s
	idBits := api.ToBinary(o.OrderID, OrderIDBits) // also range checked in readTrade; the low K bits index the slot
	api.ToBinary(fw.OldID, OrderIDBits)
	api.ToBinary(fw.OldFilled, AmountBits)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	oldV := api.Add(api.Mul(fw.OldID, two64), fw.OldFilled)
	oldRoot := select1(api, api.IsZero(orders), x.emptyOrders, orders)
	api.AssertIsEqual(api.Mul(flag, api.Sub(merkle.Root(api, x.h, oldV, fw.Path, idBits[:s.K]), oldRoot)), 0)
	api.ToBinary(api.Mul(flag, api.Sub(o.OrderID, fw.OldID)), OrderIDBits) // OldID <= orderId
	same := api.IsZero(api.Sub(o.OrderID, fw.OldID))
	filled := api.Add(f, api.Mul(same, fw.OldFilled)) // < 2^64
	api.ToBinary(api.Mul(flag, api.Sub(o.Quantity, filled)), AmountBits)
	newV := api.Add(api.Mul(o.OrderID, two64), filled)
	return select1(api, flag, merkle.Root(api, x.h, newV, fw.Path, idBits[:s.K]), orders)
}

// creditFees credits the batch's trading fees to account 0's balance[0] after the last slot (one leaf update
// per batch instead of one per trade) and returns the new root. fee.Empty = 1 skips it, allowed only when the
// fees are 0.
func (x *context) creditFees(fee *Account, root frontend.Variable) frontend.Variable {
	api, s := x.api, x.s
	zero := make([]frontend.Variable, s.D)
	for i := range zero {
		zero[i] = 0
	}
	open := api.Sub(1, fee.Empty)
	l := x.openAccount(fee, zero, root, open)
	api.AssertIsEqual(api.Mul(fee.Empty, x.feeSum), 0)
	x.setWord(l, 2, api.Add(l.vals[2], x.feeSum)) // |fees| < N * 2^127: the new balance is range checked
	return select1(api, open, x.closeAccount(fee, l, zero), root)
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
