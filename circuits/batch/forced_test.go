package batch_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// The forced-withdrawal fixture is account 1 of batchtest.New: l1Address 0xabc001, 10,000 quote, long 20 perps.
// maxForced is the largest amount it can withdraw and still meet effective IM (found with the Go reference
// model), so maxForced + 1 is the first amount a forced withdrawal must refuse.
const (
	fwAccount = 1
	fwOwner   = 0xabc001
	fwAmount  = 1_000_000
)

// meetsIM is E * 10^6 >= max(IM, MM) for the leaf (the reference model).
func meetsIM(b *batchtest.Builder, l *encoding.Leaf) bool {
	entries := make([]*encoding.Entry, len(l.Slots))
	for j, sl := range l.Slots {
		if sl.Quantity != 0 {
			entries[j] = b.Entries[sl.InstrumentID]
		}
	}
	m, err := encoding.ComputeMargin(l, entries, b.Globals)
	if err != nil {
		panic(err)
	}
	mx := m.IM
	if m.MM.Cmp(mx) > 0 {
		mx = m.MM
	}
	return new(big.Int).Mul(m.E, big.NewInt(1_000_000)).Cmp(mx) >= 0
}

// maxForced is the largest quote amount the account can withdraw and still meet effective IM (binary search).
func maxForced(b *batchtest.Builder, id uint64) int64 {
	l := b.Leaves[id]
	try := func(amount int64) bool {
		c := *l
		c.Balances = append([]int64(nil), l.Balances...)
		c.Balances[0] -= amount
		return meetsIM(b, &c)
	}
	lo, hi := int64(0), int64(1)<<62 // try(lo), !try(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if try(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

func fwStart() *batchtest.Builder { return batchtest.New(batch.TestSizes).Start() }

// TestValidForcedWithdrawalsSolve: a paid forced withdrawal (after a trade, so the fee account is credited too) and
// a refusal for each reason, each solving in the test engine and in the compiled R1CS.
func TestValidForcedWithdrawalsSolve(t *testing.T) {
	t.Run("paidAfterTrade", func(t *testing.T) {
		b := fwStart()
		c := b.Trade(sell5(b)).ForcedWithdrawal(b.Forced(batch.KindForcedPaid, fwAccount, fwAmount)).Build()
		solvesR1CS(t, c)
	})
	t.Run("paidExactlyToIM", func(t *testing.T) {
		b := fwStart()
		m := maxForced(b, fwAccount)
		if m <= fwAmount {
			t.Fatalf("fixture: max forced withdrawal %d", m)
		}
		solvesR1CS(t, b.ForcedWithdrawal(b.Forced(batch.KindForcedPaid, fwAccount, m)).Build())
	})
	t.Run("refusedNotOwner", func(t *testing.T) {
		b := fwStart()
		sp := b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)
		sp.Requester = big.NewInt(0xdead)
		solvesR1CS(t, b.ForcedWithdrawal(sp).Build())
	})
	t.Run("refusedUnregistered", func(t *testing.T) {
		b := fwStart()
		sp := b.Forced(batch.KindForcedRefused, 7, fwAmount)
		sp.Requester = big.NewInt(0xabc007)
		solvesR1CS(t, b.ForcedWithdrawal(sp).Build())
	})
	t.Run("refusedNoL1Address", func(t *testing.T) { // account 4 has no l1Address: requester 0 is nobody
		b := fwStart()
		solvesR1CS(t, b.ForcedWithdrawal(b.Forced(batch.KindForcedRefused, 4, 1)).Build())
	})
	t.Run("refusedIM", func(t *testing.T) {
		b := fwStart()
		solvesR1CS(t, b.ForcedWithdrawal(b.Forced(batch.KindForcedRefused, fwAccount, maxForced(b, fwAccount)+1)).Build())
	})
	t.Run("refusedBelowWordRange", func(t *testing.T) { // the liquidation fixture's debt: balance - (2^63 - 1) < -2^63
		b := liqStart(liqDebt)
		sp := b.Forced(batch.KindForcedRefused, liqAccount, 0)
		sp.Amount = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 63), big.NewInt(1))
		solvesR1CS(t, b.ForcedWithdrawal(sp).Build())
	})
}

