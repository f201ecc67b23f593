package batchtest

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// ForcedSpec is a forced withdrawal (kinds 8 and 9 of a request slot) as a test builds it. Nothing is checked:
// Kind 8 debits Amount (+ Skew) from the account's quote balance and appends (Requester, Amount) to the
// withdrawal chain unless NoWithdrawal; kind 9 changes nothing unless StateSkew. NonceSkew moves the nonce, EntryKind
// (when non-zero) is the kind tag hashed into the requestsHash entry, EntryAmount / EntryRequester (when
// non-zero) the amount / requester hashed there: a test breaks one rule and keeps the rest of the witness
// consistent with it.
type ForcedSpec struct {
	Kind           int
	Account        uint64
	Requester      *big.Int // an L1 address
	Amount         *big.Int // quote atoms (a *big.Int so that a test can pass 2^63)
	NonceSkew      int64
	StateSkew      int64 // added to the quote balance (0 in a valid batch)
	NoWithdrawal   bool
	EntryKind      int
	EntryAmount    int64
	EntryRequester int64
}

// Forced returns a valid-looking spec of the kind for the account's own l1Address (the owner asks).
func (b *Builder) Forced(kind int, account uint64, amount int64) ForcedSpec {
	req := new(big.Int)
	if l := b.Leaves[account]; l != nil {
		req = encoding.ToBig(l.L1Address)
	}
	return ForcedSpec{Kind: kind, Account: account, Requester: req, Amount: big.NewInt(amount)}
}

// ForcedEntry is the requestsHash entry of a forced withdrawal: compress(accountId + 2^64 * tag,
// compress(requester, amount)), tag 1 paid, 2 refused.
func ForcedEntry(account uint64, tag int, requester, amount *big.Int) fr.Element {
	var id, req, amt fr.Element
	id.SetBigInt(new(big.Int).Add(new(big.Int).SetUint64(account), new(big.Int).Lsh(big.NewInt(int64(tag)), 64)))
	req.SetBigInt(requester)
	amt.SetBigInt(amount)
	return encoding.Compress(id, encoding.Compress(req, amt))
}

// ForcedWithdrawal applies a forced withdrawal natively (no rule checked) and records its request slot. Call it
// after the batch's generic transitions.
func (b *Builder) ForcedWithdrawal(spec ForcedSpec) *Builder {
	s := b.S
	id := spec.Account
	old := b.Leaves[id]
	var na *encoding.Leaf
	if old != nil {
		na = clone(old)
		if spec.Kind == batch.KindForcedPaid {
			na.Balances[0] -= spec.Amount.Int64()
		}
		na.Balances[0] += spec.StateSkew
		na.Nonce += spec.NonceSkew
	}
	ls := batch.LiqSlot{Kind: spec.Kind, AccountID: id, LiquidatorID: 0, Keeper: spec.Requester, Nonce: 0,
		Penalty: spec.Amount, Scenario: 0, TakeLots: zeros(s.P), TakeAtoms: zeros(s.A), LiqPos: zeros(s.P)}
	ls.Sig.R.X, ls.Sig.R.Y, ls.Sig.S = 0, 0, 0
	if old == nil {
		ls.A = b.account(id, nil, &encoding.Leaf{Balances: make([]int64, s.A), Slots: make([]encoding.Slot, s.P)})
	} else {
		// the rows of A's instruments and, for kind 8, its bounds after
		ls.A = b.account(id, old, na)
		b.Leaves[id] = na
		b.tree.Set(id, na.Hash())
	}
	ls.B = b.account(0, b.Leaves[0], b.Leaves[0]) // not read
	b.liqs = append(b.liqs, ls)
	var req, amt fr.Element
	req.SetBigInt(spec.Requester)
	amt.SetBigInt(spec.Amount)
	b.liqData = append(b.liqData, fe(int64(spec.Kind)), fe(int64(id)), fr.Element{}, req, fr.Element{}, amt,
		fr.Element{}, fr.Element{}, fr.Element{}, fr.Element{})
	b.liqData = append(b.liqData, encoding.Pack(make([]int64, s.LiqWordCount()))...)
	if spec.Kind == batch.KindForcedPaid && !spec.NoWithdrawal {
		b.wHash = encoding.Compress(b.wHash, encoding.Compress(req, amt))
	}
	tag := spec.Kind - 7 // 8 -> 1, 9 -> 2
	if spec.EntryKind != 0 {
		tag = spec.EntryKind
	}
	eReq, eAmt := spec.Requester, spec.Amount
	if spec.EntryRequester != 0 {
		eReq = big.NewInt(spec.EntryRequester)
	}
	if spec.EntryAmount != 0 {
		eAmt = big.NewInt(spec.EntryAmount)
	}
	b.reqHash = encoding.Compress(b.reqHash, ForcedEntry(id, tag, eReq, eAmt))
	return b
}
