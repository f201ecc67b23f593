package liquidation_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/internal/constrainttable"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
)

var update = flag.Bool("update", false, "rewrite the liquidation- lines of circuits/constraints.txt")

// healthProduction is the production health circuit's constraint count (circuits/constraints.txt): the
// budget of this circuit at production size (ARCHITECTURE.md: each under the health circuit's size).
const healthProduction = 78_251

// TestConstraintTable compiles the circuit at the test and production sizes and compares the R1CS constraint
// counts with circuits/constraints.txt. Regenerate with: go test ./circuits/liquidation -run TestConstraintTable -update
func TestConstraintTable(t *testing.T) {
	var lines []string
	for _, s := range []encoding.Sizes{encoding.TestSizes, encoding.ProductionSizes} {
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, liquidation.NewCircuit(s))
		if err != nil {
			t.Fatalf("compile %s: %v", liquidation.ID(s), err)
		}
		n := ccs.GetNbConstraints()
		if s == encoding.ProductionSizes && n >= healthProduction {
			t.Errorf("%s has %d constraints, not under the health circuit's %d", liquidation.ID(s), n, healthProduction)
		}
		lines = append(lines, fmt.Sprintf("%s %d", liquidation.ID(s), n))
	}
	if err := constrainttable.Check(filepath.Join("..", "constraints.txt"), liquidation.Prefix, lines, *update); err != nil {
		t.Fatal(err)
	}
}
