package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// SlotWitness is the risk entry of one position slot and its path in the instrument tree.
type SlotWitness struct {
	EntryWords []int64    // 4 + 2S words (all 0 for an empty slot)
	Path       []*big.Int // DI siblings, leaf level first (all 0 for an empty slot)
}

// Witness is the health witness of docs/ENCODING.md ("Health witness JSON").
type Witness struct {
	CircuitID       string
	AccountID       uint64 // < 2^D
	ThresholdBps    uint32
	StateRoot       *big.Int
	RiskRoot        *big.Int
	OwnerPkX        *big.Int
	OwnerPkY        *big.Int
	L1Address       *big.Int   // leaf v2: the account's L1 address, < 2^160
	OrdersRoot      *big.Int   // leaf v2: the account's order-fill subtree root, in [0, r)
	LeafWords       []int64    // 2 + A + 3P
	StatePath       []*big.Int // D siblings, leaf level first
	InstrumentsRoot *big.Int
	Slots           []SlotWitness // P
	GlobalsWords    []int64       // T + A(1 + S)
	MmBound         *big.Int      // m, nano quote atoms, normally MMcore
}

type slotJSON struct {
	EntryWords []string `json:"entryWords"`
	Path       []string `json:"path"`
}

type witnessJSON struct {
	CircuitID       string     `json:"circuitId"`
	AccountID       string     `json:"accountId"`
	ThresholdBps    string     `json:"thresholdBps"`
	StateRoot       string     `json:"stateRoot"`
	RiskRoot        string     `json:"riskRoot"`
	OwnerPkX        string     `json:"ownerPkX"`
	OwnerPkY        string     `json:"ownerPkY"`
	L1Address       string     `json:"l1Address"`
	OrdersRoot      string     `json:"ordersRoot"`
	LeafWords       []string   `json:"leafWords"`
	StatePath       []string   `json:"statePath"`
	InstrumentsRoot string     `json:"instrumentsRoot"`
	Slots           []slotJSON `json:"slots"`
	GlobalsWords    []string   `json:"globalsWords"`
	MmBound         string     `json:"mmBound"`
}

func parseField(name, s string) (*big.Int, error) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%s: %q is not a decimal integer", name, s)
	}
	if v.Sign() < 0 || v.Cmp(encoding.Modulus()) >= 0 {
		return nil, fmt.Errorf("%s: %s is not a field element in [0, r)", name, s)
	}
	return v, nil
}

