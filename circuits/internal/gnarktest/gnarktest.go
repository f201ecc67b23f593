// Package gnarktest holds what the circuit tests share around gnark's test package.
package gnarktest

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
)

// Check runs gnark's test.Assert.CheckCircuit on circuit with the given assignments
// (test.WithValidAssignment / test.WithInvalidAssignment), restricted to what the project proves with:
// BN254 and Groth16 (by default CheckCircuit also runs BLS12-381 and PLONK). Without the prover_checks build
// tag it checks each assignment with the test engine and with the solver of the compiled R1CS (compiled
// twice, to check that compilation is deterministic); it runs no setup and no prover.
func Check(t *testing.T, circuit frontend.Circuit, opts ...test.TestingOption) {
	t.Helper()
	all := append([]test.TestingOption{test.WithCurves(ecc.BN254), test.WithBackends(backend.GROTH16)}, opts...)
	test.NewAssert(t).CheckCircuit(circuit, all...)
}
