package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/encoding"
)

// The batch witness JSON mirrors the circuit's assignment: every value a decimal string of a field element in
// [0, r) (leaf words, entries and globals as their packed elements, as the circuit reads them). Field names
// are those of the Go structs in lowerCamelCase. The circuit range checks what it reads; the decoder checks
// only the shape and that each value is a field element.
type accountJSON struct {
	Empty      string   `json:"empty"`
	PkX        string   `json:"pkX"`
	PkY        string   `json:"pkY"`
	L1Address  string   `json:"l1Address"`
	OrdersRoot string   `json:"ordersRoot"`
	Leaf       []string `json:"leaf"`
	Path       []string `json:"path"`
	RowIdx     []string `json:"rowIdx"`
	MmBound    string   `json:"mmBound"`
	ImBound    string   `json:"imBound"`
}

type orderJSON struct {
	OrderID    string `json:"orderId"`
	Expiry     string `json:"expiry"`
	Quantity   string `json:"quantity"`
	LimitPrice string `json:"limitPrice"`
	FeePerUnit string `json:"feePerUnit"`
}

type fillJSON struct {
	OldID     string   `json:"oldId"`
	OldFilled string   `json:"oldFilled"`
	Path      []string `json:"path"`
}

type slotJSON struct {
	Kind        string      `json:"kind"`
	AccountID   string      `json:"accountId"`
	Amount      string      `json:"amount"`
	Nonce       string      `json:"nonce"`
	Address     string      `json:"address"`
	PkX         string      `json:"pkX"`
	PkY         string      `json:"pkY"`
	SigRX       string      `json:"sigRX"`
	SigRY       string      `json:"sigRY"`
	SigS        string      `json:"sigS"`
	ToAccountID string      `json:"toAccountId"`
	Asset       string      `json:"asset"`
	A           accountJSON `json:"a"`
	B           accountJSON `json:"b"`
	// trade fields (docs/BATCH.md section 4a); "0" (and zero arrays) in slots of other kinds
	Maker        orderJSON `json:"maker"`
	Taker        orderJSON `json:"taker"`
	TakerSigRX   string    `json:"takerSigRX"`
	TakerSigRY   string    `json:"takerSigRY"`
	TakerSigS    string    `json:"takerSigS"`
	InstrumentID []string  `json:"instrumentId"`
	Ratio        []string  `json:"ratio"`
	Price        []string  `json:"price"`
	MakerPos     []string  `json:"makerPos"`
	TakerPos     []string  `json:"takerPos"`
	LegRow       []string  `json:"legRow"`
	MakerFill    fillJSON  `json:"makerFill"`
	TakerFill    fillJSON  `json:"takerFill"`
}

// liqSlotJSON is one request (liquidation) slot (docs/LIQUIDATION.md sections 9 and 12): kinds 0, 6, 7, and 8 / 9
// (a forced withdrawal paid / refused: keeper = the requester, penalty = the amount, the other fields 0).
type liqSlotJSON struct {
	Kind         string      `json:"kind"`
	AccountID    string      `json:"accountId"`
	LiquidatorID string      `json:"liquidatorId"`
	Keeper       string      `json:"keeper"`
	Nonce        string      `json:"nonce"`
	Penalty      string      `json:"penalty"`
	Scenario     string      `json:"scenario"`
	TakeLots     []string    `json:"takeLots"`
	TakeAtoms    []string    `json:"takeAtoms"`
	LiqPos       []string    `json:"liqPos"`
	SigRX        string      `json:"sigRX"`
	SigRY        string      `json:"sigRY"`
	SigS         string      `json:"sigS"`
	A            accountJSON `json:"a"`
	B            accountJSON `json:"b"`
}

type rowJSON struct {
	Used  string   `json:"used"`
	ID    string   `json:"id"`
	Entry []string `json:"entry"`
	Path  []string `json:"path"`
}

// WitnessJSON is the batch witness document.
type WitnessJSON struct {
	CircuitID         string     `json:"circuitId"`
	OldRoot           string     `json:"oldRoot"`
	NewRoot           string     `json:"newRoot"`
	RiskRoot          string     `json:"riskRoot"`
	DepositHeadBefore string     `json:"depositHeadBefore"`
	DepositHeadAfter  string     `json:"depositHeadAfter"`
	WithdrawalsHash   string     `json:"withdrawalsHash"`
	DataHash          string     `json:"dataHash"`
	BatchTime         string     `json:"batchTime"`
	RequestsHash      string     `json:"requestsHash"`
	InstrumentsRoot   string     `json:"instrumentsRoot"`
	Globals           []string   `json:"globals"`
	Rows              []rowJSON  `json:"rows"`
	Slots             []slotJSON `json:"slots"`
	// Fee is account 0 credited with the batch's fees after the last slot (empty "1" when there are none).
	Fee accountJSON `json:"fee"`
	// Liquidations are the Q liquidation slots; Fund the insurance fund credited with their fund shares after
	// the fee credit (empty "1" when there are none).
	Liquidations []liqSlotJSON `json:"liquidations"`
	Fund         accountJSON   `json:"fund"`
}

