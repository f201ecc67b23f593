package exit_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/internal/constrainttable"
)

var update = flag.Bool("update", false, "rewrite the exit- lines of circuits/constraints.txt")

// healthProduction is the production health circuit's constraint count (circuits/constraints.txt): the
// budget of this circuit at production size (ARCHITECTURE.md: each under the health circuit's size).
const healthProduction = 78_251

// TestConstraintTable compiles the circuit at the test and production sizes and compares the R1CS constraint
// counts with circuits/constraints.txt. Regenerate with: go test ./circuits/exit -run TestConstraintTable -update
func TestConstraintTable(t *testing.T) {
	var lines []string
	for _, s := range []encoding.Sizes{encoding.TestSizes, encoding.ProductionSizes} {
		ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, exit.NewCircuit(s))
		if err != nil {
			t.Fatalf("compile %s: %v", exit.ID(s), err)
		}
		n := ccs.GetNbConstraints()
		if s == encoding.ProductionSizes && n >= healthProduction {
			t.Errorf("%s has %d constraints, not under the health circuit's %d", exit.ID(s), n, healthProduction)
		}
		lines = append(lines, fmt.Sprintf("%s %d", exit.ID(s), n))
	}
	if err := constrainttable.Check(filepath.Join("..", "constraints.txt"), exit.Prefix, lines, *update); err != nil {
		t.Fatal(err)
	}
}
