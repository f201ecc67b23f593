package batch_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
)

var opts = []test.TestingOption{test.WithCurves(ecc.BN254), test.WithBackends(backend.GROTH16)}

func fe(v int64) fr.Element {
	var e fr.Element
	e.SetInt64(v)
	return e
}

func start() *batchtest.Builder { return batchtest.New(batch.TestSizes).Start() }

var (
	compileOnce sync.Once
	testCS      constraint.ConstraintSystem
)

// fails asserts that the witness does not prove: gnark's test engine refuses it and so does the solver of the
// compiled R1CS (compiled once for all cases: ProverFailed would compile the circuit again for every case).
func fails(t *testing.T, c *batch.Circuit) {
	t.Helper()
	compileOnce.Do(func() {
		var err error
		if testCS, err = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, batch.NewCircuit(batch.TestSizes)); err != nil {
			panic(err)
		}
	})
	err := test.IsSolved(batch.NewCircuit(batch.TestSizes), c, ecc.BN254.ScalarField())
	if err == nil {
		t.Fatal("the test engine accepts a witness that breaks a rule")
	}
	t.Logf("refused: %.400s", strings.ReplaceAll(err.Error(), "\n", " | "))
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		return // not even a witness (e.g. a value outside the field)
	}
	if err := testCS.IsSolved(w); err == nil {
		t.Fatal("the R1CS solver accepts a witness that breaks a rule")
	}
}

// TestValidBatchProves: a trade, then a withdrawal (N = 2), then a liquidation with a keeper (Q = 1: its hints
// run in gnark's Groth16 prover too), proves with Groth16.
func TestValidBatchProves(t *testing.T) {
	b := liqStart(liqDebt)
	c := b.Trade(sell5(b)).Withdraw(1, 2_000_000_000, 0x1234).Liquidate(liq16(b)).Build()
	test.NewAssert(t).ProverSucceeded(batch.NewCircuit(batch.TestSizes), c, opts...)
}

