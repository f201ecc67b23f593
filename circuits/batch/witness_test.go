package batch_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/batch"
)

// TestWitnessJSONRoundTrip: a batch (a trade, a transfer, a liquidation with a keeper) written as JSON parses
// back into an assignment that solves, with the same public inputs, and writes back to the same bytes.
func TestWitnessJSONRoundTrip(t *testing.T) {
	b := liqStart(liqDebt)
	c := b.Trade(sell5(b)).Transfer(1, 4, 0, 1_000).Liquidate(liq16(b)).Build()
	js, err := batch.MarshalWitness(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := batch.ParseWitness(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := test.IsSolved(batch.NewCircuit(batch.TestSizes), back, ecc.BN254.ScalarField()); err != nil {
		t.Fatal(err)
	}
	js2, err := batch.MarshalWitness(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(js, js2) {
		t.Fatal("JSON round trip changed the document")
	}
	for i, p := range c.PublicInputs() {
		if back.PublicInputs()[i] != p {
			t.Fatalf("public input %d: %s, want %s", i, back.PublicInputs()[i], p)
		}
	}
	for name, bad := range map[string][]byte{
		"notJSON":      []byte("{"),
		"unknownField": bytes.Replace(js, []byte(`"oldRoot"`), []byte(`"oldRooot"`), 1),
		"otherCircuit": bytes.Replace(js, []byte(`batch-D6-`), []byte(`batch-D7-`), 1),
		"otherQ":       bytes.Replace(js, []byte(`-R4-Q1"`), []byte(`-R4-Q2"`), 1),
		"noQ":          bytes.Replace(js, []byte(`-R4-Q1"`), []byte(`-R4"`), 1),
		"badPenalty":   bytes.Replace(js, []byte(`"penalty":"`), []byte(`"penalty":"x`), 1),
		"notAnElement": bytes.Replace(js, []byte(`"batchTime":"`), []byte(`"batchTime":"-`), 1),
	} {
		if _, err := batch.ParseWitness(bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// FuzzParseWitness: the decoder of untrusted witness bytes never panics, and what it accepts writes back.
func FuzzParseWitness(f *testing.F) {
	c := start().Deposit().Build()
	js, err := batch.MarshalWitness(c)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js)
	f.Add([]byte(`{"circuitId":"batch-D6-I3-P2-A2-S4-T2-K2-L2-N2-R4-Q1"}`))
	// the Java ledger's documents (pretty-printed, as BatchWitness writes them)
	if java, err := os.ReadFile(filepath.Join("..", "..", "test-vectors", "batch", "ledger-batch-2.json")); err == nil {
		f.Add(java)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := batch.ParseWitness(data)
		if err != nil {
			return
		}
		if _, err := batch.MarshalWitness(w); err != nil {
			t.Fatal(err)
		}
	})
}