// MaxWitnessBytes bounds the size of a witness document the decoder accepts.
const MaxWitnessBytes = 64 << 20

type decoder struct{ err error }

func (d *decoder) f(name, s string) frontend.Variable {
	if d.err != nil {
		return 0
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.Cmp(encoding.Modulus()) >= 0 {
		d.err = fmt.Errorf("batch witness: %s: %q is not a field element in [0, r)", name, s)
		return 0
	}
	return v
}

func (d *decoder) fs(name string, ss []string, n int) []frontend.Variable {
	if d.err == nil && len(ss) != n {
		d.err = fmt.Errorf("batch witness: %s has length %d, want %d", name, len(ss), n)
	}
	out := make([]frontend.Variable, n)
	for i := range out {
		out[i] = 0
		if d.err == nil {
			out[i] = d.f(fmt.Sprintf("%s[%d]", name, i), ss[i])
		}
	}
	return out
}

func (d *decoder) account(name string, s Sizes, j accountJSON) Account {
	return Account{Empty: d.f(name+".empty", j.Empty), PkX: d.f(name+".pkX", j.PkX), PkY: d.f(name+".pkY", j.PkY),
		L1Address: d.f(name+".l1Address", j.L1Address), OrdersRoot: d.f(name+".ordersRoot", j.OrdersRoot),
		Leaf: d.fs(name+".leaf", j.Leaf, encoding.PackedLen(s.LeafWordCount())), Path: d.fs(name+".path", j.Path, s.D),
		RowIdx: d.fs(name+".rowIdx", j.RowIdx, s.P), MmBound: d.f(name+".mmBound", j.MmBound), ImBound: d.f(name+".imBound", j.ImBound)}
}

func (d *decoder) order(name string, j orderJSON) Order {
	return Order{OrderID: d.f(name+".orderId", j.OrderID), Expiry: d.f(name+".expiry", j.Expiry),
		Quantity: d.f(name+".quantity", j.Quantity), LimitPrice: d.f(name+".limitPrice", j.LimitPrice),
		FeePerUnit: d.f(name+".feePerUnit", j.FeePerUnit)}
}

func (d *decoder) fill(name string, s Sizes, j fillJSON) Fill {
	return Fill{OldID: d.f(name+".oldId", j.OldID), OldFilled: d.f(name+".oldFilled", j.OldFilled), Path: d.fs(name+".path", j.Path, s.K)}
}

// ParseWitness decodes a batch witness JSON document into a full assignment of its circuit.
func ParseWitness(data []byte) (*Circuit, error) {
	if len(data) > MaxWitnessBytes {
		return nil, fmt.Errorf("batch witness: %d bytes, more than %d", len(data), MaxWitnessBytes)
	}
	var j WitnessJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("batch witness: %w", err)
	}
	s, err := ParseID(j.CircuitID)
	if err != nil {
		return nil, fmt.Errorf("batch witness: %w", err)
	}
	if len(j.Rows) != s.R || len(j.Slots) != s.N || len(j.Liquidations) != s.Q {
		return nil, fmt.Errorf("batch witness: %d rows, %d slots and %d liquidation slots, %s wants %d, %d and %d",
			len(j.Rows), len(j.Slots), len(j.Liquidations), s.ID(), s.R, s.N, s.Q)
	}
	d := &decoder{}
	c := NewCircuit(s)
	c.OldRoot, c.NewRoot, c.RiskRoot = d.f("oldRoot", j.OldRoot), d.f("newRoot", j.NewRoot), d.f("riskRoot", j.RiskRoot)
	c.DepositHeadBefore, c.DepositHeadAfter = d.f("depositHeadBefore", j.DepositHeadBefore), d.f("depositHeadAfter", j.DepositHeadAfter)
	c.WithdrawalsHash, c.DataHash, c.BatchTime = d.f("withdrawalsHash", j.WithdrawalsHash), d.f("dataHash", j.DataHash), d.f("batchTime", j.BatchTime)
	c.RequestsHash = d.f("requestsHash", j.RequestsHash)
	c.InstrumentsRoot = d.f("instrumentsRoot", j.InstrumentsRoot)
	c.Globals = d.fs("globals", j.Globals, encoding.PackedLen(s.GlobalsWordCount()))
	for r, row := range j.Rows {
		n := fmt.Sprintf("rows[%d]", r)
		c.Rows[r] = Row{Used: d.f(n+".used", row.Used), ID: d.f(n+".id", row.ID),
			Entry: d.fs(n+".entry", row.Entry, encoding.PackedLen(s.EntryWordCount())), Path: d.fs(n+".path", row.Path, s.DI)}
	}
	for i, sl := range j.Slots {
		n := fmt.Sprintf("slots[%d]", i)
		c.Slots[i] = Slot{Kind: d.f(n+".kind", sl.Kind), AccountID: d.f(n+".accountId", sl.AccountID),
			Amount: d.f(n+".amount", sl.Amount), Nonce: d.f(n+".nonce", sl.Nonce), Address: d.f(n+".address", sl.Address),
			PkX: d.f(n+".pkX", sl.PkX), PkY: d.f(n+".pkY", sl.PkY), ToAccountID: d.f(n+".toAccountId", sl.ToAccountID),
			Asset: d.f(n+".asset", sl.Asset), A: d.account(n+".a", s, sl.A), B: d.account(n+".b", s, sl.B)}
		c.Slots[i].Sig.R.X, c.Slots[i].Sig.R.Y = d.f(n+".sigRX", sl.SigRX), d.f(n+".sigRY", sl.SigRY)
		c.Slots[i].Sig.S = d.f(n+".sigS", sl.SigS)
		t := &c.Slots[i]
		t.Maker, t.Taker = d.order(n+".maker", sl.Maker), d.order(n+".taker", sl.Taker)
		t.TakerSig.R.X, t.TakerSig.R.Y = d.f(n+".takerSigRX", sl.TakerSigRX), d.f(n+".takerSigRY", sl.TakerSigRY)
		t.TakerSig.S = d.f(n+".takerSigS", sl.TakerSigS)
		t.InstrumentID, t.Ratio = d.fs(n+".instrumentId", sl.InstrumentID, s.L), d.fs(n+".ratio", sl.Ratio, s.L)
		t.Price, t.LegRow = d.fs(n+".price", sl.Price, s.L), d.fs(n+".legRow", sl.LegRow, s.L)
		t.MakerPos, t.TakerPos = d.fs(n+".makerPos", sl.MakerPos, s.L), d.fs(n+".takerPos", sl.TakerPos, s.L)
		t.MakerFill, t.TakerFill = d.fill(n+".makerFill", s, sl.MakerFill), d.fill(n+".takerFill", s, sl.TakerFill)
	}
	c.Fee = d.account("fee", s, j.Fee)
	for i, ls := range j.Liquidations {
		n := fmt.Sprintf("liquidations[%d]", i)
		c.Liquidations[i] = LiqSlot{Kind: d.f(n+".kind", ls.Kind), AccountID: d.f(n+".accountId", ls.AccountID),
			LiquidatorID: d.f(n+".liquidatorId", ls.LiquidatorID), Keeper: d.f(n+".keeper", ls.Keeper),
			Nonce: d.f(n+".nonce", ls.Nonce), Penalty: d.f(n+".penalty", ls.Penalty), Scenario: d.f(n+".scenario", ls.Scenario),
			TakeLots: d.fs(n+".takeLots", ls.TakeLots, s.P), TakeAtoms: d.fs(n+".takeAtoms", ls.TakeAtoms, s.A),
			LiqPos: d.fs(n+".liqPos", ls.LiqPos, s.P), A: d.account(n+".a", s, ls.A), B: d.account(n+".b", s, ls.B)}
		c.Liquidations[i].Sig.R.X, c.Liquidations[i].Sig.R.Y = d.f(n+".sigRX", ls.SigRX), d.f(n+".sigRY", ls.SigRY)
		c.Liquidations[i].Sig.S = d.f(n+".sigS", ls.SigS)
	}
	c.Fund = d.account("fund", s, j.Fund)
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

// PublicInputs returns the nine public inputs of an assignment, in order, as decimal strings.
func (c *Circuit) PublicInputs() []string {
	out := []string{}
	for _, v := range []frontend.Variable{c.OldRoot, c.NewRoot, c.RiskRoot, c.DepositHeadBefore, c.DepositHeadAfter,
		c.WithdrawalsHash, c.DataHash, c.BatchTime, c.RequestsHash} {
		out = append(out, str(v))
	}
	return out
}

func str(v frontend.Variable) string {
	var b big.Int
	switch x := v.(type) {
	case *big.Int:
		b.Set(x)
	case int:
		b.SetInt64(int64(x))
	case int64:
		b.SetInt64(x)
	case uint64:
		b.SetUint64(x)
	case big.Int:
		b.Set(&x)
	case []byte:
		b.SetBytes(x)
	default:
		panic(fmt.Sprintf("batch: unexpected assigned value %T", v))
	}
	return b.Mod(&b, encoding.Modulus()).String()
}

func strs(vs []frontend.Variable) []string {
	out := make([]string, len(vs))
	for i := range vs {
		out[i] = str(vs[i])
	}
	return out
}

func accountToJSON(a Account) accountJSON {
	return accountJSON{Empty: str(a.Empty), PkX: str(a.PkX), PkY: str(a.PkY), L1Address: str(a.L1Address),
		OrdersRoot: str(a.OrdersRoot), Leaf: strs(a.Leaf), Path: strs(a.Path), RowIdx: strs(a.RowIdx),
		MmBound: str(a.MmBound), ImBound: str(a.ImBound)}
}

func orderToJSON(o Order) orderJSON {
	return orderJSON{OrderID: str(o.OrderID), Expiry: str(o.Expiry), Quantity: str(o.Quantity),
		LimitPrice: str(o.LimitPrice), FeePerUnit: str(o.FeePerUnit)}
}

func fillToJSON(f Fill) fillJSON {
	return fillJSON{OldID: str(f.OldID), OldFilled: str(f.OldFilled), Path: strs(f.Path)}
}

// MarshalWitness writes a full assignment as a batch witness JSON document.
func MarshalWitness(c *Circuit) ([]byte, error) {
	pub := c.PublicInputs()
	j := WitnessJSON{CircuitID: c.Sizes.ID(), OldRoot: pub[0], NewRoot: pub[1], RiskRoot: pub[2], DepositHeadBefore: pub[3],
		DepositHeadAfter: pub[4], WithdrawalsHash: pub[5], DataHash: pub[6], BatchTime: pub[7], RequestsHash: pub[8],
		InstrumentsRoot: str(c.InstrumentsRoot), Globals: strs(c.Globals)}
	for _, r := range c.Rows {
		j.Rows = append(j.Rows, rowJSON{Used: str(r.Used), ID: str(r.ID), Entry: strs(r.Entry), Path: strs(r.Path)})
	}
	for _, sl := range c.Slots {
		j.Slots = append(j.Slots, slotJSON{Kind: str(sl.Kind), AccountID: str(sl.AccountID), Amount: str(sl.Amount),
			Nonce: str(sl.Nonce), Address: str(sl.Address), PkX: str(sl.PkX), PkY: str(sl.PkY), SigRX: str(sl.Sig.R.X),
			SigRY: str(sl.Sig.R.Y), SigS: str(sl.Sig.S), ToAccountID: str(sl.ToAccountID), Asset: str(sl.Asset),
			A: accountToJSON(sl.A), B: accountToJSON(sl.B),
			Maker: orderToJSON(sl.Maker), Taker: orderToJSON(sl.Taker),
			TakerSigRX: str(sl.TakerSig.R.X), TakerSigRY: str(sl.TakerSig.R.Y), TakerSigS: str(sl.TakerSig.S),
			InstrumentID: strs(sl.InstrumentID), Ratio: strs(sl.Ratio), Price: strs(sl.Price),
			MakerPos: strs(sl.MakerPos), TakerPos: strs(sl.TakerPos), LegRow: strs(sl.LegRow),
			MakerFill: fillToJSON(sl.MakerFill), TakerFill: fillToJSON(sl.TakerFill)})
	}
	j.Fee = accountToJSON(c.Fee)
	j.Liquidations = []liqSlotJSON{}
	for _, ls := range c.Liquidations {
		j.Liquidations = append(j.Liquidations, liqSlotJSON{Kind: str(ls.Kind), AccountID: str(ls.AccountID),
			LiquidatorID: str(ls.LiquidatorID), Keeper: str(ls.Keeper), Nonce: str(ls.Nonce), Penalty: str(ls.Penalty),
			Scenario: str(ls.Scenario), TakeLots: strs(ls.TakeLots), TakeAtoms: strs(ls.TakeAtoms), LiqPos: strs(ls.LiqPos),
			SigRX: str(ls.Sig.R.X), SigRY: str(ls.Sig.R.Y), SigS: str(ls.Sig.S), A: accountToJSON(ls.A), B: accountToJSON(ls.B)})
	}
	j.Fund = accountToJSON(c.Fund)
	return json.Marshal(j)
}