// TestForcedWithdrawalRules: each witness breaks one rule of kinds 8 and 9 (docs/LIQUIDATION.md section 12) and
// fails to prove.
func TestForcedWithdrawalRules(t *testing.T) {
	paid := func(mut func(b *batchtest.Builder, sp *batchtest.ForcedSpec)) func() *batch.Circuit {
		return func() *batch.Circuit {
			b := fwStart()
			sp := b.Forced(batch.KindForcedPaid, fwAccount, fwAmount)
			mut(b, &sp)
			return b.ForcedWithdrawal(sp).Build()
		}
	}
	refused := func(mut func(b *batchtest.Builder, sp *batchtest.ForcedSpec)) func() *batch.Circuit {
		return func() *batch.Circuit {
			b := fwStart()
			sp := b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)
			sp.Requester = big.NewInt(0xdead)
			mut(b, &sp)
			return b.ForcedWithdrawal(sp).Build()
		}
	}
	cases := map[string]func() *batch.Circuit{
		"paidToNotOwner": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.Requester = big.NewInt(0xdead) }),
		"paidFromUnregistered": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.Account, sp.Requester = 7, big.NewInt(0xabc007)
		}),
		"paidToZeroAddressOfAccountWithout": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.Account, sp.Requester = 4, big.NewInt(0) // account 4's l1Address is 0 (none)
		}),
		"paidAmountZero": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.Amount = big.NewInt(0) }),
		"paidAmount2^63": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.Amount = new(big.Int).Lsh(big.NewInt(1), 63)
		}),
		"paidUnderIM": paid(func(b *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.Amount = big.NewInt(maxForced(b, fwAccount) + 1)
		}),
		"paidNonceChanged":       paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.NonceSkew = 1 }),
		"paidDebitOneAtomLess":   paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.StateSkew = 1 }),
		"paidEntryTaggedRefused": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.EntryKind = 2 }),
		"paidEntryWrongAmount":   paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.EntryAmount = fwAmount + 1 }),
		"paidEntryWrongRequester": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.EntryRequester = 0xabc002
		}),
		"paidWithdrawalMissing": paid(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.NoWithdrawal = true }),
		"refusedStateChanged":   refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.StateSkew = -fwAmount }),
		"refusedNonceChanged":   refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.NonceSkew = 1 }),
		"refusedOwnerIMHolds": refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.Requester = big.NewInt(fwOwner)
		}),
		"refusedOwnerAtExactIM": refused(func(b *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.Requester, sp.Amount = big.NewInt(fwOwner), big.NewInt(maxForced(b, fwAccount))
		}),
		"refusedAmountZero":       refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.Amount = big.NewInt(0) }),
		"refusedEntryTaggedPaid":  refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.EntryKind = 1 }),
		"refusedEntryWrongAmount": refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) { sp.EntryAmount = 7 }),
		"refusedEntryWrongRequester": refused(func(_ *batchtest.Builder, sp *batchtest.ForcedSpec) {
			sp.EntryRequester = fwOwner
		}),
		"refusedEntryAsLiquidation": func() *batch.Circuit { // the kind-6 entry compress(accountId, requester)
			b := fwStart()
			sp := b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)
			sp.Requester = big.NewInt(0xdead)
			c := b.ForcedWithdrawal(sp).Build()
			c.RequestsHash = encoding.ToBig(encoding.Compress(fe(0), encoding.Compress(fe(fwAccount), fe(0xdead))))
			return c
		},
		"refusedWithdrawalListed": func() *batch.Circuit {
			b := fwStart()
			sp := b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)
			sp.Requester = big.NewInt(0xdead)
			c := b.ForcedWithdrawal(sp).Build()
			c.WithdrawalsHash = encoding.ToBig(encoding.Compress(fe(0), encoding.Compress(fe(0xdead), fe(fwAmount))))
			return c
		},
		// the owner asks and IM holds: claiming another l1Address, or the empty leaf, in A's witness must fail (both
		// are bound by the state root), so the "not the owner" reason cannot be faked
		"refusedByAddressClaimingAnotherL1": func() *batch.Circuit {
			b := fwStart()
			c := b.ForcedWithdrawal(b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)).Build()
			c.Liquidations[0].A.L1Address = 0xdead
			return c
		},
		"refusedClaimingEmptyLeaf": func() *batch.Circuit {
			b := fwStart()
			c := b.ForcedWithdrawal(b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)).Build()
			c.Liquidations[0].A.Empty = 1
			return c
		},
		"paidReadAsRefused": func() *batch.Circuit { // the data says kind 9 but the state moved
			b := fwStart()
			c := b.ForcedWithdrawal(b.Forced(batch.KindForcedPaid, fwAccount, fwAmount)).Build()
			c.Liquidations[0].Kind = batch.KindForcedRefused
			return c
		},
		"forcedKindInGenericSlot": func() *batch.Circuit {
			c := fwStart().Deposit().Build()
			c.Slots[1].Kind = batch.KindForcedPaid
			return c
		},
		"requester2^160": func() *batch.Circuit {
			b := fwStart()
			sp := b.Forced(batch.KindForcedRefused, fwAccount, fwAmount)
			sp.Requester = new(big.Int).Lsh(big.NewInt(1), 160)
			return b.ForcedWithdrawal(sp).Build()
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}

// TestProductionForcedSolves: at production sizes (N = 1, Q = 2: the bounds of checkLiqBounds, P = 8, A = 4,
// S = 16) a paid forced withdrawal and an IM refusal solve in the test engine.
func TestProductionForcedSolves(t *testing.T) {
	if testing.Short() {
		t.Skip("production-size test engine run")
	}
	s := batch.ProductionSizes
	s.N, s.Q = 1, 2
	b := batchtest.New(s).Start()
	b.ForcedWithdrawal(b.Forced(batch.KindForcedPaid, fwAccount, fwAmount))
	b.ForcedWithdrawal(b.Forced(batch.KindForcedRefused, fwAccount, maxForced(b, fwAccount)+1))
	if err := test.IsSolved(batch.NewCircuit(s), b.Build(), ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
}
