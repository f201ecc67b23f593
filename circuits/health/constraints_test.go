package health_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/health"
	"github.com/zkmargin/zkmargin/circuits/internal/constrainttable"
)

var update = flag.Bool("update", false, "rewrite circuits/constraints.txt with the current constraint counts")

// constraintTable is the checked-in table of R1CS constraint counts, one line per circuit id.
var constraintTable = filepath.Join("..", "constraints.txt")

// productionBudget is the constraint budget of the production-size health circuit.
const productionBudget = 100_000

// tableSizes are the sizes whose counts the table records.
var tableSizes = []encoding.Sizes{encoding.TestSizes, encoding.ProductionSizes}

func countConstraints(t *testing.T, s encoding.Sizes) int {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, health.NewCircuit(s))
	if err != nil {
		t.Fatalf("compile %s: %v", s.HealthID(), err)
	}
	return ccs.GetNbConstraints()
}

// TestConstraintTable compiles every circuit of the table and compares its R1CS constraint count with
// circuits/constraints.txt. Regenerate with: go test ./circuits/health -run TestConstraintTable -update
// (only the health- lines; circuits/batch owns the batch- lines)
func TestConstraintTable(t *testing.T) {
	var lines []string
	for _, s := range tableSizes {
		n := countConstraints(t, s)
		if s == encoding.ProductionSizes && n >= productionBudget {
			t.Errorf("%s has %d constraints, over the budget of %d", s.HealthID(), n, productionBudget)
		}
		lines = append(lines, fmt.Sprintf("%s %d", s.HealthID(), n))
	}
	if err := constrainttable.Check(constraintTable, "health-", lines, *update); err != nil {
		t.Fatal(err)
	}
}
