package registry_test

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
	"github.com/zkmargin/zkmargin/circuits/registry"
)

// TestLookupLiquidationAndExit: both families resolve, assign their witness JSON into a solving assignment
// and refuse a witness of another size.
func TestLookupLiquidationAndExit(t *testing.T) {
	s := encoding.TestSizes
	// an account with negative equity: liquidatable through its worst scenario, exit pays 0
	f := healthtest.New(s)
	f.Leaf.Balances[0] = -10_000_000_000_000
	w, _ := f.Build()
	sc := liquidation.Scenario(s, f.Margin())
	liq, err := (&liquidation.Witness{CircuitID: liquidation.ID(s), Account: w, Keeper: big.NewInt(77), Scenario: sc}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	ex, err := (&exit.Witness{CircuitID: exit.ID(s), Account: w}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for id, doc := range map[string][]byte{liquidation.ID(s): liq, exit.ID(s): ex} {
		def, err := registry.Lookup(id)
		if err != nil {
			t.Fatal(err)
		}
		if def.ID() != id {
			t.Fatalf("id %q", def.ID())
		}
		a, err := def.Assign(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := test.IsSolved(def.Circuit(), a, ecc.BN254.ScalarField()); err != nil {
			t.Fatalf("%s: witness from JSON does not solve: %v", id, err)
		}
		if _, err := def.PublicInputs(doc); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"liquidation-D7-I3-P2-A2-S4-T2", "exit-D7-I3-P2-A2-S4-T2"} {
		other, err := registry.Lookup(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Assign(liq); err == nil {
			t.Fatalf("%s accepted a witness of another size", id)
		}
	}
	for _, bad := range []string{"liquidation-x", "exit-D99-I3-P2-A2-S4-T2"} {
		if _, err := registry.Lookup(bad); err == nil {
			t.Fatalf("%q must be refused", bad)
		}
	}
}
