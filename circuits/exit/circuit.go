// Package exit is the exit circuit of the escape hatch (ARCHITECTURE.md "Liquidations and exit",
// docs/LIQUIDATION.md): after the contract is frozen, an account proves against the last finalized state root
// and the last posted risk root its equity with every position closed at the committed mark and its funding
// settled, E = sum_a b[a]*price[a] + N * sum_j q_j * (mark_j - fundingIndex_j + snap_j) (nano quote atoms,
// docs/ENCODING.md "Margin"), and outputs the payout floor(max(0, E) / N) in quote atoms. The two roots enter
// as one public input, ExitRoots = Compress(stateRoot, riskRoot), which the contract computes once at the
// freeze (Roots); the contract checks that the roots are its last ones (a stale root is refused there, not
// here), pays each account once, and never more than it holds.
package exit

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/permutation/poseidon2"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/account"
	"github.com/zkmargin/zkmargin/circuits/gadget/margin"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
)

// Sizes are the compile-time sizes; see encoding.Sizes.
type Sizes = encoding.Sizes

// AddressBits is the width of an L1 address.
const AddressBits = 160

// addressShift is 2^160: the packed public input is AccountID * 2^160 + L1Address.
var addressShift = new(big.Int).Lsh(big.NewInt(1), AddressBits)

// Roots returns Compress(stateRoot, riskRoot) (Poseidon2, docs/ENCODING.md), the first public input: the
// contract fixes both roots at the freeze, so it stores this one value and each exit passes one public input
// (and reads one storage slot) instead of two; EscapeHatch.freeze computes the same with Poseidon2.sol.
func Roots(stateRoot, riskRoot *big.Int) *big.Int {
	return encoding.ToBig(encoding.Compress(encoding.FromBig(stateRoot), encoding.FromBig(riskRoot)))
}

// PackAccountAndAddress returns accountID * 2^160 + l1Address, the second public input.
func PackAccountAndAddress(accountID uint64, l1Address *big.Int) *big.Int {
	v := new(big.Int).Mul(new(big.Int).SetUint64(accountID), addressShift)
	return v.Add(v, l1Address)
}

// nanoBits is the width of a remainder E - payout * N in [0, N) (N = 10^9 < 2^30).
const nanoBits = 30

// Circuit is the exit circuit at one size. Public inputs, in order: ExitRoots = Compress(StateRoot, RiskRoot)
// (Roots), AccountAndAddress = AccountID * 2^160 + L1Address (the payout address bound in the leaf), Payout
// (quote atoms). Each public input costs the verifier one scalar multiplication and addition (~6.6k gas per
// exit): the roots enter through their Poseidon2 compression (collision resistant, so the opening is against
// exactly the two roots the contract fixed; 187 constraints), and the account id and the address are packed
// into one input, both parts range checked here (D and 160 bits), so the packing is one-to-one below
// 2^(D+160) < r.
type Circuit struct {
	ExitRoots         frontend.Variable `gnark:",public"` // Compress(StateRoot, RiskRoot)
	AccountAndAddress frontend.Variable `gnark:",public"` // AccountID * 2^160 + L1Address
	Payout            frontend.Variable `gnark:",public"` // floor(max(0, E) / N), quote atoms

	StateRoot frontend.Variable // the state root the account opens against; bound by ExitRoots
	RiskRoot  frontend.Variable // the risk root of the entries and globals; bound by ExitRoots
	AccountID frontend.Variable // in [0, 2^D)
	L1Address frontend.Variable // the leaf's l1Address (bound by the leaf hash), in [0, 2^160)

	Account account.Vars
	// Negative is 1 iff E < 0 (then Payout = 0).
	Negative frontend.Variable

	Sizes Sizes `gnark:"-"`
}

// NewCircuit returns an empty circuit of the given sizes (for frontend.Compile, or to fill in).
func NewCircuit(s Sizes) *Circuit {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	equityBits(s)
	return &Circuit{Sizes: s, Account: account.NewVars(s)}
}

// equityBits is a width e with |E| < 2^e: |E| <= (A + 3 N P) 2^126 (docs/ENCODING.md "Margin" bounds).
func equityBits(s Sizes) int {
	word2 := new(big.Int).Lsh(big.NewInt(1), 126)
	nP := new(big.Int).Mul(encoding.Nano, big.NewInt(int64(s.P)))
	e := new(big.Int).Mul(big.NewInt(int64(s.A)), word2)
	e.Add(e, new(big.Int).Mul(new(big.Int).Mul(nP, big.NewInt(3)), word2))
	bits := e.BitLen() + 1
	if bits+2 >= 250 {
		panic(fmt.Sprintf("exit: sizes %s overflow the equity bounds", ID(s)))
	}
	return bits
}

// Define implements frontend.Circuit.
func (c *Circuit) Define(api frontend.API) error {
	s := c.Sizes
	if err := s.Validate(); err != nil {
		return err
	}
	eBits := equityBits(s)
	accountBits := api.ToBinary(c.AccountID, s.D)
	// The L1 address is the leaf's (hashed into it, so bound by the trusted stateRoot); its range check
	// makes the packed public input AccountID * 2^160 + L1Address decode to exactly these two values.
	api.AssertIsEqual(c.Account.L1Address, c.L1Address)
	api.ToBinary(c.L1Address, AddressBits)
	api.AssertIsEqual(c.AccountAndAddress, api.Add(api.Mul(c.AccountID, addressShift), c.L1Address))
	// The two roots are private: the public ExitRoots binds them (Poseidon2 compression, as the contract
	// computes it at the freeze), and the opening below binds the account's leaf and risk entries to them.
	h, err := poseidon2.NewPoseidon2(api)
	if err != nil {
		return err
	}
	api.AssertIsEqual(h.Compress(c.StateRoot, c.RiskRoot), c.ExitRoots)
	o, err := account.Open(api, s, &c.Account, c.StateRoot, c.RiskRoot, accountBits, account.Need{})
	if err != nil {
		return err
	}
	E := margin.Equity(api, o.Balances, o.Positions, o.Entries, o.Globals)

	// Payout = floor(max(0, E) / N): Payout in [0, 2^(eBits-29)) and
	//   Negative = 0: r = E - Payout*N in [0, N);   Negative = 1: E < 0 (-E-1 >= 0) and Payout = 0.
	api.AssertIsBoolean(c.Negative)
	api.ToBinary(c.Payout, eBits-29) // E / N < 2^eBits / 2^29.9; also what binds the public input
	pos := api.Sub(1, c.Negative)
	r := api.Sub(E, api.Mul(c.Payout, encoding.Nano))
	nonneg.Assert(api, api.Mul(pos, r), nanoBits)
	nonneg.Assert(api, api.Mul(pos, api.Sub(new(big.Int).Sub(encoding.Nano, big.NewInt(1)), r)), nanoBits)
	nonneg.Assert(api, api.Mul(c.Negative, api.Sub(api.Neg(E), 1)), eBits)
	api.AssertIsEqual(api.Mul(c.Negative, c.Payout), 0)
	return nil
}

// Prefix is the circuit family's id prefix.
const Prefix = "exit-"

// ID formats the circuit id exit-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T} of sizes s.
func ID(s Sizes) string { return encoding.FamilyID(Prefix, s) }

// ParseID parses an exit circuit id into validated sizes.
func ParseID(id string) (Sizes, error) { return encoding.ParseFamilyID(Prefix, id) }