// TestValidShortWithdrawalSolves: the account of TestWithdrawalRules/imBroken withdraws a little: it solves,
// so imBroken fails at the IM check, not elsewhere.
func TestValidShortWithdrawalSolves(t *testing.T) {
	c := start().Withdraw(2, 1_000_000_000, 0x1234).Build()
	if err := test.IsSolved(batch.NewCircuit(batch.TestSizes), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
}

// TestValidRegistrationSolves: a registration deposit and a no-op slot.
func TestValidRegistrationSolves(t *testing.T) {
	b := start()
	b.Queue = b.Queue[1:] // the registration of account 3 is next in the queue
	c := b.Deposit().Build()
	if err := test.IsSolved(batch.NewCircuit(batch.TestSizes), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
}

func TestWithdrawalRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		"badSignature": func() *batch.Circuit {
			b := start()
			return b.WithdrawWith(1, 4, 1_000, fe(0x1234), b.Keys[2], nil).Build() // signed by another key
		},
		"replayedSignature": func() *batch.Circuit {
			b := start()
			sig := batchtest.Sign(b.Keys[1], batchtest.WithdrawalMsg(1, 4, 1_000, fe(0x1234)))
			return b.WithdrawWith(1, 4, 1_000, fe(0x1234), nil, sig).WithdrawWith(1, 4, 1_000, fe(0x1234), nil, sig).Build()
		},
		"wrongNonce": func() *batch.Circuit {
			b := start()
			return b.WithdrawWith(1, 5, 1_000, fe(0x1234), b.Keys[1], nil).Build()
		},
		"zeroAmount": func() *batch.Circuit { return start().Withdraw(1, 0, 0x1234).Build() },
		"imBroken":   func() *batch.Circuit { return start().Withdraw(2, 5_000_000_000, 0x1234).Build() },
		"addressAbove2^160": func() *batch.Circuit {
			b := start()
			var a fr.Element
			a.SetString("1461501637330902918203684832716283019655932542976") // 2^160
			return b.WithdrawWith(1, 4, 1_000, a, b.Keys[1], nil).Build()
		},
		"withdrawalListTampered": func() *batch.Circuit {
			c := start().Withdraw(1, 1_000, 0x1234).Build()
			c.WithdrawalsHash = 1
			return c
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}

// TestValidTransferSolves: a transfer between two accounts of one owner, then a withdrawal from the
// receiving account at its unchanged nonce.
func TestValidTransferSolves(t *testing.T) {
	c := start().Transfer(1, 4, 0, 3_000_000_000).Withdraw(4, 3_000_500_000, 0x99).Build()
	if err := test.IsSolved(batch.NewCircuit(batch.TestSizes), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
}

func TestTransferRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		"notSameOwner": func() *batch.Circuit { return start().Transfer(1, 2, 0, 1_000).Build() },
		"badSignature": func() *batch.Circuit {
			b := start()
			return b.TransferWith(1, 4, 4, 0, 1_000, b.Keys[2]).Build()
		},
		"wrongNonce": func() *batch.Circuit {
			b := start()
			return b.TransferWith(1, 4, 3, 0, 1_000, b.Keys[1]).Build()
		},
		"imBrokenAfter": func() *batch.Circuit {
			return start().Transfer(1, 4, 0, 12_000_000_000).Build() // balance -2,000 quote, positions worth 1,200
		},
		"assetOutOfRange": func() *batch.Circuit {
			c := start().Transfer(1, 4, 0, 1_000).Build()
			c.Slots[0].Asset = batch.TestSizes.A // also breaks the signature; the asset check fails first
			return c
		},
		"conservationBroken": func() *batch.Circuit {
			b := start()
			b.Skew = 1 // the receiving account gets one atom more than the sender gives
			return b.Transfer(1, 4, 0, 1_000).Build()
		},
		"toEmptyLeaf": func() *batch.Circuit {
			return start().Transfer(1, 5, 0, 1_000).Build() // account 5 does not exist
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}

func TestDepositRules(t *testing.T) {
	cases := map[string]func() *batch.Circuit{
		"notInQueue": func() *batch.Circuit {
			b := start()
			e := b.Queue[0]
			e.Amount++ // the slot credits more than the queue entry says
			return b.DepositEntry(e).Build()
		},
		"creditAboveEntry": func() *batch.Circuit {
			b := start()
			b.Skew = 1 // the leaf gets one atom more than the queue entry's amount
			return b.Deposit().Build()
		},
		"outOfOrder": func() *batch.Circuit {
			b := start()
			b.Queue[0], b.Queue[1] = b.Queue[1], b.Queue[0]
			b.Deposit().Deposit()
			b.Queue[0], b.Queue[1] = b.Queue[1], b.Queue[0] // the public head is the real queue's
			return b.Build()
		},
		"registrationOfExistingAccount": func() *batch.Circuit {
			b := start()
			e := b.Queue[1]
			e.AccountID = 2 // a key-carrying entry to an existing leaf
			b.Queue[1] = e
			b.Queue = b.Queue[1:]
			return b.Deposit().Build()
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) { fails(t, mk()) })
	}
}

func TestBatchHeaderRules(t *testing.T) {
	cases := map[string]func(c *batch.Circuit){
		"wrongOldRoot":      func(c *batch.Circuit) { c.OldRoot = 5 },
		"wrongNewRoot":      func(c *batch.Circuit) { c.NewRoot = 5 },
		"forgedDataHash":    func(c *batch.Circuit) { c.DataHash = 5 },
		"wrongRiskRoot":     func(c *batch.Circuit) { c.RiskRoot = 5 },
		"batchTime2^40":     func(c *batch.Circuit) { c.BatchTime = int64(1) << 40 },
		"depositReadAsTrade": func(c *batch.Circuit) { c.Slots[0].Kind = batch.KindTrade },
		"kindAboveTransfer": func(c *batch.Circuit) { c.Slots[1].Kind = 5 },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			c := start().Deposit().Build()
			mut(c)
			fails(t, c)
		})
	}
}

// TestConstraintCount prints the constraints of the test-size batch (a benchmark figure, not an assertion).
func TestConstraintCount(t *testing.T) {
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, batch.NewCircuit(batch.TestSizes))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d constraints", batch.TestSizes.ID(), cs.GetNbConstraints())
}
