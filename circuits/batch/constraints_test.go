package batch_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/internal/constrainttable"
)

var update = flag.Bool("update", false, "rewrite the batch- lines of circuits/constraints.txt")

func count(t *testing.T, s batch.Sizes) int {
	t.Helper()
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, batch.NewCircuit(s))
	if err != nil {
		t.Fatalf("compile %s: %v", s.ID(), err)
	}
	return cs.GetNbConstraints()
}

// TestConstraintTable records the test size and the production size at N = 1 and N = 2: every slot is the
// same sub-circuit (each slot can hold any kind), so one slot costs count(N2) - count(N1) and a batch of N
// costs count(N1) + (N - 1) * slot, exactly (circuits/README.md quotes N = 16). Compiling N = 16 itself
// takes minutes on this machine, so the table does not. Regenerate with -update.
func TestConstraintTable(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the production-size batch circuit twice")
	}
	p1, p2 := batch.ProductionSizes, batch.ProductionSizes
	p1.N, p2.N = 1, 2
	var lines []string
	counts := map[int]int{}
	for i, s := range []batch.Sizes{batch.TestSizes, p1, p2} {
		n := count(t, s)
		counts[i] = n
		lines = append(lines, fmt.Sprintf("%s %d", s.ID(), n))
	}
	slot := counts[2] - counts[1]
	t.Logf("production: one slot (any kind) %d constraints, fixed part %d, N = 16: %d", slot, counts[1]-slot, counts[1]+15*slot)
	if err := constrainttable.Check(filepath.Join("..", "constraints.txt"), "batch-", lines, *update); err != nil {
		t.Fatal(err)
	}
}
