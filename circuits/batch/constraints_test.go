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

// TestConstraintTable records the test size and the production size at (N, Q) = (1, 0), (2, 0) and (1, 1): every
// generic slot is the same sub-circuit (each can hold any kind), so one slot costs count(N2 Q0) - count(N1 Q0),
// a liquidation slot count(N1 Q1) - count(N1 Q0), and a batch of N generic and Q liquidation slots costs
// count(N1 Q0) + (N - 1) * slot + Q * liquidation slot, exactly (circuits/README.md quotes N = 16, Q = 2).
// Compiling N = 16 itself takes minutes on this machine, so the table does not. Regenerate with -update.
func TestConstraintTable(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the production-size batch circuit three times")
	}
	p1, p2, p1q := batch.ProductionSizes, batch.ProductionSizes, batch.ProductionSizes
	p1.N, p2.N, p1q.N = 1, 2, 1
	p1.Q, p2.Q, p1q.Q = 0, 0, 1
	var lines []string
	counts := map[int]int{}
	for i, s := range []batch.Sizes{batch.TestSizes, p1, p2, p1q} {
		n := count(t, s)
		counts[i] = n
		lines = append(lines, fmt.Sprintf("%s %d", s.ID(), n))
	}
	slot := counts[2] - counts[1]
	liq := counts[3] - counts[1]
	full := batch.ProductionSizes
	t.Logf("production: one slot (any kind) %d constraints, one liquidation slot %d, fixed part %d, N = %d, Q = %d: %d",
		slot, liq, counts[1]-slot, full.N, full.Q, counts[1]+(full.N-1)*slot+full.Q*liq)
	if err := constrainttable.Check(filepath.Join("..", "constraints.txt"), "batch-", lines, *update); err != nil {
		t.Fatal(err)
	}
}
