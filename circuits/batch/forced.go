package batch

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// Forced withdrawals in the request slots (the Q slots after the generic ones, LiqSlot; docs/LIQUIDATION.md
// section 12). An on-chain requestForcedWithdrawal(account, amount) by an L1 address is answered
// by one request slot, paid or refused, and the slot's requestsHash entry lets the contract clear exactly the
// request the proof answered:
//   - KindForcedPaid: A (AccountID) registered, the requester (the slot's Keeper field, < 2^160, non-zero) is A's
//     leaf l1Address, the amount (the slot's Penalty field) in [1, 2^63); A's quote balance -= amount and A meets
//     effective IM after; no signature (the on-chain request by the leaf's L1 address authorises it), A's nonce
//     unchanged; (requester, amount) is appended to the withdrawal chain at the slot's place;
//   - KindForcedRefused: no state change and one proven reason, picked by the circuit, not the prover: when the
//     requester is not A's owner (A's leaf is empty, or the requester is 0 or not the leaf's l1Address) that is the
//     reason; else A after withdrawing amount does not meet effective IM (proven as the close factor's "does not
//     meet" with the IM target), or its quote balance would leave the word range (below -2^63).
//
// The slot's other fields are not read (the ledger writes 0): each is range checked as for a liquidation, so
// dataHash stays injective.
const (
	KindForcedPaid    = 8
	KindForcedRefused = 9
)

// forced is what a request slot knows about its forced-withdrawal kinds.
type forced struct {
	paid, refused frontend.Variable // the kind flags
	refusedIM     frontend.Variable // refused, A's owner asked: the reason is the IM check (or the word range)
	refusedIMWord frontend.Variable // refusedIM with the balance after a word: proven by "does not meet"
	debit         frontend.Variable // what A's quote balance loses in the evaluated "after" state
}

// forcedKinds returns the kind flags of a request slot (paid, refused).
func (x *context) forcedKinds(sl *LiqSlot) *forced {
	api := x.api
	return &forced{paid: api.IsZero(api.Sub(sl.Kind, KindForcedPaid)), refused: api.IsZero(api.Sub(sl.Kind, KindForcedRefused))}
}

// any is 1 for kinds 8 and 9.
func (f *forced) any(api frontend.API) frontend.Variable { return api.Add(f.paid, f.refused) }

// evaluates is 1 when the slot evaluates A's margin after the withdrawal (paid, or refused by the IM check).
func (f *forced) evaluates(api frontend.API) frontend.Variable { return api.Add(f.paid, f.refusedIM) }

// forcedRules asserts, on A's old leaf l (opened), the ownership and amount rules of kinds 8 and 9 and fills in
// the refusal's reason and the debit of A's evaluated "after" state. oldBal0 is A's quote balance (a word).
func (x *context) forcedRules(f *forced, sl *LiqSlot, a *Account, l *leaf, oldBal0 frontend.Variable) {
	api := x.api
	any := f.any(api)
	// amount in [1, 2^63) (range checked to 63 bits where the slot's Penalty enters)
	api.AssertIsEqual(api.Mul(any, api.IsZero(sl.Penalty)), 0)
	// the owner asks: A registered, the requester non-zero and A's l1Address (bound by the state root)
	owner := api.Mul(api.Sub(1, a.Empty), api.Mul(api.IsZero(api.Sub(sl.Keeper, l.l1)), api.Sub(1, api.IsZero(sl.Keeper))))
	api.AssertIsEqual(api.Mul(f.paid, api.Sub(1, owner)), 0) // NOT_OWNER / UNKNOWN_ACCOUNT: only the owner is paid
	f.refusedIM = api.Mul(f.refused, owner)
	// out of the word range after: balance - amount < -2^63, i.e. bits 63 and 64 of balance - amount + 2^64 are 0
	// (balance a word, amount < 2^63: the value is in (0, 2^64 + 2^63), always 65 bits)
	bits := api.ToBinary(api.Add(api.Sub(oldBal0, sl.Penalty), new(big.Int).Lsh(big.NewInt(1), 64)), 65)
	below := api.Mul(api.Sub(1, bits[63]), api.Sub(1, bits[64]))
	f.refusedIMWord = api.Mul(f.refusedIM, api.Sub(1, below))
	// paid: the new balance (range checked to a word by setWord, so a paid withdrawal never goes below -2^63);
	// refused by IM: the state that does not meet effective IM (nothing is written)
	f.debit = api.Mul(api.Add(f.paid, f.refusedIMWord), sl.Penalty)
}

// forcedEntries returns the slot's requestsHash (kind 6: compress(accountId, keeper); kind 8 / 9:
// compress(accountId + 2^64 * (1 | 2), compress(requester, amount)); kinds 0, 7: nothing) and withdrawal hash
// (kind 6 with a keeper: (keeper, keeperShare); kind 8: (requester, amount)) after the slot.
func (x *context) forcedEntries(f *forced, sl *LiqSlot, active, hasKeeper, keeperShare, wHash, reqHash frontend.Variable) (frontend.Variable, frontend.Variable) {
	api, h := x.api, x.h
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	any := f.any(api)
	tag := api.Add(sl.AccountID, api.Mul(api.Add(f.paid, api.Mul(2, f.refused)), two64)) // accountId < 2^D <= 2^64
	e := select1(api, any, h.Compress(tag, h.Compress(sl.Keeper, sl.Penalty)), h.Compress(sl.AccountID, sl.Keeper))
	reqHash = select1(api, api.Add(active, any), h.Compress(reqHash, e), reqHash)
	amt := select1(api, f.paid, sl.Penalty, keeperShare)
	wHash = select1(api, api.Add(api.Mul(active, hasKeeper), f.paid), h.Compress(wHash, h.Compress(sl.Keeper, amt)), wHash)
	return wHash, reqHash
}