func parseFields(name string, ss []string) ([]*big.Int, error) {
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		v, err := parseField(fmt.Sprintf("%s[%d]", name, i), s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func parseWords(name string, ss []string) ([]int64, error) {
	out := make([]int64, len(ss))
	for i, s := range ss {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %q is not a signed 64-bit word", name, i, s)
		}
		out[i] = v
	}
	return out, nil
}

// ParseWitness parses and validates a health witness JSON document: every length must match the sizes
// of its circuitId, field elements must be in [0, r), words signed 64-bit decimals, accountId < 2^D,
// thresholdBps < 2^32. It does not check the margin (the circuit does).
func ParseWitness(data []byte) (*Witness, error) {
	var j witnessJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("health witness: %w", err)
	}
	s, err := encoding.ParseHealthID(j.CircuitID)
	if err != nil {
		return nil, fmt.Errorf("health witness: %w", err)
	}
	w := &Witness{CircuitID: j.CircuitID}
	if w.AccountID, err = strconv.ParseUint(j.AccountID, 10, 64); err != nil || (s.D < 64 && w.AccountID>>uint(s.D) != 0) {
		return nil, fmt.Errorf("health witness: accountId %q must be a decimal in [0, 2^%d)", j.AccountID, s.D)
	}
	th, err := strconv.ParseUint(j.ThresholdBps, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("health witness: thresholdBps %q must be a decimal in [0, 2^32)", j.ThresholdBps)
	}
	w.ThresholdBps = uint32(th)
	for _, f := range []struct {
		name string
		src  string
		dst  **big.Int
	}{
		{"stateRoot", j.StateRoot, &w.StateRoot}, {"riskRoot", j.RiskRoot, &w.RiskRoot},
		{"ownerPkX", j.OwnerPkX, &w.OwnerPkX}, {"ownerPkY", j.OwnerPkY, &w.OwnerPkY},
		{"l1Address", j.L1Address, &w.L1Address}, {"ordersRoot", j.OrdersRoot, &w.OrdersRoot},
		{"instrumentsRoot", j.InstrumentsRoot, &w.InstrumentsRoot}, {"mmBound", j.MmBound, &w.MmBound},
	} {
		if *f.dst, err = parseField(f.name, f.src); err != nil {
			return nil, fmt.Errorf("health witness: %w", err)
		}
	}
	if w.L1Address.BitLen() > 160 {
		return nil, fmt.Errorf("health witness: l1Address %s is not below 2^160", j.L1Address)
	}
	if w.LeafWords, err = parseWords("leafWords", j.LeafWords); err != nil {
		return nil, fmt.Errorf("health witness: %w", err)
	}
	if w.StatePath, err = parseFields("statePath", j.StatePath); err != nil {
		return nil, fmt.Errorf("health witness: %w", err)
	}
	if w.GlobalsWords, err = parseWords("globalsWords", j.GlobalsWords); err != nil {
		return nil, fmt.Errorf("health witness: %w", err)
	}
	for i, sl := range j.Slots {
		var sw SlotWitness
		if sw.EntryWords, err = parseWords(fmt.Sprintf("slots[%d].entryWords", i), sl.EntryWords); err != nil {
			return nil, fmt.Errorf("health witness: %w", err)
		}
		if sw.Path, err = parseFields(fmt.Sprintf("slots[%d].path", i), sl.Path); err != nil {
			return nil, fmt.Errorf("health witness: %w", err)
		}
		w.Slots = append(w.Slots, sw)
	}
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Witness) checkShape(s Sizes) error {
	if w.CircuitID != s.HealthID() {
		return fmt.Errorf("health witness: circuitId %q, circuit is %s", w.CircuitID, s.HealthID())
	}
	if w.L1Address == nil || w.OrdersRoot == nil {
		return fmt.Errorf("health witness: l1Address and ordersRoot are required (leaf v2)")
	}
	check := func(name string, got, want int) error {
		if got != want {
			return fmt.Errorf("health witness: %s has length %d, %s expects %d", name, got, s.HealthID(), want)
		}
		return nil
	}
	if err := check("leafWords", len(w.LeafWords), s.LeafWordCount()); err != nil {
		return err
	}
	if err := check("statePath", len(w.StatePath), s.D); err != nil {
		return err
	}
	if err := check("globalsWords", len(w.GlobalsWords), s.GlobalsWordCount()); err != nil {
		return err
	}
	if err := check("slots", len(w.Slots), s.P); err != nil {
		return err
	}
	for i, sl := range w.Slots {
		if err := check(fmt.Sprintf("slots[%d].entryWords", i), len(sl.EntryWords), s.EntryWordCount()); err != nil {
			return err
		}
		if err := check(fmt.Sprintf("slots[%d].path", i), len(sl.Path), s.DI); err != nil {
			return err
		}
	}
	if s.D < 64 && w.AccountID>>uint(s.D) != 0 {
		return fmt.Errorf("health witness: accountId %d is not below 2^%d", w.AccountID, s.D)
	}
	return nil
}

