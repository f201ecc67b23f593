package engine

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/consensys/gnark/frontend"

	"github.com/zkmargin/zkmargin/circuits/registry"
)

// SelfTestPrefix names the bridge's own self-test circuits, "selftest-N{n}" with 0 <= n <= 1<<16. They
// exist so that the native library can be checked end to end (setup, prove, verify, Solidity export,
// threads, signals) without depending on the size and the witness format of the real circuits.
//
// The circuit proves knowledge of a, b with a*b = x and a+b = y (x, y public) and also computes
// a*b^n != -1, which adds n constraints to make the circuit as large as a test wants.
// Witness JSON: {"circuitId":"selftest-N8","x":"15","y":"8","a":"3","b":"5"}, decimal strings.
const SelfTestPrefix = "selftest-N"

type selfTestCircuit struct {
	X, Y frontend.Variable `gnark:",public"`
	A, B frontend.Variable
	n    int
}

func (c *selfTestCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.A, c.B), c.X)
	api.AssertIsEqual(api.Add(c.A, c.B), c.Y)
	acc := frontend.Variable(c.A)
	for i := 0; i < c.n; i++ {
		acc = api.Mul(acc, c.B)
	}
	api.AssertIsDifferent(acc, -1)
	return nil
}

type selfTestDef struct{ n int }

func (d selfTestDef) ID() string { return fmt.Sprintf("%s%d", SelfTestPrefix, d.n) }

func (d selfTestDef) Circuit() frontend.Circuit { return &selfTestCircuit{n: d.n} }

func (d selfTestDef) parse(js []byte) ([4]*big.Int, error) {
	var w struct {
		X string `json:"x"`
		Y string `json:"y"`
		A string `json:"a"`
		B string `json:"b"`
	}
	var out [4]*big.Int
	if err := json.Unmarshal(js, &w); err != nil {
		return out, err
	}
	for i, s := range []string{w.X, w.Y, w.A, w.B} {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok || v.Sign() < 0 || v.Cmp(modulus) >= 0 {
			return out, fmt.Errorf("field %q: not a field element in decimal: %q", "xyab"[i:i+1], s)
		}
		out[i] = v
	}
	return out, nil
}

func (d selfTestDef) Assign(js []byte) (frontend.Circuit, error) {
	v, err := d.parse(js)
	if err != nil {
		return nil, err
	}
	return &selfTestCircuit{X: v[0], Y: v[1], A: v[2], B: v[3], n: d.n}, nil
}

func (d selfTestDef) PublicInputs(js []byte) ([]string, error) {
	v, err := d.parse(js)
	if err != nil {
		return nil, err
	}
	return []string{v[0].String(), v[1].String()}, nil
}

func selfTestResolver(id string) (registry.Definition, error) {
	var n int
	if _, err := fmt.Sscanf(id, SelfTestPrefix+"%d", &n); err != nil || fmt.Sprintf("%s%d", SelfTestPrefix, n) != id || n < 0 || n > 1<<16 {
		return nil, fmt.Errorf("unknown circuit id %q", id)
	}
	return selfTestDef{n: n}, nil
}

// SelfTestWitnessJSON returns a satisfying witness for selftest circuit id with factors a and b.
func SelfTestWitnessJSON(id string, a, b int64) []byte {
	return []byte(fmt.Sprintf(`{"circuitId":%q,"x":"%d","y":"%d","a":"%d","b":"%d"}`, id, a*b, a+b, a, b))
}

func isSelfTest(id string) bool { return strings.HasPrefix(id, SelfTestPrefix) }
