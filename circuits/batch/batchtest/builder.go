// Package batchtest is a Go reference of the batch rules (docs/BATCH.md), enough to build valid and
// deliberately broken batch witnesses for the tests: it applies each transition to a native state tree
// WITHOUT checking the rules (the circuit is what checks them), so a test can break one rule and keep every
// other part of the witness consistent.
package batchtest

import (
	"math/big"
	"math/rand"
	"sort"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"
	tedwards "github.com/consensys/gnark-crypto/ecc/twistededwards"
	"github.com/consensys/gnark/frontend"
	stdeddsa "github.com/consensys/gnark/std/signature/eddsa"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// DepositEntry is one entry of the on-chain deposit queue (docs/BATCH.md section 3).
type DepositEntry struct {
	AccountID uint64
	Amount    int64
	PkX, PkY  fr.Element // 0, 0 for a plain deposit
	Depositor fr.Element // < 2^160
}

// Hash is hashMD(accountId, amount, pkX, pkY, depositor).
func (e DepositEntry) Hash() fr.Element {
	var id, amt fr.Element
	id.SetUint64(e.AccountID)
	amt.SetInt64(e.Amount)
	return encoding.HashMD(id, amt, e.PkX, e.PkY, e.Depositor)
}

// Builder holds the native state and the slots of one batch.
type Builder struct {
	S         batch.Sizes
	Leaves    map[uint64]*encoding.Leaf
	Keys      map[uint64]*eddsa.PrivateKey
	Entries   map[int64]*encoding.Entry
	Globals   *encoding.Globals
	BatchTime int64
	Queue     []DepositEntry // the contract's queue from the batch's first unconsumed entry
	// Skew is added to what a transfer credits (0 in a valid batch): a test breaks conservation with it,
	// keeping the new root consistent with the skewed state.
	Skew int64
	// FeeSkew is added to what the fee account is credited at the end of the batch (0 in a valid batch).
	FeeSkew  int64
	consumed int
	feeSum   int64
	orders   map[uint64]*encoding.SparseTree // order-fill subtrees (depth K) of accounts that filled
	// liquidation slots (after the generic slots), their data, the fund shares and the requests hash
	liqs    []batch.LiqSlot
	liqData []fr.Element
	fundSum int64
	reqHash fr.Element
	// OpenFund opens the insurance fund at the batch's end even without fund shares (a deleverage needs it;
	// deleverage.go); a test clears it to break that rule.
	OpenFund bool

	tree                      *encoding.SparseTree
	oldRoot, depHeadBefore    fr.Element
	wHash                     fr.Element
	slots                     []batch.Slot
	data                      []fr.Element
	rowOf                     map[int64]int
	rows                      []batch.Row
	instrumentsRoot, riskRoot fr.Element
}

// Key returns a deterministic EdDSA key for a seed.
func Key(seed int64) *eddsa.PrivateKey {
	k, err := eddsa.GenerateKey(rand.New(rand.NewSource(seed)))
	if err != nil {
		panic(err)
	}
	return k
}

func fe(v int64) fr.Element {
	var e fr.Element
	e.SetInt64(v)
	return e
}

// New returns a builder over a small venue: account 0 the fee account, accounts 1 and 2 funded with a
// position each, instruments 1 (a perp) and 2 (a put), and a queue with two deposits (a plain deposit to
// account 1 and a registration of account 3).
func New(s batch.Sizes) *Builder {
	b := &Builder{S: s, Leaves: map[uint64]*encoding.Leaf{}, Keys: map[uint64]*eddsa.PrivateKey{},
		Entries: map[int64]*encoding.Entry{}, BatchTime: 1_700_000_000, rowOf: map[int64]int{}, orders: map[uint64]*encoding.SparseTree{}}
	rep := func(v int64) []int64 {
		out := make([]int64, s.S)
		for i := range out {
			out[i] = v * int64(i%3-1)
		}
		return out
	}
	g := &encoding.Globals{TierFactorPpm: make([]int64, s.T),
		// the venue defaults (Java LiquidationParams.DEFAULT)
		PenaltyPpm: 10_000, InsuranceSharePpm: 500_000, KeeperSharePpm: 100_000, CloseTargetPpm: 1_250_000,
		Cp: make([]int64, s.A), Dp: make([]int64, s.A), C: make([][]int64, s.A)}
	for t := range g.TierFactorPpm {
		g.TierFactorPpm[t] = 1_000_000 + int64(t)*250_000
	}
	for a := 0; a < s.A; a++ {
		g.Cp[a], g.Dp[a], g.C[a] = 1_000_000_000, 1_000_000_000, make([]int64, s.S)
		if a > 0 {
			g.Cp[a], g.Dp[a], g.C[a] = 540_000_000_000, 600_000_000_000, rep(60_000_000_000)
		}
	}
	b.Globals = g
	b.Entries[1] = &encoding.Entry{Mark: 60_000_000, FundingIndex: 1_000, FloorMm: 1, FloorIm: 2, Rmm: rep(-6_000_000), Rim: rep(-9_000_000)}
	b.Entries[2] = &encoding.Entry{Mark: 2_000_000, FundingIndex: 0, FloorMm: 500_000, FloorIm: 750_000, Rmm: rep(-800_000), Rim: rep(-1_200_000)}
	for id := uint64(0); id < 3; id++ {
		k := Key(int64(id) + 1)
		l := &encoding.Leaf{OwnerPkX: k.PublicKey.A.X, OwnerPkY: k.PublicKey.A.Y, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
		l.L1Address.SetUint64(0xabc000 + id)
		b.Leaves[id], b.Keys[id] = l, k
	}
	b.Leaves[1].Balances[0] = 10_000_000_000 // 10,000 quote
	b.Leaves[1].Slots[0] = encoding.Slot{InstrumentID: 1, Quantity: 20, FundingSnapshot: 900}
	b.Leaves[1].Nonce = 4
	b.Leaves[2].Balances[0] = 5_000_000_000
	b.Leaves[2].Slots[0] = encoding.Slot{InstrumentID: 1, Quantity: -20, FundingSnapshot: 900}
	// account 4: a sub-account of account 1's owner (same key), for transfers
	sub := &encoding.Leaf{OwnerPkX: b.Leaves[1].OwnerPkX, OwnerPkY: b.Leaves[1].OwnerPkY, Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
	sub.Balances[0] = 1_000_000
	b.Leaves[4], b.Keys[4] = sub, b.Keys[1]
	k3 := Key(4)
	b.Keys[3] = k3
	b.Queue = []DepositEntry{
		{AccountID: 1, Amount: 1_000_000, Depositor: fe(0xabc001)},
		{AccountID: 3, Amount: 2_000_000_000, PkX: k3.PublicKey.A.X, PkY: k3.PublicKey.A.Y, Depositor: fe(0xdef003)},
	}
	var h fr.Element
	h.SetUint64(777) // the queue's head before the batch (entries consumed by earlier batches)
	b.depHeadBefore = h
	return b
}

// SetDepositHeadBefore sets the queue head the batch starts from (777 by default: entries consumed by earlier
// batches); 0 for a batch that starts at the contract's empty queue (docs/BATCH.md section 3).
func (b *Builder) SetDepositHeadBefore(h fr.Element) *Builder {
	b.depHeadBefore = h
	return b
}

// Start fixes the state and risk roots; call it after adjusting the fixture, before the first transition.
func (b *Builder) Start() *Builder {
	s := b.S
	b.tree = encoding.NewSparseTree(s.D)
	for id, l := range b.Leaves {
		b.tree.Set(id, l.Hash())
	}
	b.oldRoot = b.tree.Root()
	it := encoding.NewSparseTree(s.DI)
	ids := []int64{}
	for id, e := range b.Entries {
		it.Set(uint64(id), e.Hash())
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	b.instrumentsRoot = it.Root()
	b.riskRoot = encoding.RiskRoot(b.instrumentsRoot, b.Globals.Hash())
	b.rows = make([]batch.Row, s.R)
	for r := range b.rows {
		b.rows[r] = batch.Row{Used: 0, ID: 0, Entry: vars(encoding.PackBig(make([]int64, s.EntryWordCount()))), Path: zeros(s.DI)}
	}
	for r, id := range ids {
		b.rowOf[id] = r
		b.rows[r] = batch.Row{Used: 1, ID: id, Entry: vars(encoding.PackBig(b.Entries[id].Words())), Path: vars(bigs(it.Path(uint64(id))))}
	}
	return b
}

func vars(xs []*big.Int) []frontend.Variable {
	out := make([]frontend.Variable, len(xs))
	for i := range xs {
		out[i] = xs[i]
	}
	return out
}

func bigs(xs []fr.Element) []*big.Int {
	out := make([]*big.Int, len(xs))
	for i := range xs {
		out[i] = encoding.ToBig(xs[i])
	}
	return out
}

func zeros(n int) []frontend.Variable {
	out := make([]frontend.Variable, n)
	for i := range out {
		out[i] = 0
	}
	return out
}

// Slot returns slot i for a test to tamper with before Build.
func (b *Builder) Slot(i int) *batch.Slot { return &b.slots[i] }

// account fills the Account of a slot from the old leaf (nil = empty), the path and the new leaf.
func (b *Builder) account(id uint64, old, nw *encoding.Leaf) batch.Account {
	s := b.S
	a := batch.Account{Empty: 0, Path: vars(bigs(b.tree.Path(id))), RowIdx: zeros(s.P), MmBound: 0, ImBound: 0}
	if old == nil {
		old = &encoding.Leaf{Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)}
		a.Empty = 1
	}
	a.PkX, a.PkY = encoding.ToBig(old.OwnerPkX), encoding.ToBig(old.OwnerPkY)
	a.L1Address, a.OrdersRoot = encoding.ToBig(old.L1Address), encoding.ToBig(old.OrdersRoot)
	a.Leaf = vars(encoding.PackBig(old.Words()))
	entries := make([]*encoding.Entry, s.P)
	for j, sl := range nw.Slots {
		if sl.Quantity != 0 {
			a.RowIdx[j] = b.rowOf[sl.InstrumentID]
			entries[j] = b.Entries[sl.InstrumentID]
		}
	}
	if m, err := encoding.ComputeMargin(nw, entries, b.Globals); err == nil {
		a.MmBound, a.ImBound = m.MMcore, m.IMcore
	}
	return a
}

func clone(l *encoding.Leaf) *encoding.Leaf {
	c := *l
	c.Balances = append([]int64(nil), l.Balances...)
	c.Slots = append([]encoding.Slot(nil), l.Slots...)
	return &c
}

func (b *Builder) push(sl batch.Slot, id uint64, nw *encoding.Leaf, data []fr.Element) {
	b.Leaves[id] = nw
	b.tree.Set(id, nw.Hash())
	if sl.B.Leaf == nil { // B unused: any leaf (not checked)
		sl.B = b.account(0, b.Leaves[0], b.Leaves[0])
		sl.ToAccountID, sl.Asset = 0, 0
	}
	if sl.Ratio == nil {
		b.noTrade(&sl)
		data = append(data, b.tradeTail(make([]int64, b.S.TradeWordCount()), [3]fr.Element{})...)
	}
	b.slots = append(b.slots, sl)
	b.data = append(b.data, data...)
}

// noTrade fills the trade fields of a slot of another kind with zeros.
func (b *Builder) noTrade(sl *batch.Slot) {
	s := b.S
	o := batch.Order{OrderID: 0, Expiry: 0, Quantity: 0, LimitPrice: 0, FeePerUnit: 0}
	sl.Maker, sl.Taker = o, o
	sl.TakerSig.R.X, sl.TakerSig.R.Y, sl.TakerSig.S = 0, 0, 0
	sl.InstrumentID, sl.Ratio, sl.Price = zeros(s.L), zeros(s.L), zeros(s.L)
	sl.MakerPos, sl.TakerPos, sl.LegRow = zeros(s.L), zeros(s.L), zeros(s.L)
	sl.MakerFill = batch.Fill{OldID: 0, OldFilled: 0, Path: zeros(s.K)}
	sl.TakerFill = batch.Fill{OldID: 0, OldFilled: 0, Path: zeros(s.K)}
}

// tradeTail is the data a slot appends after its 12 common elements: pack(trade words), taker sig.
func (b *Builder) tradeTail(words []int64, takerSig [3]fr.Element) []fr.Element {
	return append(encoding.Pack(words), takerSig[:]...)
}

func sigParts(sig []byte) (stdeddsa.Signature, [3]fr.Element) {
	var s stdeddsa.Signature
	s.Assign(tedwards.BN254, sig)
	var parts [3]fr.Element
	parts[0].SetBigInt(toBig(s.R.X))
	parts[1].SetBigInt(toBig(s.R.Y))
	parts[2].SetBigInt(toBig(s.S))
	return s, parts
}

func toBig(v frontend.Variable) *big.Int {
	switch x := v.(type) {
	case *big.Int:
		return x
	case big.Int:
		return &x
	case []byte:
		return new(big.Int).SetBytes(x)
	default:
		panic("unexpected variable type")
	}
}

// Deposit consumes the next queue entry: registers the account if its leaf is empty, credits balance[0].
func (b *Builder) Deposit() *Builder {
	e := b.Queue[b.consumed]
	b.consumed++
	return b.DepositEntry(e)
}

// DepositEntry applies a deposit slot with the given entry (a test may pass one that is not the queue's).
func (b *Builder) DepositEntry(e DepositEntry) *Builder {
	old := b.Leaves[e.AccountID]
	var nw *encoding.Leaf
	if old == nil {
		nw = &encoding.Leaf{OwnerPkX: e.PkX, OwnerPkY: e.PkY, L1Address: e.Depositor, Balances: make([]int64, b.S.A), Slots: make([]encoding.Slot, b.S.P)}
	} else {
		nw = clone(old)
	}
	nw.Balances[0] += e.Amount + b.Skew
	sl := batch.Slot{Kind: batch.KindDeposit, AccountID: e.AccountID, Amount: e.Amount, Nonce: 0,
		Address: encoding.ToBig(e.Depositor), PkX: encoding.ToBig(e.PkX), PkY: encoding.ToBig(e.PkY),
		Sig: stdeddsa.Signature{S: 0}}
	sl.Sig.R.X, sl.Sig.R.Y = 0, 0
	sl.A = b.account(e.AccountID, old, nw)
	b.push(sl, e.AccountID, nw, []fr.Element{fe(batch.KindDeposit), fe(int64(e.AccountID)), fe(e.Amount), fe(0), e.Depositor, e.PkX, e.PkY, {}, {}, {}, {}, {}})
	return b
}

// WithdrawalMsg is hashMD(2, l1Address, pack(accountId, nonce, amount)).
func WithdrawalMsg(id uint64, nonce, amount int64, address fr.Element) fr.Element {
	return encoding.HashMD(fe(batch.TagWithdrawal), address, encoding.Pack([]int64{int64(id), nonce, amount})[0])
}

// Sign signs msg with key.
func Sign(key *eddsa.PrivateKey, msg fr.Element) []byte {
	mb := msg.Bytes()
	sig, err := key.Sign(mb[:], poseidon2.NewMerkleDamgardHasher())
	if err != nil {
		panic(err)
	}
	return sig
}

// Withdraw applies a withdrawal of amount quote atoms from account id to address, at the leaf's nonce,
// signed by the account's key.
func (b *Builder) Withdraw(id uint64, amount int64, address int64) *Builder {
	return b.WithdrawWith(id, b.Leaves[id].Nonce, amount, fe(address), b.Keys[id], nil)
}

// WithdrawWith is Withdraw with every part chosen by the test (sig nil = sign with key).
func (b *Builder) WithdrawWith(id uint64, nonce, amount int64, address fr.Element, key *eddsa.PrivateKey, sig []byte) *Builder {
	old := b.Leaves[id]
	nw := clone(old)
	nw.Nonce++
	nw.Balances[0] -= amount
	if sig == nil {
		sig = Sign(key, WithdrawalMsg(id, nonce, amount, address))
	}
	s, parts := sigParts(sig)
	sl := batch.Slot{Kind: batch.KindWithdrawal, AccountID: id, Amount: amount, Nonce: nonce,
		Address: encoding.ToBig(address), PkX: 0, PkY: 0, Sig: s}
	sl.A = b.account(id, old, nw)
	b.push(sl, id, nw, []fr.Element{fe(batch.KindWithdrawal), fe(int64(id)), fe(amount), fe(nonce), address, {}, {}, parts[0], parts[1], parts[2], {}, {}})
	var a fr.Element
	a.SetInt64(amount)
	b.wHash = encoding.Compress(b.wHash, encoding.Compress(address, a))
	return b
}

// TransferMsg is hashMD(3, pack(fromAccountId, toAccountId, nonce, asset, amount)).
func TransferMsg(from, to uint64, nonce, asset, amount int64) fr.Element {
	return encoding.HashMD(append([]fr.Element{fe(batch.TagTransfer)}, encoding.Pack([]int64{int64(from), int64(to), nonce, asset, amount})...)...)
}

// Transfer moves amount atoms of asset from account from to account to, signed by from's key at its nonce.
func (b *Builder) Transfer(from, to uint64, asset, amount int64) *Builder {
	return b.TransferWith(from, to, b.Leaves[from].Nonce, asset, amount, b.Keys[from])
}

// TransferWith is Transfer with the nonce and key chosen by the test.
func (b *Builder) TransferWith(from, to uint64, nonce, asset, amount int64, key *eddsa.PrivateKey) *Builder {
	old := b.Leaves[from]
	nw := clone(old)
	nw.Nonce++
	nw.Balances[asset] -= amount
	s, parts := sigParts(Sign(key, TransferMsg(from, to, nonce, asset, amount)))
	sl := batch.Slot{Kind: batch.KindTransfer, AccountID: from, Amount: amount, Nonce: nonce, Address: 0, PkX: 0, PkY: 0,
		Sig: s, ToAccountID: to, Asset: asset}
	sl.A = b.account(from, old, nw)
	// A's update first, then B against the new root
	b.Leaves[from] = nw
	b.tree.Set(from, nw.Hash())
	oldB := b.Leaves[to]
	nb := &encoding.Leaf{Balances: make([]int64, b.S.A), Slots: make([]encoding.Slot, b.S.P)}
	if oldB != nil {
		nb = clone(oldB)
	}
	nb.Balances[asset] += amount + b.Skew
	sl.B = b.account(to, oldB, nb)
	b.push(sl, to, nb, []fr.Element{fe(batch.KindTransfer), fe(int64(from)), fe(amount), fe(nonce), {}, {}, {}, parts[0], parts[1], parts[2], fe(int64(to)), fe(asset)})
	return b
}

// Build pads the batch with no-ops and returns the full assignment.
func (b *Builder) Build() *batch.Circuit {
	s := b.S
	c := batch.NewCircuit(s)
	for len(b.slots) < s.N {
		sl := batch.Slot{Kind: 0, AccountID: 0, Amount: 0, Nonce: 0, Address: 0, PkX: 0, PkY: 0}
		sl.Sig.R.X, sl.Sig.R.Y, sl.Sig.S = 0, 0, 0
		sl.A = b.account(0, b.Leaves[0], b.Leaves[0])
		sl.B, sl.ToAccountID, sl.Asset = sl.A, 0, 0
		b.noTrade(&sl)
		b.slots = append(b.slots, sl)
		b.data = append(b.data, make([]fr.Element, batch.CommonDataLen)...)
		b.data = append(b.data, b.tradeTail(make([]int64, s.TradeWordCount()), [3]fr.Element{})...)
	}
	// the batch's fees to account 0, once (docs/BATCH.md section 2 "Fees")
	c.Fee = batch.Account{Empty: 1, PkX: 0, PkY: 0, L1Address: 0, OrdersRoot: 0, Leaf: vars(encoding.PackBig(make([]int64, s.LeafWordCount()))),
		Path: zeros(s.D), RowIdx: zeros(s.P), MmBound: 0, ImBound: 0}
	if b.feeSum != 0 || b.FeeSkew != 0 {
		old := b.Leaves[0]
		nw := clone(old)
		nw.Balances[0] += b.feeSum + b.FeeSkew
		c.Fee = b.account(0, old, nw)
		c.Fee.MmBound, c.Fee.ImBound = 0, 0
		b.Leaves[0] = nw
		b.tree.Set(0, nw.Hash())
	}
	// the liquidation slots, padded with no-ops, then the fund's shares after the fee credit
	for len(b.liqs) < s.Q {
		ls := batch.LiqSlot{Kind: 0, AccountID: 0, LiquidatorID: 0, Keeper: 0, Nonce: 0, Penalty: 0, Scenario: 0,
			TakeLots: zeros(s.P), TakeAtoms: zeros(s.A), LiqPos: zeros(s.P)}
		ls.Sig.R.X, ls.Sig.R.Y, ls.Sig.S = 0, 0, 0
		ls.A = b.account(0, b.Leaves[0], b.Leaves[0])
		ls.B = ls.A
		b.liqs = append(b.liqs, ls)
		b.liqData = append(b.liqData, make([]fr.Element, 10)...)
		b.liqData = append(b.liqData, encoding.Pack(make([]int64, s.LiqWordCount()))...)
	}
	c.Fund = batch.Account{Empty: 1, PkX: 0, PkY: 0, L1Address: 0, OrdersRoot: 0, Leaf: vars(encoding.PackBig(make([]int64, s.LeafWordCount()))),
		Path: zeros(s.D), RowIdx: zeros(s.P), MmBound: 0, ImBound: 0}
	if b.fundSum != 0 || b.OpenFund {
		id := uint64(b.Globals.InsuranceFundId)
		old := b.Leaves[id]
		nw := clone(old)
		nw.Balances[0] += b.fundSum
		c.Fund = b.account(id, old, nw)
		c.Fund.MmBound, c.Fund.ImBound, c.Fund.RowIdx = 0, 0, zeros(s.P)
		b.Leaves[id] = nw
		b.tree.Set(id, nw.Hash())
	}
	copy(c.Liquidations, b.liqs)
	c.RequestsHash = encoding.ToBig(b.reqHash)
	copy(c.Slots, b.slots)
	copy(c.Rows, b.rows)
	c.Globals = vars(encoding.PackBig(b.Globals.Words()))
	c.InstrumentsRoot = encoding.ToBig(b.instrumentsRoot)
	head := b.depHeadBefore
	for k := 0; k < b.consumed; k++ {
		head = encoding.Compress(head, b.Queue[k].Hash())
	}
	c.OldRoot, c.NewRoot, c.RiskRoot = encoding.ToBig(b.oldRoot), encoding.ToBig(b.tree.Root()), encoding.ToBig(b.riskRoot)
	c.DepositHeadBefore, c.DepositHeadAfter = encoding.ToBig(b.depHeadBefore), encoding.ToBig(head)
	c.WithdrawalsHash = encoding.ToBig(b.wHash)
	c.DataHash = encoding.ToBig(encoding.HashMD(append(append([]fr.Element(nil), b.data...), b.liqData...)...))
	c.BatchTime = b.BatchTime
	return c
}

// Order is one side of a trade as the test builds it.
type Order struct {
	Account                                           uint64
	OrderID, Expiry, Quantity, LimitPrice, FeePerUnit int64
}

// TradeSpec is a fill between a maker and a taker order. Ratio are the maker's (the taker signs the opposite
// unless TakerRatio is set); nil keys sign with the accounts' keys; nil positions take the ledger's choice
// (the slot holding the instrument, else the first free one).
type TradeSpec struct {
	Maker, Taker         Order
	Inst, Ratio, Price   []int64 // L each
	Fill                 int64
	MakerKey, TakerKey   *eddsa.PrivateKey
	TakerRatio           []int64
	MakerPos, TakerPos   []int
	SkipFunding          bool  // the native state does not settle funding (a test breaks that rule)
	TakerSkew, MakerSkew int64 // added to the taker's / maker's new quote balance (0 in a valid batch)
}

// OrderMsg is hashMD(1, pack(accountId, orderId, expiry, quantity, limitPrice, feePerUnit, (inst, ratio)...)).
func OrderMsg(o Order, inst, ratio []int64) fr.Element {
	w := []int64{int64(o.Account), o.OrderID, o.Expiry, o.Quantity, o.LimitPrice, o.FeePerUnit}
	for l := range inst {
		w = append(w, inst[l], ratio[l])
	}
	return encoding.HashMD(append([]fr.Element{fe(batch.TagOrder)}, encoding.Pack(w)...)...)
}

// SingleLeg returns legs (inst, ratio, price) padded to L.
func (b *Builder) SingleLeg(inst, ratio, price int64) ([]int64, []int64, []int64) {
	i, r, p := make([]int64, b.S.L), make([]int64, b.S.L), make([]int64, b.S.L)
	i[0], r[0], p[0] = inst, ratio, price
	return i, r, p
}

func choosePos(l *encoding.Leaf, inst int64) int {
	for j, s := range l.Slots {
		if s.Quantity != 0 && s.InstrumentID == inst {
			return j
		}
	}
	for j, s := range l.Slots {
		if s.Quantity == 0 {
			return j
		}
	}
	return 0
}

func (b *Builder) ordersTree(id uint64) *encoding.SparseTree {
	t := b.orders[id]
	if t == nil {
		t = encoding.NewSparseTree(b.S.K)
		b.orders[id] = t
	}
	return t
}

// side applies one side of a trade natively: positions (sign = +1 maker, -1 taker), funding, fill subtree.
func (b *Builder) side(l *encoding.Leaf, o Order, spec *TradeSpec, sign int64, pos []int) ([]int, batch.Fill, int64) {
	s := b.S
	chosen := make([]int, s.L)
	for i := 0; i < s.L; i++ {
		if spec.Ratio[i] == 0 {
			continue
		}
		j := 0
		if pos != nil {
			j = pos[i]
		} else {
			j = choosePos(l, spec.Inst[i])
		}
		chosen[i] = j
		f := b.Entries[spec.Inst[i]]
		var funding int64
		if f != nil {
			funding = f.FundingIndex
		}
		sl := &l.Slots[j]
		if !spec.SkipFunding {
			l.Balances[0] -= sl.Quantity * (funding - sl.FundingSnapshot)
		}
		sl.Quantity += sign * spec.Ratio[i] * spec.Fill
		if sl.Quantity == 0 {
			sl.InstrumentID, sl.FundingSnapshot = 0, 0
		} else {
			sl.InstrumentID, sl.FundingSnapshot = spec.Inst[i], funding
		}
	}
	// order-fill slot
	t := b.ordersTree(o.Account)
	k := uint64(o.OrderID) & (1<<uint(s.K) - 1)
	old := encoding.ToBig(t.Leaf(k))
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	oldID, oldFilled := new(big.Int).QuoRem(old, two64, new(big.Int))
	fw := batch.Fill{OldID: oldID, OldFilled: oldFilled, Path: vars(bigs(t.Path(k)))}
	filled := spec.Fill
	if oldID.Int64() == o.OrderID {
		filled += oldFilled.Int64()
	}
	nv := new(big.Int).Add(new(big.Int).Mul(big.NewInt(o.OrderID), two64), big.NewInt(filled))
	t.Set(k, encoding.FromBig(nv))
	l.OrdersRoot = t.Root()
	return chosen, fw, filled
}

// Trade applies a fill natively (no rule checked) and records its slot.
func (b *Builder) Trade(spec TradeSpec) *Builder {
	s := b.S
	m, t := spec.Maker.Account, spec.Taker.Account
	mk, tk := spec.MakerKey, spec.TakerKey
	if mk == nil {
		mk = b.Keys[m]
	}
	if tk == nil {
		tk = b.Keys[t]
	}
	tr := spec.TakerRatio
	if tr == nil {
		tr = make([]int64, s.L)
		for i := range tr {
			tr[i] = -spec.Ratio[i]
		}
	}
	mt, tt := spec.Maker, spec.Taker
	mSig, mParts := sigParts(Sign(mk, OrderMsg(mt, spec.Inst, spec.Ratio)))
	tSig, tParts := sigParts(Sign(tk, OrderMsg(tt, spec.Inst, tr)))
	var net int64
	for i := range spec.Ratio {
		net += spec.Ratio[i] * spec.Price[i]
	}
	f := spec.Fill

	oldM := b.Leaves[m]
	nm := clone(oldM)
	mPos, mFill, _ := b.side(nm, mt, &spec, 1, spec.MakerPos)
	nm.Balances[0] += -net*f - mt.FeePerUnit*f + spec.MakerSkew
	sl := batch.Slot{Kind: batch.KindTrade, AccountID: m, Amount: f, Nonce: 0, Address: 0, PkX: 0, PkY: 0,
		Sig: mSig, ToAccountID: t, Asset: 0, TakerSig: tSig}
	sl.A = b.account(m, oldM, nm)
	b.Leaves[m] = nm
	b.tree.Set(m, nm.Hash())
	oldT := b.Leaves[t]
	nt := clone(oldT)
	tPos, tFill, _ := b.side(nt, tt, &spec, -1, spec.TakerPos)
	nt.Balances[0] += net*f - tt.FeePerUnit*f + spec.TakerSkew
	sl.B = b.account(t, oldT, nt)
	b.feeSum += (mt.FeePerUnit + tt.FeePerUnit) * f

	sl.Maker = batch.Order{OrderID: mt.OrderID, Expiry: mt.Expiry, Quantity: mt.Quantity, LimitPrice: mt.LimitPrice, FeePerUnit: mt.FeePerUnit}
	sl.Taker = batch.Order{OrderID: tt.OrderID, Expiry: tt.Expiry, Quantity: tt.Quantity, LimitPrice: tt.LimitPrice, FeePerUnit: tt.FeePerUnit}
	sl.MakerFill, sl.TakerFill = mFill, tFill
	words := []int64{mt.OrderID, mt.Expiry, mt.Quantity, mt.LimitPrice, mt.FeePerUnit, tt.OrderID, tt.Expiry, tt.Quantity, tt.LimitPrice, tt.FeePerUnit}
	sl.InstrumentID, sl.Ratio, sl.Price = make([]frontend.Variable, s.L), make([]frontend.Variable, s.L), make([]frontend.Variable, s.L)
	sl.MakerPos, sl.TakerPos, sl.LegRow = make([]frontend.Variable, s.L), make([]frontend.Variable, s.L), make([]frontend.Variable, s.L)
	for i := 0; i < s.L; i++ {
		sl.InstrumentID[i], sl.Ratio[i], sl.Price[i] = spec.Inst[i], spec.Ratio[i], spec.Price[i]
		sl.MakerPos[i], sl.TakerPos[i] = mPos[i], tPos[i]
		sl.LegRow[i] = b.rowOf[spec.Inst[i]]
		words = append(words, spec.Inst[i], spec.Ratio[i], spec.Price[i], int64(mPos[i]), int64(tPos[i]))
	}
	data := []fr.Element{fe(batch.KindTrade), fe(int64(m)), fe(f), {}, {}, {}, {}, mParts[0], mParts[1], mParts[2], fe(int64(t)), {}}
	data = append(data, b.tradeTail(words, tParts)...)
	b.push(sl, t, nt, data)
	return b
}

// SlotOf returns a position slot.
func SlotOf(inst, qty, snapshot int64) encoding.Slot {
	return encoding.Slot{InstrumentID: inst, Quantity: qty, FundingSnapshot: snapshot}
}

// LiqSpec is a liquidation (docs/LIQUIDATION.md section 8) as a test builds it. nil LiqPos takes the ledger's
// choice (B's slot holding the instrument, else the first free one); Scenario < 0 takes the first scenario
// that breaks maintenance (S when only the floor does); nil Key signs with the liquidator's key; Nonce < 0
// uses the liquidator's leaf nonce. The skews break one rule while the rest of the witness stays consistent.
type LiqSpec struct {
	Account, Liquidator  uint64
	Keeper               int64   // an L1 address, 0 = none
	TakeLots             []int64 // P
	TakeAtoms            []int64 // A
	Penalty              int64
	Scenario             int
	LiqPos               []int
	Key                  *eddsa.PrivateKey
	Nonce                int64
	FundSkew, KeeperSkew int64 // added to the fund's / the keeper's share (0 in a valid batch)
	SignedPenalty        int64 // if non-zero, the penalty the liquidator signs (a test breaks the signature)
}

// Liq returns a spec with the defaults (ledger's slots, first breaking scenario, the leaf's nonce).
func (b *Builder) Liq(account, liquidator uint64, takeLots, takeAtoms []int64, penalty int64) LiqSpec {
	return LiqSpec{Account: account, Liquidator: liquidator, TakeLots: takeLots, TakeAtoms: takeAtoms, Penalty: penalty,
		Scenario: -1, Nonce: -1}
}

// LiquidationMsg is hashMD(4, riskRoot, keeper, pack(accountId, liquidatorId, nonce, penalty, takeLots..., takeAtoms...)).
func LiquidationMsg(riskRoot fr.Element, keeper int64, account, liquidator uint64, nonce, penalty int64, takeLots, takeAtoms []int64) fr.Element {
	w := []int64{int64(account), int64(liquidator), nonce, penalty}
	w = append(w, takeLots...)
	w = append(w, takeAtoms...)
	return encoding.HashMD(append([]fr.Element{fe(batch.TagLiquidation), riskRoot, fe(keeper)}, encoding.Pack(w)...)...)
}

func (b *Builder) entriesOf(l *encoding.Leaf) []*encoding.Entry {
	out := make([]*encoding.Entry, len(l.Slots))
	for j, sl := range l.Slots {
		if sl.Quantity != 0 {
			out[j] = b.Entries[sl.InstrumentID]
		}
	}
	return out
}

// BreakingScenario is the first scenario s with (L[s] + floor) * tierFactor > E * 10^6 for the account now, S when
// only the floor breaks maintenance, -1 when the account is not liquidatable.
func (b *Builder) BreakingScenario(id uint64) int {
	l := b.Leaves[id]
	m, err := encoding.ComputeMargin(l, b.entriesOf(l), b.Globals)
	if err != nil {
		panic(err)
	}
	tf := big.NewInt(b.Globals.TierFactorPpm[l.Tier])
	e6 := new(big.Int).Mul(m.E, big.NewInt(1_000_000))
	floor := new(big.Int).Sub(new(big.Int).Quo(m.MM, tf), m.MMcore)
	for s, L := range m.L {
		if new(big.Int).Mul(new(big.Int).Add(L, floor), tf).Cmp(e6) > 0 {
			return s
		}
	}
	if new(big.Int).Mul(floor, tf).Cmp(e6) > 0 {
		return len(m.L)
	}
	return -1
}

// Liquidate applies a liquidation natively (no rule checked) and records its slot. Call it after the batch's
// generic transitions (liquidation slots follow them).
func (b *Builder) Liquidate(spec LiqSpec) *Builder {
	s := b.S
	aID, bID := spec.Account, spec.Liquidator
	scen := spec.Scenario
	if scen < 0 {
		scen = b.BreakingScenario(aID)
		if scen < 0 {
			scen = s.S // a healthy account: the test expects the proof to fail
		}
	}
	nonce := spec.Nonce
	if nonce < 0 {
		nonce = b.Leaves[bID].Nonce
	}
	key := spec.Key
	if key == nil {
		key = b.Keys[bID]
	}
	signedPenalty := spec.Penalty
	if spec.SignedPenalty != 0 {
		signedPenalty = spec.SignedPenalty
	}
	sig, parts := sigParts(Sign(key, LiquidationMsg(b.riskRoot, spec.Keeper, aID, bID, nonce, signedPenalty, spec.TakeLots, spec.TakeAtoms)))

	oldA := b.Leaves[aID]
	na := clone(oldA)
	oldB := b.Leaves[bID]
	nb := clone(oldB)
	rowIdxA := zeros(s.P)
	liqPos := make([]int, s.P)
	for j := 0; j < s.P; j++ {
		if oldA.Slots[j].Quantity != 0 {
			rowIdxA[j] = b.rowOf[oldA.Slots[j].InstrumentID]
		}
		t := spec.TakeLots[j]
		if t == 0 {
			continue
		}
		inst := oldA.Slots[j].InstrumentID
		e := b.Entries[inst]
		if e == nil { // a take from an empty slot (a test breaking that rule)
			e = &encoding.Entry{}
		}
		settleTake(na, j, -t, e)
		na.Balances[0] += t * e.Mark
		p := choosePos(nb, inst)
		if spec.LiqPos != nil {
			p = spec.LiqPos[j]
		}
		liqPos[j] = p
		if nb.Slots[p].Quantity == 0 {
			nb.Slots[p].InstrumentID = inst
		}
		settleTake(nb, p, t, e)
		nb.Balances[0] -= t * e.Mark
	}
	for k := 1; k < s.A; k++ {
		c := spec.TakeAtoms[k]
		p := new(big.Int).Mul(big.NewInt(c), big.NewInt(b.Globals.Dp[k]))
		p.Quo(p, encoding.Nano)
		na.Balances[k] -= c
		na.Balances[0] += p.Int64()
		nb.Balances[k] += c
		nb.Balances[0] -= p.Int64()
	}
	g := b.Globals
	fundShare := spec.Penalty*g.InsuranceSharePpm/1_000_000 + spec.FundSkew
	var keeperShare int64
	if spec.Keeper != 0 {
		keeperShare = new(big.Int).Quo(new(big.Int).Mul(big.NewInt(spec.Penalty), big.NewInt(g.KeeperSharePpm)), big.NewInt(1_000_000)).Int64()
	}
	keeperShare += spec.KeeperSkew
	na.Balances[0] -= spec.Penalty
	nb.Balances[0] += spec.Penalty - fundShare - keeperShare
	nb.Nonce++

	ls := batch.LiqSlot{Kind: batch.KindLiquidation, AccountID: aID, LiquidatorID: bID, Keeper: spec.Keeper, Nonce: nonce,
		Penalty: spec.Penalty, Scenario: scen, TakeLots: make([]frontend.Variable, s.P), TakeAtoms: make([]frontend.Variable, s.A),
		LiqPos: make([]frontend.Variable, s.P), Sig: sig}
	words := []int64{}
	for j := 0; j < s.P; j++ {
		ls.TakeLots[j], ls.LiqPos[j] = spec.TakeLots[j], liqPos[j]
	}
	for k := 0; k < s.A; k++ {
		ls.TakeAtoms[k] = spec.TakeAtoms[k]
	}
	words = append(words, spec.TakeLots...)
	words = append(words, spec.TakeAtoms...)
	for j := 0; j < s.P; j++ {
		words = append(words, int64(liqPos[j]))
	}
	ls.A = b.account(aID, oldA, na)
	ls.A.RowIdx = rowIdxA // the rows of A's old instruments (the same after the takes)
	b.Leaves[aID] = na
	b.tree.Set(aID, na.Hash())
	ls.B = b.account(bID, oldB, nb)
	b.Leaves[bID] = nb
	b.tree.Set(bID, nb.Hash())
	b.liqs = append(b.liqs, ls)
	b.liqData = append(b.liqData, fe(batch.KindLiquidation), fe(int64(aID)), fe(int64(bID)), fe(spec.Keeper), fe(nonce),
		fe(spec.Penalty), fe(int64(scen)), parts[0], parts[1], parts[2])
	b.liqData = append(b.liqData, encoding.Pack(words)...)
	b.fundSum += fundShare
	if spec.Keeper != 0 {
		b.wHash = encoding.Compress(b.wHash, encoding.Compress(fe(spec.Keeper), fe(keeperShare)))
	}
	b.reqHash = encoding.Compress(b.reqHash, encoding.Compress(fe(int64(aID)), fe(spec.Keeper)))
	return b
}

// AbsorbLoss records a liquidation slot of kind 7 (docs/LIQUIDATION.md section 3) natively, no rule checked:
// account id's quote balance becomes 0 and the payer (the insurance fund in a valid batch) pays it. Call it after
// the batch's generic transitions.
func (b *Builder) AbsorbLoss(id, payer uint64) *Builder {
	s := b.S
	old := b.Leaves[id]
	na := clone(old)
	loss := na.Balances[0]
	na.Balances[0] = 0
	ls := batch.LiqSlot{Kind: batch.KindAbsorbLoss, AccountID: id, LiquidatorID: payer, Keeper: 0, Nonce: 0, Penalty: 0,
		Scenario: 0, TakeLots: zeros(s.P), TakeAtoms: zeros(s.A), LiqPos: zeros(s.P)}
	ls.Sig.R.X, ls.Sig.R.Y, ls.Sig.S = 0, 0, 0
	ls.A = b.account(id, old, na)
	b.Leaves[id] = na
	b.tree.Set(id, na.Hash())
	oldF := b.Leaves[payer]
	nf := clone(oldF)
	nf.Balances[0] += loss
	ls.B = b.account(payer, oldF, nf)
	b.Leaves[payer] = nf
	b.tree.Set(payer, nf.Hash())
	b.liqs = append(b.liqs, ls)
	b.liqData = append(b.liqData, fe(batch.KindAbsorbLoss), fe(int64(id)), fe(int64(payer)), fr.Element{}, fr.Element{},
		fr.Element{}, fr.Element{}, fr.Element{}, fr.Element{}, fr.Element{})
	b.liqData = append(b.liqData, encoding.Pack(make([]int64, s.LiqWordCount()))...)
	return b
}

// settleTake moves a take of delta lots through position slot j of a leaf as a trade leg at the entry's
// mark does: funding settled into the quote balance first, the slot emptied at quantity 0 (the liquidation
// and deleverage slots' takes, on both sides).
func settleTake(l *encoding.Leaf, j int, delta int64, e *encoding.Entry) {
	sl := &l.Slots[j]
	l.Balances[0] -= sl.Quantity * (e.FundingIndex - sl.FundingSnapshot)
	sl.Quantity += delta
	if sl.Quantity == 0 {
		sl.InstrumentID, sl.FundingSnapshot = 0, 0
	} else {
		sl.FundingSnapshot = e.FundingIndex
	}
}
