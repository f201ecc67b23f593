package batch_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/test"

	"github.com/zkmargin/zkmargin/circuits/batch"
)

// TestJavaLedgerVectors replays the batch witnesses the Java ledger wrote (io.zkmargin.ledger.BatchWitness,
// prover/.../BatchProveTest, test-vectors/batch/ledger-batch-*.json): each parses, solves the circuit with
// the public inputs Java computed (roots, deposit heads, withdrawals hash, dataHash), and writes back to the
// same values (Go and Java agree on every element, bit for bit).
func TestJavaLedgerVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "test-vectors", "batch", "ledger-batch-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("want the 5 Java ledger batch vectors (3 without trades, ledger-batch-trade-{2,8}.json), found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := batch.ParseWitness(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := test.IsSolved(batch.NewCircuit(c.Sizes), c, ecc.BN254.ScalarField()); err != nil {
				t.Fatalf("the Java ledger's batch witness does not solve: %v", err)
			}
			back, err := batch.MarshalWitness(c)
			if err != nil {
				t.Fatal(err)
			}
			var javaDoc, goDoc batch.WitnessJSON
			if err := json.Unmarshal(doc, &javaDoc); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(back, &goDoc); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(javaDoc, goDoc) {
				t.Fatal("Go writes the parsed witness back with different values than Java wrote")
			}
		})
	}
}

// TestWitnessFile solves one batch witness document named by ZKM_BATCH_WITNESS (skipped when unset): a debugging
// aid for a witness writer (the Java BatchWitness), e.g.
// ZKM_BATCH_WITNESS=/tmp/w.json go test ./circuits/batch -run TestWitnessFile -v; the test engine's error names
// the first rule the witness breaks (file:line of the circuit).
func TestWitnessFile(t *testing.T) {
	f := os.Getenv("ZKM_BATCH_WITNESS")
	if f == "" {
		t.Skip("ZKM_BATCH_WITNESS not set")
	}
	doc, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	c, err := batch.ParseWitness(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := test.IsSolved(batch.NewCircuit(c.Sizes), c, ecc.BN254.ScalarField()); err != nil {
		t.Fatalf("%s does not solve: %v", f, err)
	}
	t.Logf("%s solves (%s), public inputs %v", f, c.Sizes.ID(), c.PublicInputs())
}
