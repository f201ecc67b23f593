package exit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
)

// Witness is an exit witness: the account's opening as a health witness of the same sizes (its thresholdBps
// and mmBound are not used). The payout and sign follow from the opening (Payout).
type Witness struct {
	CircuitID string
	Account   *health.Witness
}

type witnessJSON struct {
	CircuitID string          `json:"circuitId"`
	Account   json.RawMessage `json:"account"`
}

// ParseWitness parses and validates an exit witness JSON document:
// {"circuitId": "exit-…", "account": <health witness JSON of the same sizes>}.
func ParseWitness(data []byte) (*Witness, error) {
	var j witnessJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("exit witness: %w", err)
	}
	s, err := ParseID(j.CircuitID)
	if err != nil {
		return nil, fmt.Errorf("exit witness: %w", err)
	}
	a, err := health.ParseWitness(j.Account)
	if err != nil {
		return nil, fmt.Errorf("exit witness: account: %w", err)
	}
	w := &Witness{CircuitID: j.CircuitID, Account: a}
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Witness) checkShape(s Sizes) error {
	if w.CircuitID != ID(s) {
		return fmt.Errorf("exit witness: circuitId %q, circuit is %s", w.CircuitID, ID(s))
	}
	if w.Account == nil || w.Account.CircuitID != s.HealthID() {
		return fmt.Errorf("exit witness: the account opening must be a health witness of %s", s.HealthID())
	}
	return nil
}

// MarshalJSON writes the witness in the format ParseWitness reads.
func (w *Witness) MarshalJSON() ([]byte, error) {
	a, err := w.Account.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.Marshal(witnessJSON{CircuitID: w.CircuitID, Account: a})
}

// Payout returns floor(max(0, E) / N) in quote atoms and whether E < 0, from the witness's own opening
// (computed natively; the circuit proves it).
func (w *Witness) Payout(s Sizes) (payout *big.Int, negative bool, err error) {
	m, err := w.Account.Margin(s)
	if err != nil {
		return nil, false, err
	}
	return PayoutOf(m.E)
}

// PayoutOf returns floor(max(0, e) / N) and e < 0 for an equity e in nano quote atoms.
func PayoutOf(e *big.Int) (*big.Int, bool, error) {
	if e.Sign() < 0 {
		return new(big.Int), true, nil
	}
	return new(big.Int).Quo(e, encoding.Nano), false, nil
}

// PublicInputs returns Compress(stateRoot, riskRoot), accountId * 2^160 + l1Address, payout as decimal
// strings.
func (w *Witness) PublicInputs(s Sizes) ([]string, error) {
	p, _, err := w.Payout(s)
	if err != nil {
		return nil, err
	}
	return []string{Roots(w.Account.StateRoot, w.Account.RiskRoot).String(),
		PackAccountAndAddress(w.Account.AccountID, w.Account.L1Address).String(), p.String()}, nil
}

// Assign builds the full circuit assignment of w for sizes s (payout and sign computed from the opening).
func Assign(s Sizes, w *Witness) (*Circuit, error) {
	if w == nil {
		return nil, fmt.Errorf("exit witness: nil")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	p, neg, err := w.Payout(s)
	if err != nil {
		return nil, err
	}
	hc, err := health.Assign(s, w.Account)
	if err != nil {
		return nil, err
	}
	return FromHealth(s, hc, w.Account.AccountID, p, neg), nil
}

// FromHealth is the exit assignment that opens account accountID exactly as the assigned health circuit hc
// does, with the claimed payout (quote atoms) and sign.
func FromHealth(s Sizes, hc *health.Circuit, accountID uint64, payout *big.Int, negative bool) *Circuit {
	c := NewCircuit(s)
	c.StateRoot, c.RiskRoot = hc.StateRoot, hc.RiskRoot
	c.ExitRoots = Roots(bigOf(hc.StateRoot), bigOf(hc.RiskRoot))
	c.AccountID = new(big.Int).SetUint64(accountID)
	c.Account = hc.AccountVars()
	c.L1Address = hc.L1Address
	c.AccountAndAddress = PackAccountAndAddress(accountID, bigOf(hc.L1Address))
	c.Payout = payout
	c.Negative = 0
	if negative {
		c.Negative = 1
	}
	return c
}

// bigOf is the *big.Int of an assigned variable (the health assignment holds *big.Int values).
func bigOf(v frontend.Variable) *big.Int {
	switch x := v.(type) {
	case *big.Int:
		return x
	case big.Int:
		return &x
	default:
		panic(fmt.Sprintf("exit: unexpected assignment type %T", v))
	}
}
