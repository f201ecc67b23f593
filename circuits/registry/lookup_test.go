package registry_test

import (
	"encoding/json"
	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
	"github.com/zkmargin/zkmargin/circuits/registry"
)

func TestLookupHealth(t *testing.T) {
	id := encoding.TestSizes.HealthID()
	def, err := registry.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	if def.ID() != id {
		t.Fatalf("id %q", def.ID())
	}
	w, _ := healthtest.New(encoding.TestSizes).Build()
	doc, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	a, err := def.Assign(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := test.IsSolved(def.Circuit(), a, ecc.BN254.ScalarField()); err != nil {
		t.Fatalf("witness from JSON does not solve: %v", err)
	}
	pub, err := def.PublicInputs(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := w.PublicInputs()
	if len(pub) != 3 || pub[0] != want[0] || pub[1] != want[1] || pub[2] != want[2] {
		t.Fatalf("public inputs %v, want %v", pub, want)
	}

	other, err := registry.Lookup("health-D7-I3-P2-A2-S4-T2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Assign(doc); err == nil || !strings.Contains(err.Error(), "not") {
		t.Fatalf("a witness for another size must be refused, got %v", err)
	}
}

func TestLookupRefusesUnknown(t *testing.T) {
	for _, id := range []string{"", "batch-1", "health-D99-I3-P2-A2-S4-T2", "health-x"} {
		if _, err := registry.Lookup(id); err == nil {
			t.Fatalf("%q must be refused", id)
		}
	}
}

func TestLookupBatch(t *testing.T) {
	def, err := registry.Lookup(batch.TestSizes.ID())
	if err != nil {
		t.Fatal(err)
	}
	c := batchtest.New(batch.TestSizes).Start().Deposit().Build()
	doc, err := batch.MarshalWitness(c)
	if err != nil {
		t.Fatal(err)
	}
	a, err := def.Assign(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := test.IsSolved(def.Circuit(), a, ecc.BN254.ScalarField()); err != nil {
		t.Fatalf("batch witness from JSON does not solve: %v", err)
	}
	pub, err := def.PublicInputs(doc)
	if err != nil || len(pub) != 9 || pub[0] != c.PublicInputs()[0] {
		t.Fatalf("public inputs %v (%v)", pub, err)
	}
	if _, err := registry.Lookup("batch-D6-I3-P2-A2-S4-T2-K2-L2-N0-R4-Q1"); err == nil {
		t.Fatal("N = 0 must be refused")
	}
}
