// Package liquidation is the liquidation-eligibility circuit (ARCHITECTURE.md "Liquidations and exit",
// docs/LIQUIDATION.md): the account's leaf is in stateRoot, its instruments' risk entries and the globals
// are in riskRoot, and one named scenario s* alone breaks maintenance:
//
//	E * 10^6 < (L[s*] + N * sum_j |q_j| * floorMm_j) * tierFactor
//
// which implies E * 10^6 < MM (L[s*] <= MMcore = max(0, max_s L[s])): no max over scenarios is needed. s* = S
// names the term 0 of that max, for an account whose every scenario gains but whose floor charge alone
// exceeds its equity. The health circuit's check with the inequality reversed, through the same gadgets
// (gadget/account opens the account as the health circuit does, gadget/margin computes E and L[s]). The
// account must also hold something a liquidation can take (Takeable), as the batch circuit's kind 6 requires.
package liquidation

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/gadget/account"
	"github.com/zkmargin/zkmargin/circuits/gadget/margin"
	"github.com/zkmargin/zkmargin/circuits/gadget/nonneg"
)

// Sizes are the compile-time sizes; see encoding.Sizes.
type Sizes = encoding.Sizes

// KeeperBits is the width of the keeper public input (an Ethereum address).
const KeeperBits = 160

// Circuit is the liquidation-eligibility circuit at one size. Public inputs, in order: StateRoot, RiskRoot,
// AccountID, Keeper.
type Circuit struct {
	StateRoot frontend.Variable `gnark:",public"`
	RiskRoot  frontend.Variable `gnark:",public"`
	AccountID frontend.Variable `gnark:",public"` // in [0, 2^D)
	// Keeper is the L1 address the contract credits with the request (and later the keeper's share of the
	// penalty): bound by the proof, so that a request copied from the mempool pays nobody else. In
	// [0, 2^160); its decomposition is also what binds it (a public input in no constraint is not bound).
	Keeper frontend.Variable `gnark:",public"`

	Account account.Vars
	// Scenario is s*, in [0, S]: a maintenance scenario, or S for the term 0 of max(0, max_s L[s]).
	Scenario frontend.Variable

	Sizes Sizes `gnark:"-"`
}

// NewCircuit returns an empty circuit of the given sizes (for frontend.Compile, or to fill in).
func NewCircuit(s Sizes) *Circuit {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	checkBounds(s)
	return &Circuit{Sizes: s, Account: account.NewVars(s)}
}

func pow2(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }

// checkBounds checks that the final comparison x = MMsel - E*10^6 - 1 stays below 2^CheckBits in magnitude
// (so that a negative x, r - |x|, has no CheckBits-bit decomposition). |L[s*]| < 2^LossBits, the floor
// term < N P 2^126, the tier factor < 2^32; |E| <= (A + 3 N P) 2^126 (docs/ENCODING.md "Margin" bounds).
func checkBounds(s Sizes) {
	word2 := pow2(126)
	nP := new(big.Int).Mul(encoding.Nano, big.NewInt(int64(s.P)))
	mm := new(big.Int).Add(pow2(uint(margin.LossBits(s))), new(big.Int).Mul(nP, word2))
	mm.Lsh(mm, 32)
	e := new(big.Int).Mul(big.NewInt(int64(s.A)), word2)
	e.Add(e, new(big.Int).Mul(new(big.Int).Mul(nP, big.NewInt(3)), word2))
	e.Mul(e, big.NewInt(1_000_000))
	x := new(big.Int).Add(mm, e)
	x.Add(x, big.NewInt(1))
	if x.BitLen() >= margin.CheckBits || new(big.Int).Sub(encoding.Modulus(), x).Cmp(pow2(margin.CheckBits)) <= 0 {
		panic(fmt.Sprintf("liquidation: sizes %s overflow the margin bounds", ID(s)))
	}
}

// Define implements frontend.Circuit.
func (c *Circuit) Define(api frontend.API) error {
	s := c.Sizes
	if err := s.Validate(); err != nil {
		return err
	}
	checkBounds(s)
	accountBits := api.ToBinary(c.AccountID, s.D) // accountId in [0, 2^D), and the leaf index
	api.ToBinary(c.Keeper, KeeperBits)
	o, err := account.Open(api, s, &c.Account, c.StateRoot, c.RiskRoot, accountBits,
		account.Need{Scenarios: true, TierFactor: true})
	if err != nil {
		return err
	}
	E := margin.Equity(api, o.Balances, o.Positions, o.Entries, o.Globals)
	L, floor := margin.MaintenanceLosses(api, s, o.Balances, o.Positions, o.Entries, o.Globals)

	// s* in [0, S] selects L[s*] (0 for s* = S).
	var lSel, hit frontend.Variable = 0, 0
	for k := 0; k <= s.S; k++ {
		is := api.IsZero(api.Sub(c.Scenario, k))
		hit = api.Add(hit, is)
		if k < s.S {
			lSel = api.Add(lSel, api.Mul(is, L[k]))
		}
	}
	api.AssertIsEqual(hit, 1)

	// E * 10^6 < (L[s*] + floor) * tierFactor, i.e. (L[s*] + floor) * tierFactor - E * 10^6 - 1 >= 0.
	mmSel := api.Mul(api.Add(lSel, floor), o.TierFactor)
	nonneg.Assert(api, api.Sub(api.Sub(mmSel, api.Mul(E, 1_000_000)), 1), margin.CheckBits)

	// NOTHING_TO_TAKE: the batch circuit's kind 6 must take something (BAD_AMOUNT), a lot of a non-zero
	// position or atoms of a positive non-quote balance; an account with neither (closed out, maybe in debt)
	// is the insurance fund's, and a request for it could never be answered (docs/LIQUIDATION.md section 5).
	api.AssertIsDifferent(Takeable(api, o.Balances, o.Positions), 0)
	return nil
}

// Takeable returns sum_j |q_j| + sum_{a >= 1} max(0, balance[a]): zero exactly when no liquidation take is
// possible. Each term is a leaf word (|v| <= 2^63, checked where the leaf was unpacked), so the sum of the
// P + A - 1 terms stays far below the modulus and is zero only if every term is. P + A - 1 constraints.
func Takeable(api frontend.API, balances []margin.Balance, positions []margin.Position) frontend.Variable {
	var sum frontend.Variable = 0
	for _, p := range positions {
		sum = api.Add(sum, api.Mul(p.Q, api.Sub(1, api.Mul(2, p.QNeg)))) // |q|
	}
	for a := 1; a < len(balances); a++ {
		sum = api.Add(sum, api.Mul(balances[a].Value, api.Sub(1, balances[a].Neg))) // max(0, b)
	}
	return sum
}

// Prefix is the circuit family's id prefix.
const Prefix = "liquidation-"

// ID formats the circuit id liquidation-D{D}-I{DI}-P{P}-A{A}-S{S}-T{T} of sizes s.
func ID(s Sizes) string { return encoding.FamilyID(Prefix, s) }

// ParseID parses a liquidation circuit id into validated sizes.
func ParseID(id string) (Sizes, error) { return encoding.ParseFamilyID(Prefix, id) }
