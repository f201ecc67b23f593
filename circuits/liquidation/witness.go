package liquidation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
)

// Witness is a liquidation-eligibility witness: the account's opening as a health witness of the same sizes
// (its thresholdBps and mmBound are not used), the keeper address and the scenario s*.
type Witness struct {
	CircuitID string
	Account   *health.Witness
	Keeper    *big.Int // < 2^160
	Scenario  int      // in [0, S]
}

type witnessJSON struct {
	CircuitID string          `json:"circuitId"`
	Keeper    string          `json:"keeper"`
	Scenario  string          `json:"scenario"`
	Account   json.RawMessage `json:"account"`
}

// ParseWitness parses and validates a liquidation witness JSON document:
// {"circuitId": "liquidation-…", "keeper": "<decimal < 2^160>", "scenario": "<decimal in [0, S]>",
// "account": <health witness JSON of the same sizes>}. It does not check eligibility (the circuit does).
func ParseWitness(data []byte) (*Witness, error) {
	var j witnessJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("liquidation witness: %w", err)
	}
	s, err := ParseID(j.CircuitID)
	if err != nil {
		return nil, fmt.Errorf("liquidation witness: %w", err)
	}
	k, ok := new(big.Int).SetString(j.Keeper, 10)
	if !ok || k.Sign() < 0 || k.BitLen() > KeeperBits {
		return nil, fmt.Errorf("liquidation witness: keeper %q must be a decimal in [0, 2^160)", j.Keeper)
	}
	sc, err := strconv.Atoi(j.Scenario)
	if err != nil || sc < 0 || sc > s.S {
		return nil, fmt.Errorf("liquidation witness: scenario %q must be a decimal in [0, %d]", j.Scenario, s.S)
	}
	a, err := health.ParseWitness(j.Account)
	if err != nil {
		return nil, fmt.Errorf("liquidation witness: account: %w", err)
	}
	w := &Witness{CircuitID: j.CircuitID, Account: a, Keeper: k, Scenario: sc}
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Witness) checkShape(s Sizes) error {
	if w.CircuitID != ID(s) {
		return fmt.Errorf("liquidation witness: circuitId %q, circuit is %s", w.CircuitID, ID(s))
	}
	if w.Account == nil || w.Account.CircuitID != s.HealthID() {
		return fmt.Errorf("liquidation witness: the account opening must be a health witness of %s", s.HealthID())
	}
	if w.Keeper == nil || w.Keeper.Sign() < 0 || w.Keeper.BitLen() > KeeperBits {
		return fmt.Errorf("liquidation witness: keeper must be in [0, 2^160)")
	}
	if w.Scenario < 0 || w.Scenario > s.S {
		return fmt.Errorf("liquidation witness: scenario %d outside [0, %d]", w.Scenario, s.S)
	}
	return nil
}

// MarshalJSON writes the witness in the format ParseWitness reads.
func (w *Witness) MarshalJSON() ([]byte, error) {
	a, err := w.Account.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.Marshal(witnessJSON{CircuitID: w.CircuitID, Keeper: w.Keeper.String(),
		Scenario: strconv.Itoa(w.Scenario), Account: a})
}

// PublicInputs returns stateRoot, riskRoot, accountId, keeper as decimal strings.
func (w *Witness) PublicInputs() []string {
	return []string{w.Account.StateRoot.String(), w.Account.RiskRoot.String(),
		strconv.FormatUint(w.Account.AccountID, 10), w.Keeper.String()}
}

// Assign builds the full circuit assignment of w for sizes s.
func Assign(s Sizes, w *Witness) (*Circuit, error) {
	if w == nil {
		return nil, fmt.Errorf("liquidation witness: nil")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	hc, err := health.Assign(s, w.Account)
	if err != nil {
		return nil, err
	}
	return FromHealth(s, hc, w.Account.AccountID, w.Keeper, w.Scenario), nil
}

// FromHealth is the liquidation assignment that opens account accountID exactly as the assigned health
// circuit hc does (same roots, leaf, paths, entries, globals), with the keeper and the scenario s*.
func FromHealth(s Sizes, hc *health.Circuit, accountID uint64, keeper *big.Int, scenario int) *Circuit {
	c := NewCircuit(s)
	c.StateRoot, c.RiskRoot = hc.StateRoot, hc.RiskRoot
	c.AccountID = new(big.Int).SetUint64(accountID)
	c.Keeper = keeper
	c.Account = hc.AccountVars()
	c.Scenario = scenario
	return c
}

// Scenario returns the scenario s* that proves the account liquidatable (the one with the largest maintenance
// loss, or S when no scenario loses), or -1 when the account is not liquidatable (E * 10^6 >= MM).
func Scenario(s Sizes, m *encoding.Margin) int {
	if !m.Liquidatable() {
		return -1
	}
	best := s.S
	for k := 0; k < s.S; k++ {
		if m.L[k].Sign() > 0 && (best == s.S || m.L[k].Cmp(m.L[best]) > 0) {
			best = k
		}
	}
	return best
}