// MarshalJSON writes the witness in the JSON format of docs/ENCODING.md.
func (w *Witness) MarshalJSON() ([]byte, error) {
	ws := func(v []int64) []string {
		out := make([]string, len(v))
		for i := range v {
			out[i] = strconv.FormatInt(v[i], 10)
		}
		return out
	}
	fs := func(v []*big.Int) []string {
		out := make([]string, len(v))
		for i := range v {
			out[i] = v[i].String()
		}
		return out
	}
	j := witnessJSON{
		CircuitID: w.CircuitID, AccountID: strconv.FormatUint(w.AccountID, 10),
		ThresholdBps: strconv.FormatUint(uint64(w.ThresholdBps), 10),
		StateRoot:    w.StateRoot.String(), RiskRoot: w.RiskRoot.String(),
		OwnerPkX: w.OwnerPkX.String(), OwnerPkY: w.OwnerPkY.String(),
		L1Address: w.L1Address.String(), OrdersRoot: w.OrdersRoot.String(),
		LeafWords: ws(w.LeafWords), StatePath: fs(w.StatePath), InstrumentsRoot: w.InstrumentsRoot.String(),
		GlobalsWords: ws(w.GlobalsWords), MmBound: w.MmBound.String(),
	}
	for _, sl := range w.Slots {
		j.Slots = append(j.Slots, slotJSON{EntryWords: ws(sl.EntryWords), Path: fs(sl.Path)})
	}
	return json.Marshal(j)
}

// AccountAndThreshold is accountId * 2^32 + thresholdBps.
func (w *Witness) AccountAndThreshold() *big.Int {
	v := new(big.Int).SetUint64(w.AccountID)
	v.Lsh(v, ThresholdBits)
	return v.Add(v, new(big.Int).SetUint64(uint64(w.ThresholdBps)))
}

// PublicInputs returns stateRoot, riskRoot, accountAndThreshold as decimal strings.
func (w *Witness) PublicInputs() []string {
	return []string{w.StateRoot.String(), w.RiskRoot.String(), w.AccountAndThreshold().String()}
}

func vars(xs []*big.Int) []frontend.Variable {
	out := make([]frontend.Variable, len(xs))
	for i := range xs {
		out[i] = xs[i]
	}
	return out
}

// Assign builds the full circuit assignment of w for sizes s: it packs the words into elements.
func Assign(s Sizes, w *Witness) (*Circuit, error) {
	if w == nil {
		return nil, fmt.Errorf("health witness: nil")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	c := NewCircuit(s)
	c.StateRoot, c.RiskRoot, c.AccountAndThreshold = w.StateRoot, w.RiskRoot, w.AccountAndThreshold()
	c.OwnerPkX, c.OwnerPkY = w.OwnerPkX, w.OwnerPkY
	c.L1Address, c.OrdersRoot = w.L1Address, w.OrdersRoot
	copy(c.Leaf, vars(encoding.PackBig(w.LeafWords)))
	copy(c.StatePath, vars(w.StatePath))
	c.InstrumentsRoot = w.InstrumentsRoot
	for j, sl := range w.Slots {
		copy(c.Entries[j], vars(encoding.PackBig(sl.EntryWords)))
		copy(c.EntryPaths[j], vars(sl.Path))
	}
	copy(c.Globals, vars(encoding.PackBig(w.GlobalsWords)))
	c.MmBound = w.MmBound
	return c, nil
}

// Margin evaluates the witness's account natively (encoding.ComputeMargin) with the entries it carries.
func (w *Witness) Margin(s Sizes) (*encoding.Margin, error) {
	if err := w.checkShape(s); err != nil {
		return nil, err
	}
	var pkX, pkY fr.Element
	pkX.SetBigInt(w.OwnerPkX)
	pkY.SetBigInt(w.OwnerPkY)
	leaf, err := encoding.LeafFromWords(s, pkX, pkY, w.LeafWords)
	if err != nil {
		return nil, err
	}
	leaf.L1Address.SetBigInt(w.L1Address)
	leaf.OrdersRoot.SetBigInt(w.OrdersRoot)
	entries := make([]*encoding.Entry, s.P)
	for j, sl := range w.Slots {
		if entries[j], err = encoding.EntryFromWords(s, sl.EntryWords); err != nil {
			return nil, err
		}
	}
	g, err := encoding.GlobalsFromWords(s, w.GlobalsWords)
	if err != nil {
		return nil, err
	}
	return encoding.ComputeMargin(leaf, entries, g)
}
